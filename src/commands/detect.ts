import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';
import { parseResolution, scoreSeries } from '../detect/series-run.js';
import { inputBytes, WORKER_FROM_BYTES } from '../detect/series-scorer.js';
import type { Direction, SeriesScore } from '../detect/series.js';
import { writer } from '../render/index.js';
import { SERIES_HEADER, seriesCsvLine, seriesSheet } from '../render/series.js';
import { chooseFormat, noteBigTable, processEnv, renderContext, type GlobalOptions, type OutputOptions } from './context.js';
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

/**
 * `momentscan detect [FILE|-]`: scores a time series from elsewhere (CSV with a header, or NDJSON),
 * causally, one output row per input row, streaming in bounded memory (detect/series-run.ts).
 */
export async function run(g: GlobalOptions, o: DetectCommandOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o, 'csv');
  const ctx = renderContext({ ...g, color: false }, o, env, env.now());
  // plain CSV takes a fast path (a million rows); every other format goes through the shared writers
  const fmt = format === 'csv' && !ctx.fields ? null : writer(format, seriesSheet, ctx);
  const sensitivity = sensitivityFlag(o.sensitivity) ?? 'medium';
  const direction = (o.direction ?? 'both') as Direction;
  if (!DIRECTIONS.includes(direction)) throw new UsageError(`--direction: expected one of ${DIRECTIONS.join(', ')}, got "${o.direction}"`);
  // a bad --resolution is a usage error before anything is read or written (not after the header)
  if (o.resolution !== undefined) parseResolution(o.resolution);
  const stdin = !o.source || o.source === '-';
  // a long series from a file is scored on a second core while this thread reads and writes; a pipe is
  // scored here, row by row, so that its output keeps up with its input
  const large = inputBytes(stdin ? 0 : o.source!) >= WORKER_FROM_BYTES;
  const input: Readable = stdin ? process.stdin.setEncoding('utf8') : createReadStream(o.source!, { encoding: 'utf8', highWaterMark: 1 << 14 });
  const out = process.stdout;
  // output goes out in batches: one write per row would cost more than scoring the row
  let pending: string[] = [fmt ? fmt.head() : ctx.headers === false ? '' : SERIES_HEADER];
  const flush = async () => {
    const text = pending.join('');
    pending = [];
    if (text && !out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  const totals = { rows: 0, flagged: 0, alerts: 0 };
  const emit = (s: SeriesScore) => {
    totals.rows++;
    if (s.moment) totals.flagged++;
    if (s.alert) totals.alerts++;
    pending.push(fmt ? fmt.row(s) : seriesCsvLine(s));
  };
  const tty = process.stderr.isTTY;
  const series = scoreSeries(
    input,
    { name: stdin ? 'stdin' : o.source!, sensitivity, direction, allowNegative: Boolean(o.allowNegative), large, ...(o.resolution ? { resolution: o.resolution } : {}), ...(o.counts !== undefined ? { counts: o.counts } : {}) },
    { emit, chunkDone: flush, resolved: (ms) => tty && process.stderr.write(`detect: resolution ${formatDuration(ms)}\n`) },
  );
  // a reader that stops reading (`| head`): stop too — the worker and the input would keep the process up
  let stopped = false;
  const stop = () => {
    stopped = true;
    series.stop();
  };
  out.once('error', stop);
  out.once('close', stop);
  await series.done;
  if (stopped) return 0;
  noteBigTable(format, totals.rows, g.quiet);
  if (fmt) pending.push(fmt.end());
  await flush();
  if (tty) process.stderr.write(`detect: ${totals.rows} rows, ${totals.alerts} alerts at ${sensitivity} sensitivity, ${totals.flagged} rows in bursts\n`);
  return 0;
}
