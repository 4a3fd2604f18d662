import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { SENSITIVITIES, type Sensitivity } from '../config/schema.js';
import { InputError, UsageError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';
import { inlineScorer, inputBytes, type Scorer, WORKER_FROM_BYTES, workerScorer } from '../detect/series-scorer.js';
import { type Direction, inferResolution, looksLikeCounts, type SeriesOptions, type SeriesPoint, type SeriesScore } from '../detect/series.js';
import { writer } from '../render/index.js';
import { SERIES_HEADER, seriesCsvLine, seriesSheet } from '../render/series.js';
import { chooseFormat, noteBigTable, processEnv, renderContext, type GlobalOptions, type OutputOptions } from './context.js';
import { MAX_RECORD_CHARS, recordTooLong, SeriesReader } from '../detect/series-input.js';

export interface DetectCommandOptions extends OutputOptions {
  source?: string;
  sensitivity?: string;
  direction?: string;
  counts?: boolean;
  resolution?: string;
  allowNegative?: boolean;
}

const DIRECTIONS: readonly Direction[] = ['up', 'down', 'both'];

/** Rows read before the resolution is inferred (then everything streams). */
const SNIFF_ROWS = 500;

/**
 * `momentscan detect [FILE|-]`: scores a time series from elsewhere (CSV with a header, or NDJSON),
 * causally, one output row per input row, streaming in bounded memory.
 */
export async function run(g: GlobalOptions, o: DetectCommandOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o, 'csv');
  const ctx = renderContext({ ...g, color: false }, o, env, env.now());
  // plain CSV takes a fast path (a million rows); every other format goes through the shared writers
  const fmt = format === 'csv' && !ctx.fields ? null : writer(format, seriesSheet, ctx);
  const sensitivity = (o.sensitivity ?? 'medium') as Sensitivity;
  if (!SENSITIVITIES.includes(sensitivity)) throw new UsageError(`--sensitivity: expected one of ${SENSITIVITIES.join(', ')}, got "${o.sensitivity}"`);
  const direction = (o.direction ?? 'both') as Direction;
  if (!DIRECTIONS.includes(direction)) throw new UsageError(`--direction: expected one of ${DIRECTIONS.join(', ')}, got "${o.direction}"`);
  const stdin = !o.source || o.source === '-';
  const name = stdin ? 'stdin' : o.source!;
  // a long series from a file is scored on a second core while this thread reads and writes; a pipe is
  // scored here, row by row, so that its output keeps up with its input
  const large = inputBytes(stdin ? 0 : o.source!) >= WORKER_FROM_BYTES;
  const input: Readable = stdin ? process.stdin : createReadStream(o.source!, { encoding: 'utf8', highWaterMark: 1 << 14 });
  if (stdin) process.stdin.setEncoding('utf8');
  const reader = new SeriesReader({ source: name, allowNegative: Boolean(o.allowNegative) });
  const out = process.stdout;
  // a reader that stops reading (`| head`): stop too — the worker and the input would keep the process up
  let scorer = null as Scorer | null; // (set in take(), a closure: not narrowed to null)
  let stopped = false;
  const stop = () => {
    stopped = true;
    void scorer?.close();
    input.destroy();
  };
  out.once('error', stop);
  out.once('close', stop);
  // output goes out in batches: one write per row would cost more than scoring the row
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const write = async (s: string) => {
    if (s) pending.push(s);
    if (pending.length >= 8192) await flush();
  };
  const buffered: SeriesPoint[] = [];
  let rows = 0;
  let flagged = 0;
  let alerts = 0;
  const emit = (s: SeriesScore) => {
    rows++;
    if (s.moment) flagged++;
    if (s.alert) alerts++;
    pending.push(fmt ? fmt.row(s) : seriesCsvLine(s));
  };
  /** The scorer, once the rows read so far tell the resolution; they are scored first. */
  const start = (): Scorer => {
    const resolutionMs = o.resolution ? parseResolution(o.resolution) : inferResolution(buffered);
    // counts are judged in quarter hours, as topics are (looksLikeCounts: from the rows read so far)
    const options: SeriesOptions = { resolutionMs, sensitivity, direction, counts: o.counts ?? looksLikeCounts(buffered) };
    const started = large ? workerScorer(options, emit) : inlineScorer(options, emit);
    if (process.stderr.isTTY) process.stderr.write(`detect: resolution ${formatDuration(resolutionMs)}\n`);
    for (const p of buffered.splice(0)) started.push(p);
    return started;
  };
  await write(fmt ? fmt.head() : ctx.headers === false ? '' : SERIES_HEADER);
  let lineNo = 0;
  // synchronous per line (a promise per line would cost more than scoring it); output is flushed per chunk
  const take = (line: string) => {
    lineNo++;
    const p = reader.line(line, lineNo);
    if (!p) return;
    if (scorer) scorer.push(p);
    else {
      buffered.push(p);
      if (buffered.length >= SNIFF_ROWS) scorer = start();
    }
  };
  try {
    // chunks split into lines by hand: readline's per-line promises cost more than the scoring
    // the unfinished line is kept in pieces until a line break comes (joining per chunk is quadratic), and bounded
    let rest: string[] = [];
    let restChars = 0;
    for await (const chunk of input) {
      const piece = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      if (!piece.includes('\n')) {
        rest.push(piece);
        restChars += piece.length;
        if (restChars > MAX_RECORD_CHARS) throw recordTooLong(name, lineNo + 1);
        continue;
      }
      const lines = (rest.length ? rest.join('') + piece : piece).split('\n');
      const last = lines.pop()!;
      rest = [last];
      restChars = last.length;
      for (const line of lines) {
        if (line.length > MAX_RECORD_CHARS) throw recordTooLong(name, lineNo + 1);
        take(line);
      }
      if (restChars > MAX_RECORD_CHARS) throw recordTooLong(name, lineNo + 1);
      if (scorer) await scorer.settle(false);
      await flush();
    }
    if (restChars > 0) take(rest.join(''));
    reader.end();
    if (!scorer) {
      if (buffered.length < 2) throw new InputError(`${name}: needs at least two rows to tell the resolution`, { hint: 'give a longer series' });
      scorer = start();
    }
    await scorer.settle(true);
  } catch (err) {
    if (stopped) return 0; // the reader went away: nothing more to say
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: file not found`, { hint: 'check the path, or pipe the series in with -' });
    throw err;
  } finally {
    await scorer?.close();
  }
  noteBigTable(format, rows, g.quiet);
  if (fmt) await write(fmt.end());
  await flush();
  if (process.stderr.isTTY) process.stderr.write(`detect: ${rows} rows, ${alerts} alerts at ${sensitivity} sensitivity, ${flagged} rows in bursts\n`);
  return 0;
}

function parseResolution(text: string): number {
  const m = /^0*([1-9]\d{0,6})(m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--resolution: expected 5m, 30m, 1h, 1d... (at least 1m), got "${text}"`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

