import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';
import { parseResolution, scoreSeries } from '../detect/series-run.js';
import { inputBytes, WORKER_FROM_BYTES } from '../detect/series-scorer.js';
import type { Direction, SeriesScore } from '../detect/series.js';
import { writer } from '../render/index.js';
import { SERIES_CSV_LINE_MAX, SERIES_HEADER, seriesCsvLine, seriesSheet, writeSeriesCsvLine } from '../render/series.js';
import type { PointBatch, ScoreBatch } from '../detect/series-batch.js';
import { chooseFormat, log, processEnv, type GlobalOptions, type OutputOptions } from './env.js';
import { cutShort, noteBigTable, renderContext } from './output.js';
import { sensitivityFlag } from './flags.js';

export interface DetectCommandOptions extends OutputOptions {
  source?: string;
  sensitivity?: string;
  direction?: string;
  counts?: boolean;
  resolution?: string;
  allowNegative?: boolean;
}

const DIRECTIONS: readonly Direction[] = ['up', 'down', 'both'];
/** Size of the buffers the plain CSV is copied into. */
const OUT_BUFFER_BYTES = 1 << 19;

/**
 * `momentscan detect [FILE|-]`: scores a time series from elsewhere (CSV with a header, or NDJSON),
 * causally, one output row per input row, streaming in bounded memory (detect/series-run.ts).
 */
export async function run(g: GlobalOptions, o: DetectCommandOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o, 'csv');
  const ctx = await renderContext({ ...g, color: false }, o, env, env.now(), format);
  // plain CSV takes a fast path (a million rows); every other format goes through the shared writers
  const fmt = format === 'csv' && !ctx.fields ? null : writer(format, seriesSheet, ctx);
  const sensitivity = sensitivityFlag(o.sensitivity) ?? 'medium';
  const direction = (o.direction ?? 'both') as Direction;
  if (!DIRECTIONS.includes(direction)) throw new UsageError(`--direction: expected one of ${DIRECTIONS.join(', ')}, got "${o.direction}"`);
  // a bad --resolution is a usage error before anything is read or written (not after the header)
  if (o.resolution !== undefined) parseResolution(o.resolution);
  const stdin = !o.source || o.source === '-';
  // with no file and nothing piped in, it waited for the terminal in silence, as if it hung
  if (stdin && process.stdin.isTTY) {
    if (!o.source) throw new UsageError('no series given: name a file, or pipe one in', { hint: 'momentscan detect series.csv, or … | momentscan detect (detect - reads what you type, Ctrl-D to end)' });
    process.stderr.write('detect: reading the series from the terminal: a header line (timestamp,value), then the rows; Ctrl-D to end\n');
  }
  // a long series from a file is scored on a second core while this thread reads and writes; a pipe is
  // scored here, row by row, so that its output keeps up with its input
  const large = inputBytes(stdin ? 0 : o.source!) >= WORKER_FROM_BYTES;
  // (a long file is read as bytes: its common rows are read straight from them; so is stdin redirected from one)
  const input: Readable = stdin
    ? large
      ? process.stdin
      : process.stdin.setEncoding('utf8')
    : large
      ? createReadStream(o.source!, { highWaterMark: 1 << 16 })
      : createReadStream(o.source!, { encoding: 'utf8', highWaterMark: 1 << 14 });
  const out = process.stdout;
  // output goes out in batches: one write per row would cost more than scoring the row. The plain CSV
  // (ASCII only: timestamps, numbers, true/false, alert names) is copied line by line into buffers, which
  // costs less than joining a million strings and encoding the result
  let pending: string[] = [];
  const spilled: Buffer[] = [];
  let buf = Buffer.allocUnsafe(0);
  let used = 0;
  /** The CSV written so far goes out; the buffer's free rest takes what comes next. */
  const spill = () => {
    if (used === 0) return;
    spilled.push(buf.subarray(0, used));
    buf = buf.subarray(used);
    used = 0;
  };
  const put = (text: string) => {
    if (fmt) pending.push(text);
    else {
      if (used + text.length > buf.length) {
        spill();
        buf = Buffer.allocUnsafe(Math.max(OUT_BUFFER_BYTES, text.length));
      }
      used += buf.write(text, used, 'latin1');
    }
  };
  // the head goes out with the first row (or at the end): an input refused before any row is scored leaves
  // stdout empty, not a '[' that no ']' closes
  let headed = false;
  const head = () => {
    if (headed) return;
    headed = true;
    put(fmt ? fmt.head() : ctx.headers === false ? '' : SERIES_HEADER);
  };
  const flush = async () => {
    let ok = true;
    if (fmt) {
      const text = pending.join('');
      pending = [];
      if (text) ok = out.write(text);
    } else {
      spill();
      for (const b of spilled.splice(0)) ok = out.write(b);
    }
    if (!ok) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const totals = { rows: 0, flagged: 0, alerts: 0 };
  const emit = (s: SeriesScore) => {
    head();
    totals.rows++;
    if (s.moment) totals.flagged++;
    if (s.alert) totals.alerts++;
    put(fmt ? fmt.row(s) : seriesCsvLine(s));
  };
  // a long series' plain CSV: each batch of scores straight into the output's bytes (ScoreBatch's flags:
  // 1 moment, 16 onset, 32 growth)
  const emitBatch = (points: PointBatch, scores: ScoreBatch) => {
    head();
    for (let i = 0; i < points.t.length; i++) {
      const f = scores.flags[i]!;
      totals.rows++;
      if (f & 1) totals.flagged++;
      if (f & 48) totals.alerts++;
      if (used + SERIES_CSV_LINE_MAX > buf.length) {
        spill();
        buf = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
      }
      used = writeSeriesCsvLine(buf, used, points.t[i]!, points.value[i]!, scores.expected[i]!, scores.score[i]!, (f & 1) !== 0, f & 16 ? 'onset' : f & 32 ? 'growth' : null);
    }
  };
  const tty = process.stderr.isTTY;
  const series = scoreSeries(
    input,
    { name: stdin ? 'stdin' : o.source!, sensitivity, direction, allowNegative: Boolean(o.allowNegative), large, ...(o.resolution ? { resolution: o.resolution } : {}), ...(o.counts !== undefined ? { counts: o.counts } : {}) },
    { emit, ...(fmt ? {} : { emitBatch }), chunkDone: flush, warn: (message) => log(`momentscan: warning: ${message}`), resolved: (ms) => tty && process.stderr.write(`detect: resolution ${formatDuration(ms)}\n`) },
  );
  // a reader that stops reading (`| head`): stop too — the worker and the input would keep the process up
  let stopped = false;
  const stop = () => {
    stopped = true;
    series.stop();
  };
  out.once('error', stop);
  out.once('close', stop);
  try {
    await series.done;
  } catch (err) {
    // input that turns bad after rows went out (500 good rows, then 'x,abc'): those rows stay a complete
    // output, the JSON array closed, so that a script's parser reads them; the error says so, exit 2
    if (stopped || !headed) throw err;
    if (fmt) put(fmt.end());
    await flush();
    throw cutShort(err, totals.rows);
  }
  if (stopped) return 0;
  noteBigTable(format, totals.rows, g.quiet);
  head();
  if (fmt) put(fmt.end());
  await flush();
  if (tty) process.stderr.write(`detect: ${totals.rows} rows, ${totals.alerts} alerts at ${sensitivity} sensitivity, ${totals.flagged} rows in bursts\n`);
  return 0;
}
