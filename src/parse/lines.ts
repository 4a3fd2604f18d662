import type { Readable } from 'node:stream';
import { InputError } from '../core/errors.js';

/**
 * A text stream's lines, a chunk's worth at a time (a promise per line would cost more than the work done
 * with it), without their `\n` (and `\r`, with `crlf`); a last line without a line break too. The
 * unfinished line is kept in pieces until its line break comes (joining per chunk would be quadratic), and
 * with `maxChars` a longer line is refused: `tooLong(n)` is thrown, n its line number.
 */
export async function* lineBatches(input: Readable, o: { crlf?: boolean; maxChars?: number; tooLong?: (lineNo: number) => Error } = {}): AsyncGenerator<string[]> {
  const max = o.maxChars ?? Infinity;
  const refuse = (lineNo: number) => {
    throw o.tooLong ? o.tooLong(lineNo) : new Error(`line ${lineNo}: longer than ${max} characters`);
  };
  let rest: string[] = [];
  let restChars = 0;
  let lineNo = 0;
  for await (const chunk of input) {
    const piece = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (!piece.includes('\n')) {
      rest.push(piece);
      restChars += piece.length;
      if (restChars > max) refuse(lineNo + 1);
      continue;
    }
    const lines = (rest.length ? rest.join('') + piece : piece).split('\n');
    const last = lines.pop()!;
    rest = [last];
    restChars = last.length;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.length > max) refuse(lineNo + i + 1);
      if (o.crlf && lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
    }
    lineNo += lines.length;
    if (restChars > max) refuse(lineNo + 1);
    yield lines;
  }
  if (restChars > 0) {
    const last = rest.join('');
    yield [o.crlf && last.endsWith('\r') ? last.slice(0, -1) : last];
  }
}

/**
 * lineBatches on bytes, for callers that read lines straight from them: per chunk, a buffer holding its
 * complete lines and where each ends (exclusive: its `\n`, or the buffer's end for a last line without a
 * line break); a line starts one byte after the end of the one before, the first at 0. The unfinished line
 * is kept in pieces until its line break comes; past `maxBytes` of it, `tooLong(n)` is thrown, n its line
 * number. A line's bytes never hold a newline's byte but as its end, whatever its encoding (UTF-8).
 */
export async function* byteLineBatches(input: Readable, o: { maxBytes: number; tooLong: (lineNo: number) => Error }): AsyncGenerator<{ buf: Buffer; ends: number[] }> {
  let rest: Buffer[] = [];
  let restBytes = 0;
  let lineNo = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    if (chunk.indexOf(10) < 0) {
      rest.push(chunk);
      restBytes += chunk.length;
      if (restBytes > o.maxBytes) throw o.tooLong(lineNo + 1);
      continue;
    }
    const buf = rest.length ? Buffer.concat([...rest, chunk]) : chunk;
    const ends: number[] = [];
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, nl + 1)) ends.push(nl);
    const from = ends[ends.length - 1]! + 1;
    rest = from < buf.length ? [buf.subarray(from)] : [];
    restBytes = buf.length - from;
    lineNo += ends.length;
    if (restBytes > o.maxBytes) throw o.tooLong(lineNo + 1);
    yield { buf, ends };
  }
  if (restBytes > 0) {
    const buf = Buffer.concat(rest);
    yield { buf, ends: [buf.length] };
  }
}

/** How a line holding a JSON object starts: `{`, then a quoted key (single quotes too: a Python dict printed, refused as not JSON) or the `}` of an empty object. */
const JSON_OBJECT_START = /^\s*\{\s*["'}]/;

/**
 * A line of texts to score (`momentscan sentiment`): plain text, or a JSON object with a "text" field
 * (its other fields are passed through). A bad JSON line is an InputError naming `name` and the line.
 */
export function textLine(line: string, name: string, n: number): { fields: Record<string, unknown>; text: string } {
  // a JSON object opens with a quoted key (or is {}): a headline such as "{Update} Acme recalls robots" is text
  if (!JSON_OBJECT_START.test(line)) return { fields: {}, text: line };
  const read = jsonObjectLine(line);
  if ('problem' in read) {
    const hint =
      read.why === 'syntax' ? 'give one text per line, or one JSON object with a "text" field per line' : 'give one JSON object with a "text" field per line, with finite numbers and at most 100 levels of nesting';
    throw new InputError(`${name}: line ${n}: ${read.problem}`, { hint });
  }
  if (typeof read.value.text !== 'string') {
    // what the line has instead: its fields (a "body" or "content" exported by another tool), or what its text is
    const text: unknown = read.value.text;
    const keys = Object.keys(read.value);
    const has =
      text === undefined
        ? keys.length > 0 ? `it has ${keys.slice(0, 8).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 39)}…` : k)).join(', ')}${keys.length > 8 ? ', …' : ''}` : 'it is {}'
        : `its "text" is ${text === null ? 'null' : Array.isArray(text) ? 'an array' : typeof text === 'object' ? 'an object' : `a ${typeof text}`}`;
    // a field holding a string, named as jq can take it: the text under another name
    const other = text === undefined ? keys.find((k) => typeof read.value[k] === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(k)) : undefined;
    throw new InputError(`${name}: line ${n}: a JSON line needs a "text" field with a string (${has})`, {
      hint: `give one JSON object with a "text" field per line${other ? ` (if .${other} is the text: jq -c '.text = .${other}' | momentscan sentiment)` : ''}`,
    });
  }
  const { text, ...fields } = read.value as Record<string, unknown> & { text: string };
  return { fields, text };
}

/**
 * One line holding a JSON object: the object, or what is wrong with it (nested too deep to write out
 * again, not JSON, a number out of range, not an object), for the caller to name the input and line.
 */
export function jsonObjectLine(line: string): { value: Record<string, unknown> } | { problem: string; why: 'syntax' | 'value' } {
  if (jsonDepth(line) > MAX_JSON_DEPTH) return { problem: `JSON nested more than ${MAX_JSON_DEPTH} levels deep`, why: 'value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    return { problem: `not valid JSON (${(err as Error).message})`, why: 'syntax' };
  }
  const odd = oddJson(parsed);
  if (odd !== null) return { problem: odd, why: 'value' };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'expected a JSON object', why: 'value' };
  return { value: parsed as Record<string, unknown> };
}

/** Deepest nesting of arrays and objects accepted in a JSON line (deeper ones overflow the stack when written out). */
const MAX_JSON_DEPTH = 100;

/** The deepest nesting of brackets in a JSON text, outside strings (stops counting past MAX_JSON_DEPTH). */
function jsonDepth(line: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max && (max = depth) > MAX_JSON_DEPTH) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** What is wrong with a parsed JSON line's values, or null: a number too large for a double (1e309 reads as Infinity). */
function oddJson(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `a number is out of range (beyond ±1.8e308, such as 1e309)`;
  if (typeof value !== 'object' || value === null) return null;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const odd = oddJson(v);
    if (odd !== null) return odd;
  }
  return null;
}
