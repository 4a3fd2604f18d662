/**
 * A fast reader for well-formed, plain XML that builds exactly the object xml2js builds (with the
 * options rss-parser gives it: strict, explicitArray, `_` for text, `$` for attributes, no trimming),
 * so that rss-parser's own code turns it into a feed as before. It reads only the strict subset it is
 * sure of: the five XML entities and numeric references, quoted attributes, ASCII names, comments,
 * CDATA and processing instructions. Anything else (another named entity, a DOCTYPE, a mismatched or
 * unclosed tag, text outside the root, a non-ASCII name…) makes it answer `undefined`, and the caller
 * hands the document to xml2js/sax, which stays the reference for what a document means.
 *
 * Why: sax (under xml2js) spent about 80 µs per feed item, the largest single cost of a fetch.
 */

/** What xml2js makes of an element (null-prototype objects, as xml2js makes them). */
type XmlNode = Record<string, unknown>;

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const ATTRIBUTE = /[ \t\r\n]+([A-Za-z_:][A-Za-z0-9_:.-]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /[ \t\r\n]*(\/?)>/y;
const CLOSE_END = /[ \t\r\n]*>/y;
/** xml2js's test for an element's text being blank. */
const WHITESPACE = /^\s*$/;
/** sax's whitespace, the only text allowed outside the root element. */
const OUTSIDE = /^[ \t\r\n]*$/;
/** The longest entity body read (xml2js/sax would read more: a longer one is left to them). */
const ENTITY_MAX = 10;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Element names that would collide with the keys xml2js itself puts on an element. */
const RESERVED = new Set(['_', '$', '#name', 'cdata']);

class Unsure extends Error {}
const UNSURE = new Unsure();

function isXmlChar(cp: number): boolean {
  if (cp < 0x20) return cp === 0x9 || cp === 0xa || cp === 0xd;
  return (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The character an entity's body (between `&` and `;`) stands for; Unsure for any other. */
function entity(body: string): string {
  const named = NAMED[body];
  if (named !== undefined) return named;
  const m = /^#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}))$/.exec(body);
  if (!m) throw UNSURE;
  const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
  if (!isXmlChar(cp)) throw UNSURE;
  return String.fromCodePoint(cp);
}

/**
 * The text with its references decoded: each `&` must start a body of at most ENTITY_MAX characters
 * (none of `;&<`) closed by `;` (what /&([^;&<]{0,10});?/g would match, ending in `;`), else Unsure. A
 * loop over `&`s instead of a replace with a callback: descriptions of escaped HTML hold dozens each.
 */
function decode(text: string): string {
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const limit = Math.min(text.length, amp + 1 + ENTITY_MAX);
    let j = amp + 1;
    for (; j < limit; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x3b /* ; */ || c === 0x26 /* & */ || c === 0x3c /* < */) break;
    }
    if (text.charCodeAt(j) !== 0x3b) throw UNSURE;
    out += text.slice(from, amp) + entity(text.slice(amp + 1, j));
    from = j + 1;
    amp = text.indexOf('&', from);
  }
  return out + text.slice(from);
}

function assignOrPush(parent: XmlNode, key: string, value: unknown): void {
  const old = parent[key];
  if (old === undefined && !(key in parent)) parent[key] = [value];
  else if (Array.isArray(old)) old.push(value);
  else parent[key] = [old, value];
}

/**
 * The xml2js result for `xml` (`{ root: {...} }`), or undefined when the document is outside the
 * subset read here. `rename` is xml2js's tagNameProcessors, in one function.
 */
export function readXml(xml: string, rename: (name: string) => string = (n) => n): XmlNode | undefined {
  try {
    return read(xml, rename);
  } catch (err) {
    if (err instanceof Unsure) return undefined;
    throw err;
  }
}

function read(xml: string, rename: (name: string) => string): XmlNode | undefined {
  if (xml.trim() === '' || xml.charCodeAt(0) === 0xfeff) return undefined;
  const stack: XmlNode[] = [];
  // per open element: its name as written (what its end tag must say), as renamed (its key in the parent),
  // and whether it held CDATA; kept beside the element rather than as keys set on it and deleted at its end
  const names: string[] = [];
  const keys: string[] = [];
  const cdatas: boolean[] = [];
  /** Whether the element has only its text so far (no attribute, no child): xml2js then gives the text alone. */
  const bare: boolean[] = [];
  let result: XmlNode | undefined;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      const text = xml.slice(i, end);
      const top = stack[stack.length - 1];
      if (top) top._ += decode(text);
      else if (!OUTSIDE.test(text)) return undefined;
    }
    if (lt === -1) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const close = xml.indexOf('-->', lt + 4);
        if (close === -1) return undefined;
        const body = xml.slice(lt + 4, close);
        if (body.includes('--') || body.endsWith('-')) return undefined;
        i = close + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const close = xml.indexOf(']]>', lt + 9);
        const top = stack[stack.length - 1];
        if (close === -1 || !top) return undefined;
        top._ += xml.slice(lt + 9, close);
        cdatas[cdatas.length - 1] = true;
        i = close + 3;
      } else return undefined;
    } else if (next === 0x3f /* ? */) {
      const close = xml.indexOf('?>', lt + 2);
      if (close === -1) return undefined;
      i = close + 2;
    } else if (next === 0x2f /* / */) {
      // the name must be the open element's, whole (test and lastIndex: no match array per tag)
      const open = names[names.length - 1];
      NAME.lastIndex = lt + 2;
      if (open === undefined || !NAME.test(xml) || NAME.lastIndex - (lt + 2) !== open.length || !xml.startsWith(open, lt + 2)) return undefined;
      CLOSE_END.lastIndex = NAME.lastIndex;
      if (!CLOSE_END.test(xml)) return undefined;
      i = CLOSE_END.lastIndex;
      const value = close(stack.pop()!, cdatas.pop()!, bare.pop()!);
      const key = keys.pop()!;
      names.pop();
      if (stack.length > 0) {
        assignOrPush(stack[stack.length - 1]!, key, value);
        bare[bare.length - 1] = false;
      } else result = root(key, value);
    } else {
      if (result !== undefined) return undefined; // a second root
      NAME.lastIndex = lt + 1;
      if (!NAME.test(xml)) return undefined;
      const name = xml.slice(lt + 1, NAME.lastIndex);
      const obj: XmlNode = Object.create(null) as XmlNode;
      obj._ = '';
      let at = NAME.lastIndex;
      let attrs: XmlNode | undefined;
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const a = ATTRIBUTE.exec(xml);
        if (!a) break;
        attrs ??= obj.$ = Object.create(null) as XmlNode;
        if (a[1]! in attrs) return undefined;
        attrs[a[1]!] = decode(a[2] ?? a[3]!);
        at = ATTRIBUTE.lastIndex;
      }
      TAG_END.lastIndex = at;
      if (!TAG_END.test(xml)) return undefined;
      i = TAG_END.lastIndex;
      const selfClosing = xml.charCodeAt(i - 2) === 0x2f; /* `/>` */
      const renamed = rename(name);
      if (RESERVED.has(renamed)) return undefined;
      if (selfClosing) {
        const value = close(obj, false, attrs === undefined);
        if (stack.length > 0) {
          assignOrPush(stack[stack.length - 1]!, renamed, value);
          bare[bare.length - 1] = false;
        } else result = root(renamed, value);
      } else {
        stack.push(obj);
        names.push(name);
        keys.push(renamed);
        cdatas.push(false);
        bare.push(attrs === undefined);
      }
    }
  }
  return stack.length === 0 ? result : undefined;
}

function root(name: string, value: unknown): XmlNode {
  const out = Object.create(null) as XmlNode;
  out[name] = value;
  return out;
}

/**
 * xml2js's closing of an element (its value in the parent): an element of text alone (`bare`: its only key is
 * `_`) becomes its text, blank or not; otherwise whitespace-only text goes, unless it was CDATA.
 */
function close(obj: XmlNode, cdata: boolean, bare: boolean): unknown {
  const text = obj._ as string;
  if (bare) return text;
  if (!cdata && WHITESPACE.test(text)) delete obj._;
  return obj;
}
