/**
 * A fast reader for the plain YAML configs are usually written in, giving exactly what the `yaml`
 * package's `parseDocument(text, { uniqueKeys: true }).toJS()` gives (YAML 1.2, core schema). It
 * reads only the strict subset it is sure of: block mappings and sequences (a sequence may sit at its
 * key's indentation), one-line plain scalars, one-line quoted scalars with simple escapes, one-line
 * flow sequences and mappings, and comments. Anything else — block scalars (`|`, `>`), multi-line
 * scalars, anchors, aliases, tags, directives, documents markers, tabs, complex keys, repeated keys,
 * numbers in any but the plainest form, a `__proto__` key — makes it answer `undefined`, and the caller
 * hands the text to `yaml`, which stays the reference for what a config means (and for its error
 * messages).
 *
 * Why: `yaml` takes about 3 ms per KB in a fresh process (its parser is not yet optimised by the JIT),
 * so a config of 100 topics and 2,000 feeds (100 KB) cost a third of a second before every command.
 */

class Unsure extends Error {}
const UNSURE = new Unsure();
const unsure = (): never => {
  throw UNSURE;
};

/** Everything yaml's core schema reads as a number (which the fast path accepts only in plain form). */
const NUMBERISH = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PLAIN_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const PLAIN_FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE']);
const FALSES = new Set(['false', 'False', 'FALSE']);
/** Characters a plain scalar may not start with (YAML indicators), and what ends one in flow context. */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
const FLOW_END = ',[]{}';

/** A plain scalar's value under the core schema; unsure of any number that is not plainly written. */
function resolvePlain(s: string): unknown {
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (NUMBERISH.test(s)) {
    if (PLAIN_INT.test(s) || PLAIN_FLOAT.test(s)) return Number(s);
    unsure();
  }
  return s;
}

interface Line {
  indent: number;
  /** The line without its indentation and without a trailing comment (trailing spaces trimmed). */
  text: string;
}

/** Reads text as described above; undefined when unsure. */
export function parseYamlFast(text: string): unknown {
  try {
    return new Reader(text).document();
  } catch (err) {
    // a stack overflow on absurd nesting too: yaml then says what is wrong
    if (err instanceof Unsure || err instanceof RangeError) return undefined;
    throw err;
  }
}

class Reader {
  private readonly lines: Line[] = [];
  private i = 0;

  constructor(text: string) {
    if (text.includes('\t') || text.charCodeAt(0) === 0xfeff) unsure();
    const raw = text.split('\n');
    for (let k = 0; k < raw.length; k++) {
      let l = raw[k]!;
      if (l.endsWith('\r')) l = l.slice(0, -1);
      if (l.includes('\r')) unsure();
      let indent = 0;
      while (indent < l.length && l.charCodeAt(indent) === 32) indent++;
      const body = stripComment(l.slice(indent));
      if (body === '') continue;
      if (indent === 0 && (body.startsWith('---') || body.startsWith('...') || body.startsWith('%'))) unsure();
      this.lines.push({ indent, text: body });
    }
  }

  document(): unknown {
    // an empty document, or one that is not a mapping, is left to yaml (and to validation's message)
    if (this.lines.length === 0 || this.lines[0]!.indent !== 0) unsure();
    const v = this.block(0);
    if (this.i !== this.lines.length) unsure();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) unsure();
    return v;
  }

  /** The block node whose first line is the current one, at exactly `indent`. */
  private block(indent: number): unknown {
    const l = this.lines[this.i]!;
    if (l.indent !== indent) unsure();
    if (isEntry(l.text)) return this.sequence(indent);
    if (keySplit(l.text) !== null) return this.mapping(indent, l.text, false);
    unsure();
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.indent < indent) break;
      if (l.indent > indent || !isEntry(l.text)) unsure();
      this.i++;
      const rest = l.text === '-' ? '' : l.text.slice(2).replace(/^ +/, '');
      if (rest === '') {
        out.push(this.nested(indent, false));
      } else if (isEntry(rest)) {
        unsure(); // "- - a": compact nested sequences
      } else if (rest[0] === '[' || rest[0] === '{') {
        out.push(scalarOrFlow(rest));
      } else if (keySplit(rest) !== null) {
        // "- key: value": a mapping whose keys sit at the column after "- "
        const col = indent + (l.text.length - rest.length);
        out.push(this.mapping(col, rest, true));
      } else out.push(scalarOrFlow(rest));
    }
    return out;
  }

  /**
   * A mapping at `indent`; `first` is its first entry's text (a line already consumed when `inline`,
   * i.e. after a sequence's "- "; otherwise the current line).
   */
  private mapping(indent: number, first: string, inline: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let text: string | null = first;
    if (!inline) this.i++;
    while (text !== null) {
      const kv = keySplit(text);
      if (kv === null) unsure();
      const [key, rest] = kv!;
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) unsure();
      out[key] = rest === '' ? this.nested(indent, true) : scalarOrFlow(rest);
      text = null;
      if (this.i < this.lines.length) {
        const l = this.lines[this.i]!;
        if (l.indent === indent && !isEntry(l.text)) {
          text = l.text;
          this.i++;
        } else if (l.indent > indent) unsure();
      }
    }
    return out;
  }

  /** The value of an entry with nothing after it on its line: a deeper block, a sequence at the key's indent, or null. */
  private nested(indent: number, sameIndentSequence: boolean): unknown {
    if (this.i >= this.lines.length) return null;
    const l = this.lines[this.i]!;
    if (l.indent > indent) return this.block(l.indent);
    if (sameIndentSequence && l.indent === indent && isEntry(l.text)) return this.sequence(indent);
    return null;
  }
}

const isEntry = (t: string) => t === '-' || t.startsWith('- ');

/**
 * The line without a trailing comment, trimmed at the end: cut at the first `#` after a space, if a
 * scan that skips quoted stretches (a quote after a space, `[`, `{`, `,` or at the start opens one, a
 * superset of where yaml's quoted scalars start) finds the comment there too; if not, a quote may hide
 * it, and the line is left to yaml. (A cut inside a real quoted scalar would leave it unclosed, which
 * the reader declines as well.)
 */
function stripComment(s: string): string {
  if (s[0] === '#') return '';
  const k = s.indexOf(' #');
  if (k === -1) return s.trimEnd();
  let quote = '';
  for (let j = 0; j < k + 1; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === '\\' && quote === '"') j++;
      else if (c === quote) quote = '';
      continue;
    }
    if ((c === '"' || c === "'") && (j === 0 || ' [{,'.includes(s[j - 1]!))) quote = c;
  }
  if (quote) unsure();
  return s.slice(0, k).trimEnd();
}

/** "key: rest" (or "key:") in block context: the key's value and the rest; null when the line is no such entry. */
function keySplit(t: string): [string, string] | null {
  if (t[0] === '"' || t[0] === "'") {
    const [key, end] = quoted(t, 0);
    if (t[end] !== ':' || (end + 1 < t.length && t[end + 1] !== ' ')) return null;
    return [key, t.slice(end + 1).trimStart()];
  }
  let k = t.indexOf(':');
  while (k !== -1 && k + 1 < t.length && t[k + 1] !== ' ') k = t.indexOf(':', k + 1);
  if (k <= 0) return null;
  const key = t.slice(0, k);
  if (INDICATOR.test(key) || key !== key.trim() || /[[\]{},]/.test(key)) unsure();
  const v = resolvePlain(key);
  if (typeof v !== 'string') unsure(); // a null, bool or number key: left to yaml
  return [key, t.slice(k + 1).trimStart()];
}

/** A value on one line: a quoted or plain scalar, or a flow collection that ends on that line. */
function scalarOrFlow(s: string): unknown {
  if (s[0] === '[' || s[0] === '{') {
    const [v, end] = flow(s, 0);
    if (end !== s.length) unsure();
    return v;
  }
  if (s[0] === '"' || s[0] === "'") {
    const [v, end] = quoted(s, 0);
    if (end !== s.length) unsure();
    return v;
  }
  if (INDICATOR.test(s) || s.includes(': ') || s.endsWith(':')) unsure();
  return resolvePlain(s);
}

/** A quoted scalar starting at s[k]: its value and the index after the closing quote. */
function quoted(s: string, k: number): [string, number] {
  const q = s[k]!;
  let out = '';
  for (let j = k + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === q) {
      if (q === "'" && s[j + 1] === "'") {
        out += "'";
        j++;
        continue;
      }
      return [out, j + 1];
    }
    if (c === '\\' && q === '"') {
      const e = s[++j];
      if (e === '"' || e === '\\' || e === '/') out += e;
      else if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else unsure();
      continue;
    }
    out += c;
  }
  return unsure();
}

const skipSpaces = (s: string, k: number) => {
  while (s[k] === ' ') k++;
  return k;
};

/** A flow collection starting at s[k] ('[' or '{'): its value and the index after it. */
function flow(s: string, k: number): [unknown, number] {
  const open = s[k]!;
  const close = open === '[' ? ']' : '}';
  const list: unknown[] = [];
  const map: Record<string, unknown> = {};
  k = skipSpaces(s, k + 1);
  if (s[k] === close) return [open === '[' ? list : map, k + 1];
  for (;;) {
    let [v, end] = flowItem(s, k);
    end = skipSpaces(s, end);
    if (open === '{') {
      if (s[end] !== ':' || typeof v !== 'string' || v === '__proto__' || Object.prototype.hasOwnProperty.call(map, v)) unsure();
      const [val, e2] = flowItem(s, skipSpaces(s, end + 1));
      map[v as string] = val;
      end = skipSpaces(s, e2);
    } else if (s[end] === ':') unsure(); // a single-pair mapping inside a sequence
    if (open === '[') list.push(v);
    if (s[end] === close) return [open === '[' ? list : map, end + 1];
    if (s[end] !== ',') unsure();
    k = skipSpaces(s, end + 1);
    if (s[k] === close) unsure(); // a trailing comma: left to yaml
  }
}

/** One scalar or nested collection inside a flow collection. */
function flowItem(s: string, k: number): [unknown, number] {
  const c = s[k];
  if (c === undefined) unsure();
  if (c === '[' || c === '{') return flow(s, k);
  if (c === '"' || c === "'") return quoted(s, k);
  if (INDICATOR.test(c!)) unsure();
  let j = k;
  // a plain scalar ends at a flow indicator, or at ': ' / ':' before one
  while (j < s.length && !FLOW_END.includes(s[j]!) && !(s[j] === ':' && (j + 1 === s.length || s[j + 1] === ' ' || FLOW_END.includes(s[j + 1]!)))) j++;
  const raw = s.slice(k, j).trimEnd();
  if (raw.includes(' #')) unsure();
  return [resolvePlain(raw), j];
}
