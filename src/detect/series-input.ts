import { csvDelimiter, splitCsvRecord } from '../core/csv.js';
import { InputError } from '../core/errors.js';
import { daysInMonth, parseIsoTime, utcDay as utc } from '../core/time.js';
import type { SeriesPoint } from './series.js';

/**
 * Input of `momentscan detect [FILE|-]`: pure parsing helpers, fed one line at a time so the command
 * streams. A series is CSV with a header (`timestamp,value`, optional `sentiment` and `n` columns, any
 * order, RFC 4180 quoting, CRLF line ends) or NDJSON with those keys. Every problem is an InputError
 * naming the line: `line N: ...` (prefixed with the source's name when one is given).
 */

export { splitCsvRecord };

export type SeriesFormat = 'csv' | 'ndjson';

/** The longest line or record (a quoted field over several lines) taken, in characters: a series row is a few dozen. */
export const MAX_RECORD_CHARS = 1 << 20;

/** The error for a line or record over MAX_RECORD_CHARS, starting on line `lineNo` of `source`. */
export function recordTooLong(source: string | undefined, lineNo: number): InputError {
  return new InputError(`${source ? `${source}: ` : ''}line ${lineNo}: longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters`, {
    hint: 'give one timestamp,value row per line',
  });
}

/** CSV or NDJSON, from the first non-empty line (a JSON object starts with `{`). */
export function sniffSeriesFormat(firstLine: string): SeriesFormat {
  return firstLine.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;
/** Epoch numbers below this are seconds (up to the year 5138), above milliseconds. */
const EPOCH_MS_FROM = 1e11;
/** From here on microseconds (BigQuery's UNIX_MICROS, Python's time_ns() // 1000), and nanoseconds: both from 1973 on. */
const EPOCH_US_FROM = 1e14;
const EPOCH_NS_FROM = 1e17;
const MAX_TIME = 8.64e15;

/**
 * Epoch milliseconds of a timestamp, or null: ISO-8601 (`2026-11-20T12:00:00Z`, with an offset, or
 * without a zone = UTC; a date alone is midnight UTC), `YYYY-MM-DD HH:MM:SS` (UTC), or epoch seconds /
 * milliseconds / microseconds / nanoseconds (numbers from 1e11, 1e14, 1e17 on). Impossible dates (Feb 30, 25:00) are null.
 */
export function parseTimestamp(text: string): number | null {
  const fast = parseCommonTimestamp(text);
  if (fast !== null) return fast;
  const s = text.trim();
  if (s === '') return null;
  if (EPOCH.test(s)) {
    const n = Number(s);
    const a = Math.abs(n);
    // (milliseconds from 1e14 on would be past the year 5138: such a number is in micro- or nanoseconds)
    const ms = a < EPOCH_MS_FROM ? n * 1000 : a < EPOCH_US_FROM ? n : a < EPOCH_NS_FROM ? n / 1000 : n / 1e6;
    return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME ? Math.round(ms) : null;
  }
  // (BigQuery's and Snowflake's exports write a zone name after the time: "2026-03-01 14:00:00 UTC")
  return parseIsoTime(UTC_NAMED.test(s) ? s.replace(UTC_NAMED, 'Z') : s);
}

const UTC_NAMED = / ?(?:UTC|GMT)$/i;

/** The day (epoch ms) of the last `YYYY-MM-DD` seen: consecutive rows mostly share it. */
let cachedDay = '';
let cachedDayMs = NaN;

/**
 * Fast path for `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS[Z]` and `YYYY-MM-DDTHH:MM:SS.sssZ` (what
 * JavaScript's toISOString() writes); null if the text is not exactly one of those.
 */
function parseCommonTimestamp(s: string): number | null {
  const n = s.length;
  let millis = 0;
  if (n === 24) {
    // .sssZ
    const a = s.charCodeAt(20) - 48;
    const b = s.charCodeAt(21) - 48;
    const c = s.charCodeAt(22) - 48;
    if (s.charCodeAt(19) !== 46 || (s.charCodeAt(23) | 32) !== 122 || !(a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return null;
    millis = a * 100 + b * 10 + c;
  } else if (n !== 19 && !(n === 20 && (s.charCodeAt(19) | 32) === 122)) return null;
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 32 && (sep | 32) !== 116) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const d2 = (i: number) => {
    const a = s.charCodeAt(i) - 48;
    const b = s.charCodeAt(i + 1) - 48;
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
  };
  const hour = d2(11);
  const minute = d2(14);
  const second = d2(17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const dayText = s.slice(0, 10);
  if (dayText !== cachedDay) {
    const y = d2(0) * 100 + d2(2);
    const mo = d2(5);
    const d = d2(8);
    if (d2(0) < 0 || d2(2) < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
    cachedDay = dayText;
    cachedDayMs = utc(y, mo, d);
  }
  return cachedDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** The day (epoch ms) of the last `YYYY-MM-DD` read from bytes, and its bytes. */
const cachedDayBytes = new Uint8Array(10);
let cachedDayBytesMs = NaN;

/**
 * parseCommonTimestamp on bytes (the timestamp field of a row read straight from a Buffer): the same
 * formats, the same times; NaN if the bytes are not exactly one of those formats (then the text is read).
 */
function commonTimestampBytes(b: Uint8Array, at: number, n: number): number {
  let millis = 0;
  const digit = (i: number) => {
    const d = b[at + i]! - 48;
    return d >= 0 && d <= 9 ? d : -100;
  };
  if (n === 24) {
    // .sssZ
    const a = digit(20);
    const m = digit(21);
    const c = digit(22);
    if (b[at + 19] !== 46 || (b[at + 23]! | 32) !== 122 || a < 0 || m < 0 || c < 0) return NaN;
    millis = a * 100 + m * 10 + c;
  } else if (n !== 19 && !(n === 20 && (b[at + 19]! | 32) === 122)) return NaN;
  const sep = b[at + 10]!;
  if (b[at + 4] !== 45 || b[at + 7] !== 45 || (sep !== 32 && (sep | 32) !== 116) || b[at + 13] !== 58 || b[at + 16] !== 58) return NaN;
  const d2 = (i: number) => {
    const v = digit(i) * 10 + digit(i + 1);
    return v >= 0 ? v : -1;
  };
  const hour = d2(11);
  const minute = d2(14);
  const second = d2(17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  let same = true;
  for (let i = 0; i < 10 && same; i++) same = cachedDayBytes[i] === b[at + i];
  if (!same || Number.isNaN(cachedDayBytesMs)) {
    const y = d2(0) * 100 + d2(2);
    const mo = d2(5);
    const d = d2(8);
    if (d2(0) < 0 || d2(2) < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
    cachedDayBytes.set(b.subarray(at, at + 10));
    cachedDayBytesMs = utc(y, mo, d);
  }
  return cachedDayBytesMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** Digits of a value read straight from bytes: up to 15 (an exact whole number). */
const MAX_FAST_DIGITS = 15;

/** Does a record's line that starts inside a quoted field end inside one (splitCsvRecord's rules, `delimiter` a char code)? */
function stillQuoted(line: string, delimiter: number): boolean {
  let quoted = true;
  let atStart = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charCodeAt(i);
    if (quoted) {
      if (ch === 34) {
        if (line.charCodeAt(i + 1) === 34) i++;
        else quoted = false;
      }
    } else if (ch === 34 && atStart) {
      quoted = true;
      atStart = false;
    } else atStart = ch === delimiter;
  }
  return quoted;
}

const COLUMNS = ['timestamp', 'value', 'sentiment', 'n'] as const;
type Column = (typeof COLUMNS)[number];

/** Where each known column is in the CSV records (other columns are ignored). */
export interface CsvLayout {
  columns: Partial<Record<Column, number>> & { timestamp: number; value: number };
  width: number;
}

const HINT_CSV = 'give a CSV with a header line such as timestamp,value (optional sentiment and n columns), or NDJSON lines such as {"timestamp":"2026-11-20T12:00:00Z","value":3}';
const HINT_TIME = 'use ISO-8601 (2026-11-20T12:00:00Z), YYYY-MM-DD HH:MM:SS (UTC) or epoch seconds or milliseconds';
/** A date written day and month first (3/1/2026, 01.03.2026): not read, as 3/1 is 1 March in one country and 3 January in another. */
const DAY_MONTH_FIRST = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b/;
const HINT_DATE_ORDER = 'write dates year first, as 2026-03-01 14:00 (in Excel, format the column as yyyy-mm-dd hh:mm before saving)';
/** A time with its zone: Z, an offset (+01:00, -0500, +00) or a zone name (UTC). */
const ZONED = /(?:z|[+-]\d\d(?::?\d\d)?|utc|gmt)$/i;
/** Values spreadsheets and pandas write for a cell with no number. */
const MISSING = /^(?:nan|na|n\/a|#n\/a|null|none)$/i;
const HINT_MISSING = 'give a number for every row: fill the gap in (0 for a count; pandas: fillna(0)) or leave the row out';
/** A number written with a decimal comma (Excel where the delimiter is ;): 10,5. */
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

/** Reads a series line by line: CSV or NDJSON, checking every row and the order of the times. */
export class SeriesReader {
  private format: SeriesFormat | null = null;
  /** The CSV's delimiter, from its header line: `,`, or `;` (Excel where a comma is the decimal mark) or a tab. */
  private delimiter: ',' | ';' | '\t' = ',';
  private delimiterCode = 44;
  private layout: CsvLayout | null = null;
  /** A CSV record spread over several lines (a quoted line break), and the line it started on. */
  /** The lines of a record still open (a quoted field over line breaks), and their length. */
  private pending: string[] | null = null;
  private pendingChars = 0;
  private pendingLine = 0;
  private lastT = -Infinity;
  private lastLine = 0;
  /** The timestamp text of the row being read (point()), to tell a duplicate local time from its zone. */
  private timeText = '';
  private readonly prefix: string;
  private readonly allowNegative: boolean;
  private readonly countsOnly: boolean;
  private readonly source: string | undefined;
  /** Told of a gap of LONG_GAP_MS or more between two rows (the first few: see check). */
  private readonly gap: ((message: string) => void) | undefined;
  private gaps = 0;

  /**
   * `source` prefixes error messages; `allowNegative` accepts values below 0 (series that are not
   * counts or volumes, such as NAB's synthetic ones) — by default a negative value is an error;
   * `countsOnly` (`--counts`: the user says the values are counts) makes any value that is not a whole
   * number of 0 or more an error.
   */
  constructor(opts: { source?: string; allowNegative?: boolean; countsOnly?: boolean; gap?: (message: string) => void } = {}) {
    this.gap = opts.gap;
    this.prefix = opts.source ? `${opts.source}: ` : '';
    this.source = opts.source;
    this.allowNegative = opts.allowNegative ?? false;
    this.countsOnly = opts.countsOnly ?? false;
  }

  /** The input's format, once its first non-empty line has been read. */
  get detectedFormat(): SeriesFormat | null {
    return this.format;
  }

  /**
   * Takes input line `lineNo` (1-based, without its line break; a trailing CR is dropped) and returns
   * the point it completes, or null (header, blank line, or a record that goes on).
   */
  line(raw: string, lineNo: number): SeriesPoint | null {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.format === null) {
      text = text.replace(/^\uFEFF/, '');
      if (text.trim() === '') return null;
      this.format = sniffSeriesFormat(text);
      if (this.format === 'csv') {
        this.delimiter = csvDelimiter(text);
        this.delimiterCode = this.delimiter.charCodeAt(0);
      }
    }
    if (this.format === 'ndjson') {
      if (text.trim() === '') return null;
      return this.check(this.ndjson(text, lineNo), lineNo);
    }
    if (this.pending !== null) {
      // a record that goes on: only the new line is scanned, and the record is joined once, when it ends
      this.pendingChars += text.length + 1;
      if (this.pendingChars > MAX_RECORD_CHARS) throw recordTooLong(this.source, this.pendingLine);
      this.pending.push(text);
      if (stillQuoted(text, this.delimiterCode)) return null;
      text = this.pending.join('\n');
      lineNo = this.pendingLine;
    } else if (text.trim() === '') return null;
    const layout = this.layout;
    if (layout !== null && layout.width === 2 && this.pending === null) {
      // the common two-column record without quotes: no array of fields
      const comma = text.indexOf(this.delimiter);
      if (comma >= 0 && text.indexOf(this.delimiter, comma + 1) < 0 && !text.includes('"')) {
        const first = text.slice(0, comma);
        const second = text.slice(comma + 1);
        // a row of empty cells (Excel's ';' or ',' under the data) is a blank line
        if (first.trim() === '' && second.trim() === '') return null;
        const { timestamp } = layout.columns;
        return this.check(this.point(timestamp === 0 ? first : second, timestamp === 0 ? second : first, lineNo), lineNo);
      }
    }
    const fields = splitCsvRecord(text, this.delimiter);
    if (fields === null) {
      if (this.pending === null) {
        this.pending = [text];
        this.pendingChars = text.length;
        this.pendingLine = lineNo;
      }
      return null;
    }
    this.pending = null;
    if (this.layout !== null && fields.every((f) => f.trim() === '')) return null;
    if (this.layout === null) {
      this.layout = this.header(fields, lineNo);
      return null;
    }
    return this.check(this.csvRow(fields, lineNo), lineNo);
  }

  /** The time and value of the row fastRow() read last. */
  rowT = 0;
  rowValue = 0;

  /**
   * The common row read straight from bytes, without a string or an object: `b[start, end)` is line
   * `lineNo` (without its line break) of a two-column CSV whose header is read, holding exactly an
   * unquoted timestamp in one of parseCommonTimestamp's formats and a whole number of 0 or more (at most
   * 15 digits), in time order. True when it is such a row: its time and value are then in rowT and
   * rowValue, taken as line() takes them. False otherwise, with nothing changed: line() reads it (and
   * says what is wrong with it, if anything).
   */
  fastRow(b: Uint8Array, start: number, end: number, lineNo: number): boolean {
    const layout = this.layout;
    if (layout === null || layout.width !== 2 || this.pending !== null || this.format !== 'csv') return false;
    if (end > start && b[end - 1] === 13) end--;
    let comma = -1;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === this.delimiterCode) {
        if (comma >= 0) return false;
        comma = i;
      } else if (c === 34) return false;
    }
    if (comma < 0) return false;
    const timeFirst = layout.columns.timestamp === 0;
    const t = timeFirst ? commonTimestampBytes(b, start, comma - start) : commonTimestampBytes(b, comma + 1, end - comma - 1);
    // (a long gap: line() reads the row and tells of it)
    if (Number.isNaN(t) || !(t > this.lastT) || t - this.lastT >= LONG_GAP_MS) return false;
    const from = timeFirst ? comma + 1 : start;
    const to = timeFirst ? end : comma;
    if (to <= from || to - from > MAX_FAST_DIGITS) return false;
    let v = 0;
    for (let i = from; i < to; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) return false;
      v = v * 10 + d;
    }
    this.lastT = t;
    this.lastLine = lineNo;
    this.rowT = t;
    this.rowValue = v;
    return true;
  }

  /** Call at the end of the input: an unterminated quoted field is an error. */
  end(): void {
    if (this.pending !== null) throw this.error(this.pendingLine, 'a quoted field is not closed before the end of the input', HINT_CSV);
  }

  private error(lineNo: number, message: string, hint?: string): InputError {
    // a byte that is not UTF-8 (Latin-1's é, Windows-1252's €) was read as U+FFFD: the encoding is the problem, not the value
    if (message.includes('\uFFFD')) {
      return new InputError(`${this.prefix}line ${lineNo}: not UTF-8 text (a byte of another encoding, such as Latin-1 or Windows-1252), momentscan reads UTF-8`, {
        hint: 'save the series as UTF-8 (iconv -f latin1 -t utf-8, or Excel: Save as, CSV UTF-8)',
      });
    }
    return new InputError(`${this.prefix}line ${lineNo}: ${message}`, hint ? { hint } : {});
  }

  private header(fields: string[], lineNo: number): CsvLayout {
    if (fields.some((f) => f.includes('\0'))) throw this.notUtf8();
    const columns: Partial<Record<Column, number>> = {};
    fields.forEach((f, i) => {
      const name = f.trim().toLowerCase() as Column;
      if (!(COLUMNS as readonly string[]).includes(name)) return;
      if (columns[name] !== undefined) throw this.error(lineNo, `the header names the column "${name}" twice`, HINT_CSV);
      columns[name] = i;
    });
    if (columns.timestamp === undefined || columns.value === undefined) {
      const missing = ['timestamp', 'value'].filter((c) => columns[c as Column] === undefined).join(' and ');
      const looksLikeData = parseTimestamp(fields[0] ?? '') !== null;
      throw this.error(
        lineNo,
        looksLikeData ? `expected a header line naming the columns (timestamp,value), got data: "${truncate(fields.join(','))}"` : `the header has no ${missing} column (it has: ${truncate(fields.join(','))})`,
        // two columns named otherwise (date,count; Prophet's ds,y): renaming them is all it takes
        fields.length === 2 && !looksLikeData
          ? `name the columns timestamp and value in the header line (for this file: sed '1s/.*/timestamp${this.delimiter === '\t' ? '\\t' : this.delimiter}value/' ${this.fileWord()} | momentscan detect)`
          : HINT_CSV,
      );
    }
    return { columns: columns as CsvLayout['columns'], width: fields.length };
  }

  private csvRow(fields: string[], lineNo: number): SeriesPoint {
    const { columns, width } = this.layout!;
    if (fields.length !== width) throw this.error(lineNo, `expected ${width} fields as in the header, got ${fields.length}`, this.delimiter === ',' ? 'quote fields that contain commas' : `quote fields that contain the delimiter (${this.delimiter === ';' ? ';' : 'a tab'})`);
    const point = this.point(fields[columns.timestamp]!, fields[columns.value]!, lineNo);
    if (columns.sentiment !== undefined) point.sentiment = this.sentiment(fields[columns.sentiment]!, lineNo);
    if (columns.n !== undefined) point.n = this.count(fields[columns.n]!, lineNo);
    return point;
  }

  private point(timestamp: string, value: string, lineNo: number): SeriesPoint {
    const t = parseTimestamp(timestamp);
    if (t === null) throw this.error(lineNo, `cannot read the timestamp "${truncate(timestamp)}"`, DAY_MONTH_FIRST.test(timestamp.trim()) ? HINT_DATE_ORDER : HINT_TIME);
    this.timeText = timestamp;
    return { t, value: this.value(value, lineNo) };
  }

  /** The input as a command line names it: its path, quoted for the shell where needed, or FILE for stdin. */
  private fileWord(): string {
    return this.source && this.source !== 'stdin' ? shellWord(this.source) : 'FILE';
  }

  /** UTF-16 (Excel's "Unicode text", Notepad's "Unicode") read as UTF-8: a NUL after every ASCII character. */
  private notUtf8(): InputError {
    return new InputError(`${this.prefix}the series is UTF-16 text (or not text at all), momentscan reads UTF-8`, { hint: 'save it as UTF-8 (Excel: Save as, CSV UTF-8)' });
  }

  private ndjson(text: string, lineNo: number): SeriesPoint {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      if (text.includes('\0')) throw this.notUtf8();
      throw this.error(lineNo, `not valid JSON (${(err as Error).message})`, HINT_CSV);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw this.error(lineNo, 'expected a JSON object with "timestamp" and "value"', HINT_CSV);
    const o = obj as Record<string, unknown>;
    if (o.timestamp === null) throw this.error(lineNo, 'the timestamp is missing (null)', 'give a time for every row, or leave the row out');
    if (o.timestamp === undefined || o.value === undefined) {
      // what the line has instead (another tool's "time" and "count"), and how jq renames them
      const keys = Object.keys(o);
      const has = keys.length > 0 ? `it has ${keys.slice(0, 8).map((k) => JSON.stringify(truncate(k, 40))).join(', ')}${keys.length > 8 ? ', …' : ''}` : 'it is {}';
      const name = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `.[${JSON.stringify(k)}]`);
      const time = o.timestamp === undefined ? keys.find((k) => k !== 'value' && (typeof o[k] === 'string' || typeof o[k] === 'number') && parseTimestamp(String(o[k])) !== null) : 'timestamp';
      const value = o.value === undefined ? keys.find((k) => k !== time && k !== 'timestamp' && typeof o[k] === 'number') : 'value';
      throw this.error(
        lineNo,
        `no "${o.timestamp === undefined ? 'timestamp' : 'value'}" (${has})`,
        time && value ? `name them timestamp and value (for this file: jq -c '{timestamp: ${name(time)}, value: ${name(value)}}' ${this.fileWord()} | momentscan detect)` : HINT_CSV,
      );
    }
    // (pandas' to_json writes a missing value, NaN, as null)
    if (o.value === null) throw this.error(lineNo, 'the value is missing (null)', HINT_MISSING);
    if (typeof o.timestamp !== 'string' && typeof o.timestamp !== 'number') throw this.error(lineNo, `cannot read the timestamp ${truncate(JSON.stringify(o.timestamp))}`, HINT_TIME);
    const t = parseTimestamp(String(o.timestamp));
    if (t === null) throw this.error(lineNo, `cannot read the timestamp ${truncate(JSON.stringify(o.timestamp))}`, DAY_MONTH_FIRST.test(String(o.timestamp).trim()) ? HINT_DATE_ORDER : HINT_TIME);
    this.timeText = String(o.timestamp);
    const field = (v: unknown) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
    const point: SeriesPoint = { t, value: this.value(field(o.value), lineNo) };
    if (o.sentiment !== undefined) point.sentiment = this.sentiment(field(o.sentiment), lineNo);
    if (o.n !== undefined) point.n = this.count(field(o.n), lineNo);
    return point;
  }

  private value(text: string, lineNo: number): number {
    const s = text.trim();
    if (s === '') throw this.error(lineNo, 'the value is missing', HINT_MISSING);
    if (MISSING.test(s)) throw this.error(lineNo, `the value is missing ("${s}")`, HINT_MISSING);
    const v = this.number(s);
    if (!Number.isFinite(v)) {
      // "1,234" or "10,5" in a comma-separated file (a spreadsheet's formatted cell, Google Sheets in a German locale): a comma can be either
      const comma = /^[+-]?[\d.,]*,[\d.,]*$/.test(s);
      throw this.error(
        lineNo,
        `the value "${truncate(s)}" is not a number`,
        comma ? 'write numbers with a decimal point and no thousands separators (1234.5), or separate the fields with ; (where 10,5 is read as 10.5)' : 'give a number of 0 or more for every row',
      );
    }
    if (this.countsOnly && !(Number.isInteger(v) && v >= 0)) {
      throw this.error(lineNo, `the value ${s} is not a count`, '--counts says the values are counts of events, whole numbers of 0 or more; for a series of measurements, pass --no-counts (or leave --counts out)');
    }
    if (v < 0 && !this.allowNegative) {
      throw this.error(lineNo, `the value ${s} is negative`, 'values are counts or volumes, 0 or more; for a series that is not a count, pass --allow-negative');
    }
    return v;
  }

  private sentiment(text: string, lineNo: number): number | null {
    const s = text.trim();
    if (s === '' || MISSING.test(s)) return null;
    const v = this.number(s);
    if (!Number.isFinite(v)) throw this.error(lineNo, `the sentiment "${truncate(s)}" is not a number`, 'give a number (or leave it empty)');
    return v;
  }

  /** A number as written in the file: where the delimiter is ; or a tab, a decimal comma (10,5) is a decimal point. */
  private number(s: string): number {
    return this.delimiter !== ',' && DECIMAL_COMMA.test(s) ? Number(s.replace(',', '.')) : Number(s);
  }

  private count(text: string, lineNo: number): number | null {
    const s = text.trim();
    if (s === '' || MISSING.test(s)) return null;
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) throw this.error(lineNo, `n "${truncate(s)}" is not a whole number of 0 or more`, 'n is the number of items behind the row (or leave it empty)');
    return v;
  }

  /** Times must go strictly forward. */
  private check(p: SeriesPoint, lineNo: number): SeriesPoint {
    if (p.t === this.lastT) {
      // local times written without their zone (read as UTC) repeat an hour where clocks go back
      const local = !ZONED.test(this.timeText.trim()) && !EPOCH.test(this.timeText.trim());
      throw this.error(
        lineNo,
        `duplicate time ${new Date(p.t).toISOString()} (also on line ${this.lastLine})`,
        local ? 'give one row per time, in time order; times without a zone are read as UTC, and local times repeat an hour where clocks go back: write them in UTC or with their offset (+01:00)' : 'give one row per time, in time order',
      );
    }
    if (p.t < this.lastT) {
      throw this.error(lineNo, `out of order: ${new Date(p.t).toISOString()} comes before ${new Date(this.lastT).toISOString()} on line ${this.lastLine}`, 'sort the rows by time');
    }
    // a year or more between two rows (a typo in a year, two series in one file): the rows after it are
    // judged on a history that says little about them; said for the first few, with their lines
    if (p.t - this.lastT >= LONG_GAP_MS && this.lastT !== -Infinity && this.gap && ++this.gaps <= MAX_GAPS_TOLD) {
      this.gap(
        `${this.prefix}line ${lineNo}: ${new Date(p.t).toISOString()} is ${gapText(p.t - this.lastT)} after ${new Date(this.lastT).toISOString()} on line ${this.lastLine}: ` +
          `the rows after it are judged on the history before it — check the year, or split the series there${this.gaps === MAX_GAPS_TOLD ? ' (further gaps are not listed)' : ''}`,
      );
    }
    this.lastT = p.t;
    this.lastLine = lineNo;
    return p;
  }
}

/** A gap between two rows this long or longer is told of (a year). */
export const LONG_GAP_MS = 365 * 86_400_000;
const MAX_GAPS_TOLD = 3;

/** "1,000 years", "2.5 years", "400 days". */
function gapText(ms: number): string {
  const years = ms / (365.25 * 86_400_000);
  return years >= 10 ? `${Math.round(years).toLocaleString('en-US')} years` : years >= 1.95 ? `${years.toFixed(1)} years` : `${Math.round(ms / 86_400_000)} days`;
}

/** A path as a shell reads it: as it is when plain, else in single quotes. */
function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
