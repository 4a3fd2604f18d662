import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { SENSITIVITIES, type Sensitivity } from '../config/schema.js';
import { InputError, UsageError } from '../core/errors.js';
import { formatDuration, iso } from '../core/time.js';
import { inferResolution, SeriesDetector, type SeriesPoint, type SeriesScore } from '../detect/series.js';
import { streamFormatter, type StreamFormat } from '../render/stream.js';
import type { GlobalOptions } from './context.js';
import { SeriesReader } from './detect-input.js';

export interface DetectCommandOptions {
  source?: string;
  format?: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  sensitivity?: string;
  resolution?: string;
  allowNegative?: boolean;
  fields?: string;
  headers?: boolean;
}

/** Rows read before the resolution is inferred (then everything streams). */
const SNIFF_ROWS = 500;

let isoDay = NaN;
let isoPrefix = '';
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
/** "HH:MM:SSZ" per second of the day, made when first needed. */
const clock: string[] = [];
/** iso() for a million rows: the date part is formatted once per day, the time once per time of day. */
function fastIso(t: number): string {
  const day = Math.floor(t / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const s = Math.floor((t - day * 86_400_000) / 1000);
  return isoPrefix + (clock[s] ??= `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}Z`);
}

function row(s: SeriesScore): Record<string, unknown> {
  return {
    timestamp: s.t % 1000 === 0 ? fastIso(s.t) : iso(s.t),
    value: s.value,
    expected: s.expected === null ? null : Math.round(s.expected * 1000) / 1000,
    score: Math.round(s.score * 10_000) / 10_000,
    moment: s.moment,
    learning: s.learning,
  };
}

/**
 * `momentscan detect [FILE|-]`: scores a time series from elsewhere (CSV with a header, or NDJSON),
 * causally, one output row per input row, streaming in bounded memory.
 */
export async function run(_g: GlobalOptions, o: DetectCommandOptions): Promise<number> {
  const formats = [o.format, o.json && 'json', o.ndjson && 'ndjson', o.csv && 'csv'].filter(Boolean) as string[];
  if (new Set(formats).size > 1) throw new UsageError(`choose one output format, not ${formats.join(' and ')}`);
  const format = formats[0] ?? 'csv';
  if (!['csv', 'tsv', 'markdown', 'json', 'ndjson', 'table'].includes(format)) {
    throw new UsageError(`--format: detect writes csv, tsv, markdown, json, ndjson or table, not "${format}"`);
  }
  const flat = ['timestamp', 'value', 'expected', 'score', 'moment'];
  const picked = o.fields ? o.fields.split(',').map((f) => f.trim()).filter(Boolean) : null;
  const known = [...flat, 'learning'];
  const unknownField = picked?.find((f) => !known.includes(f));
  if (unknownField) throw new UsageError(`--fields: no field named "${unknownField}"`, { hint: `fields are: ${known.join(', ')}` });
  // plain CSV takes a fast path (a million rows); everything else goes through the shared stream formatter
  const fastCsv = format === 'csv' && !picked;
  const stream =
    format === 'table' || fastCsv ? null : streamFormatter(format as StreamFormat, picked ?? (format === 'json' || format === 'ndjson' ? known : flat), { picked: picked !== null, headers: o.headers !== false });
  const sensitivity = (o.sensitivity ?? 'medium') as Sensitivity;
  if (!SENSITIVITIES.includes(sensitivity)) throw new UsageError(`--sensitivity: expected one of ${SENSITIVITIES.join(', ')}, got "${o.sensitivity}"`);
  const stdin = !o.source || o.source === '-';
  const name = stdin ? 'stdin' : o.source!;
  const input: Readable = stdin ? process.stdin : createReadStream(o.source!, { encoding: 'utf8', highWaterMark: 1 << 14 });
  if (stdin) process.stdin.setEncoding('utf8');
  const reader = new SeriesReader({ source: name, allowNegative: Boolean(o.allowNegative) });
  const out = process.stdout;
  // output goes out in batches: one write per row would cost more than scoring the row
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const write = async (s: string) => {
    pending.push(s);
    if (pending.length >= 8192) await flush();
  };
  let detector: SeriesDetector | null = null;
  const buffered: SeriesPoint[] = [];
  const table: SeriesScore[] = [];
  let rows = 0;
  let flagged = 0;
  const emit = (s: SeriesScore) => {
    rows++;
    if (s.moment) flagged++;
    if (format === 'table') return void table.push(s);
    if (stream) return void pending.push(stream.row(row(s)));
    if (fastCsv) {
      // straight to text: no record object per row
      const expected = s.expected === null ? '' : Math.round(s.expected * 1000) / 1000;
      pending.push(`${s.t % 1000 === 0 ? fastIso(s.t) : iso(s.t)},${s.value},${expected},${Math.round(s.score * 10_000) / 10_000},${s.moment}\n`);
      return;
    }
  };
  const start = () => {
    const resolutionMs = o.resolution ? parseResolution(o.resolution) : inferResolution(buffered);
    detector = new SeriesDetector({ resolutionMs, sensitivity });
    if (process.stderr.isTTY) process.stderr.write(`detect: resolution ${formatDuration(resolutionMs)}\n`);
    for (const p of buffered.splice(0)) emit(detector.push(p));
  };
  if (fastCsv && o.headers !== false) await write('timestamp,value,expected,score,moment\n');
  if (stream) await write(stream.header());
  let lineNo = 0;
  // synchronous per line (a promise per line would cost more than scoring it); output is flushed per chunk
  const take = (line: string) => {
    lineNo++;
    const p = reader.line(line, lineNo);
    if (!p) return;
    if (detector) emit(detector.push(p));
    else {
      buffered.push(p);
      if (buffered.length >= SNIFF_ROWS) start();
    }
  };
  try {
    // chunks split into lines by hand: readline's per-line promises cost more than the scoring
    let rest = '';
    for await (const chunk of input) {
      const text = rest + (typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'));
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) take(line);
      await flush();
    }
    if (rest !== '') take(rest);
    reader.end();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: file not found`, { hint: 'check the path, or pipe the series in with -' });
    throw err;
  }
  if (!detector) {
    if (buffered.length < 2) throw new InputError(`${name}: needs at least two rows to tell the resolution`, { hint: 'give a longer series' });
    start();
  }
  if (stream) await write(stream.footer());
  await flush();
  if (format === 'table') {
    const { default: Table } = await import('cli-table3');
    const t = new Table({ head: ['Timestamp (UTC)', 'Value', 'Expected', 'Score', 'Moment'], style: { head: [], border: [] } });
    for (const s of table) {
      const r = row(s);
      t.push([String(r.timestamp), String(r.value), r.expected === null ? 'learning' : String(r.expected), String(r.score), s.moment ? 'yes' : '']);
    }
    await write(`${t.toString()}\n`);
    await flush();
  }
  if (process.stderr.isTTY) process.stderr.write(`detect: ${rows} rows, ${flagged} at or above the ${sensitivity} threshold\n`);
  return 0;
}

function parseResolution(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--resolution: expected 5m, 30m, 1h, 1d..., got "${text}"`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
