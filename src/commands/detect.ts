import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { SENSITIVITIES, type Sensitivity } from '../config/schema.js';
import { InputError, UsageError } from '../core/errors.js';
import { formatDuration, iso } from '../core/time.js';
import { inferResolution, SeriesDetector, type SeriesPoint, type SeriesScore } from '../detect/series.js';
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
}

/** Rows read before the resolution is inferred (then everything streams). */
const SNIFF_ROWS = 500;

function row(s: SeriesScore): Record<string, unknown> {
  return {
    timestamp: iso(s.t),
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
  if (!['csv', 'json', 'ndjson', 'table'].includes(format)) throw new UsageError(`--format: detect writes csv, json, ndjson or table, not "${format}"`);
  const sensitivity = (o.sensitivity ?? 'medium') as Sensitivity;
  if (!SENSITIVITIES.includes(sensitivity)) throw new UsageError(`--sensitivity: expected one of ${SENSITIVITIES.join(', ')}, got "${o.sensitivity}"`);
  const stdin = !o.source || o.source === '-';
  const name = stdin ? 'stdin' : o.source!;
  const input: Readable = stdin ? process.stdin : createReadStream(o.source!, { encoding: 'utf8' });
  const reader = new SeriesReader({ source: name, allowNegative: Boolean(o.allowNegative) });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const out = process.stdout;
  const write = async (s: string) => {
    if (!out.write(s)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  let detector: SeriesDetector | null = null;
  const buffered: SeriesPoint[] = [];
  const table: SeriesScore[] = [];
  let first = true;
  let rows = 0;
  let flagged = 0;
  const emit = async (s: SeriesScore) => {
    rows++;
    if (s.moment) flagged++;
    if (format === 'table') return void table.push(s);
    const r = row(s);
    if (format === 'csv') await write(`${r.timestamp},${r.value},${r.expected ?? ''},${r.score},${r.moment}\n`);
    else if (format === 'ndjson') await write(`${JSON.stringify(r)}\n`);
    else {
      await write(`${first ? '[\n  ' : ',\n  '}${JSON.stringify(r)}`);
      first = false;
    }
  };
  const start = async () => {
    const resolutionMs = o.resolution ? parseResolution(o.resolution) : inferResolution(buffered);
    detector = new SeriesDetector({ resolutionMs, sensitivity });
    if (process.stderr.isTTY) process.stderr.write(`detect: resolution ${formatDuration(resolutionMs)}\n`);
    for (const p of buffered.splice(0)) await emit(detector.push(p));
  };
  if (format === 'csv') await write('timestamp,value,expected,score,moment\n');
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const p = reader.line(line, lineNo);
      if (!p) continue;
      if (detector) await emit((detector as SeriesDetector).push(p));
      else {
        buffered.push(p);
        if (buffered.length >= SNIFF_ROWS) await start();
      }
    }
    reader.end();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: file not found`, { hint: 'check the path, or pipe the series in with -' });
    throw err;
  }
  if (!detector) {
    if (buffered.length < 2) throw new InputError(`${name}: needs at least two rows to tell the resolution`, { hint: 'give a longer series' });
    await start();
  }
  if (format === 'json') await write(first ? '[]\n' : '\n]\n');
  if (format === 'table') {
    const { default: Table } = await import('cli-table3');
    const t = new Table({ head: ['Timestamp (UTC)', 'Value', 'Expected', 'Score', 'Moment'], style: { head: [], border: [] } });
    for (const s of table) {
      const r = row(s);
      t.push([String(r.timestamp), String(r.value), r.expected === null ? 'learning' : String(r.expected), String(r.score), s.moment ? 'yes' : '']);
    }
    await write(`${t.toString()}\n`);
  }
  if (process.stderr.isTTY) process.stderr.write(`detect: ${rows} rows, ${flagged} at or above the ${sensitivity} threshold\n`);
  return 0;
}

function parseResolution(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--resolution: expected 5m, 30m, 1h, 1d..., got "${text}"`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
