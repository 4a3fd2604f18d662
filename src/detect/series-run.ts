import type { Readable } from 'node:stream';
import { InputError, inputFileError, UsageError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';
import { byteLineBatches, lineBatches } from '../parse/lines.js';
import { MAX_RECORD_CHARS, recordTooLong, SeriesReader } from './series-input.js';
import type { PointBatch, ScoreBatch } from './series-batch.js';
import { inlineScorer, type Scorer, seriesKind, workerScorer } from './series-scorer.js';
import { inferResolution, looksLikeCounts, type SeriesOptions, type SeriesPoint, type SeriesScore } from './series.js';

/**
 * `momentscan detect`'s stage: a series read line by line from a stream and scored causally, each score
 * handed to `emit` in input order, in bounded memory. The resolution is inferred from the first rows
 * (SNIFF_ROWS) unless given; a long file is scored on a second thread (`large`).
 */

/** Rows read before the resolution is inferred (then everything streams). */
const SNIFF_ROWS = 500;

export interface SeriesRunOptions extends Omit<SeriesOptions, 'resolutionMs' | 'counts'> {
  /** The input's name in errors (a path, or stdin). */
  name: string;
  /** --resolution as typed; inferred from the timestamps when absent. */
  resolution?: string;
  counts?: boolean;
  allowNegative: boolean;
  /**
   * Score on a worker thread (a long file). The input is then read as bytes (a stream without an
   * encoding), and its common rows straight from them (SeriesReader.fastRow).
   */
  large: boolean;
}

export interface SeriesRunHooks {
  emit: (s: SeriesScore) => void;
  /** With `large`: the scores of a batch of rows at once, instead of a call to `emit` per row (rows in order). */
  emitBatch?: (points: PointBatch, scores: ScoreBatch) => void;
  /** Called after each chunk of input is scored (the caller writes out what was emitted). */
  chunkDone: () => Promise<void>;
  /** A warning about the input (a long gap between two rows), for stderr. */
  warn?: (message: string) => void;
  /** The resolution, once known. */
  resolved?: (resolutionMs: number) => void;
}

export interface SeriesRun {
  done: Promise<void>;
  /** Stops reading and scoring (the output went away); `done` then resolves quietly. */
  stop(): void;
}

export function scoreSeries(input: Readable, o: SeriesRunOptions, hooks: SeriesRunHooks): SeriesRun {
  const reader = new SeriesReader({ source: o.name, allowNegative: o.allowNegative, countsOnly: o.counts === true, ...(hooks.warn ? { gap: hooks.warn } : {}) });
  let scorer = null as Scorer | null; // (set in take(), a closure: not narrowed to null)
  let stopped = false;
  const buffered: SeriesPoint[] = [];
  /** The line of each buffered row (to name rows in an error). */
  const bufferedLines: number[] = [];
  /** The scorer, once the rows read so far tell the resolution; they are scored first. */
  const start = (): Scorer => {
    // rows seconds apart: finer than anything detect judges (--resolution takes 1m at least), so every row
    // would be judged on a few minutes' history and never alert: said, not scored
    const inferred = inferResolution(buffered);
    if (buffered.length >= 2 && inferred < MIN_RESOLUTION_MS) {
      const i = Math.max(1, buffered.findIndex((p, k) => k > 0 && p.t - buffered[k - 1]!.t < MIN_RESOLUTION_MS));
      throw new InputError(
        `${o.name}: the rows are ${formatDuration(inferred)} apart (line ${bufferedLines[i - 1]} at ${new Date(buffered[i - 1]!.t).toISOString()}, line ${bufferedLines[i]} at ${new Date(buffered[i]!.t).toISOString()}): detect judges series of one row a minute or coarser`,
        { hint: 'add the values up per minute (or per 5 minutes, an hour...) first' },
      );
    }
    const resolutionMs = o.resolution ? parseResolution(o.resolution) : inferred;
    // a --resolution the rows contradict (1m on hourly rows): each row is judged as one step, so the day's
    // and week's seasons, the warm-up and the quarter hours are counted wrong — said, then done as asked
    if (o.resolution && buffered.length >= 2 && (resolutionMs > 1.5 * inferred || inferred > 1.5 * resolutionMs)) {
      hooks.warn?.(
        `${o.name}: --resolution ${o.resolution}, but the rows are ${formatDuration(inferred)} apart (most of the first ${buffered.length.toLocaleString('en-US')}): each row is judged as ${formatDuration(resolutionMs)} of the series, so its daily and weekly seasons are misplaced — leave --resolution out to use ${formatDuration(inferred)}`,
      );
    }
    // counts are judged in quarter hours, as topics are (looksLikeCounts: from the rows read so far)
    const options: SeriesOptions = { resolutionMs, sensitivity: o.sensitivity, direction: o.direction, counts: o.counts ?? looksLikeCounts(buffered) };
    const started = o.large ? workerScorer(options, { emit: hooks.emit, ...(hooks.emitBatch ? { emitBatch: hooks.emitBatch } : {}) }, seriesKind(buffered)) : inlineScorer(options, hooks.emit);
    hooks.resolved?.(resolutionMs);
    for (const p of buffered.splice(0)) started.push(p);
    return started;
  };
  let lineNo = 0;
  // synchronous per line (a promise per line would cost more than scoring it); output is flushed per chunk
  const take = (line: string) => {
    const p = reader.line(line, lineNo);
    if (!p) return;
    if (scorer) scorer.push(p);
    else {
      buffered.push(p);
      bufferedLines.push(lineNo);
      if (buffered.length >= SNIFF_ROWS) scorer = start();
    }
  };
  /** Line `lineNo`, bytes [from, to) of `b`: a common row straight from its bytes, anything else as text. */
  const takeBytes = (b: Buffer, from: number, to: number) => {
    lineNo++;
    if (scorer !== null && reader.fastRow(b, from, to, lineNo)) return scorer.pushRow(reader.rowT, reader.rowValue);
    const line = b.toString('utf8', from, to);
    if (line.length > MAX_RECORD_CHARS) throw recordTooLong(o.name, lineNo);
    take(line);
  };
  const endChunk = async () => {
    if (scorer) await scorer.settle(false);
    await hooks.chunkDone();
  };
  const readText = async () => {
    for await (const lines of lineBatches(input, { maxChars: MAX_RECORD_CHARS, tooLong: (n) => recordTooLong(o.name, n) })) {
      for (const line of lines) {
        lineNo++;
        take(line);
      }
      await endChunk();
    }
  };
  // a long file: its lines as bytes
  const readBytes = async () => {
    for await (const { buf, ends } of byteLineBatches(input, { maxBytes: 3 * MAX_RECORD_CHARS, tooLong: (n) => recordTooLong(o.name, n) })) {
      // (a character is at most 3 bytes a UTF-16 unit: past 3 × MAX_RECORD_CHARS bytes a line is surely too long)
      let from = 0;
      for (const end of ends) {
        takeBytes(buf, from, end);
        from = end + 1;
      }
      await endChunk();
    }
  };
  /**
   * The input turned bad: the rows before the bad line are scored and handed out all the same (as they
   * are line by line from a pipe), before the error is thrown; a failure of the scoring itself is not retried.
   */
  const scoreWhatWasRead = async () => {
    try {
      if (!scorer && buffered.length >= 2) scorer = start();
      if (scorer) await scorer.settle(true);
      await hooks.chunkDone();
    } catch {
      // the input's error is the one to tell
    }
  };
  const run = async () => {
    try {
      await (o.large ? readBytes() : readText());
      reader.end();
    } catch (err) {
      if (!stopped && err instanceof InputError) await scoreWhatWasRead();
      throw err;
    }
    if (!scorer) {
      // (an empty export, or a header alone, is not a series: said as such, not as a row too few)
      if (buffered.length === 0) {
        throw new InputError(`${o.name}: ${reader.detectedFormat === null ? 'is empty' : 'has no rows, only a header'}: no series to score`, { hint: 'give a CSV with a header line and a row per time (timestamp,value), or NDJSON lines' });
      }
      if (buffered.length < 2 && !o.resolution) throw new InputError(`${o.name}: needs at least two rows to tell the resolution`, { hint: 'give a longer series, or its step with --resolution (5m, 1h, 1d)' });
      scorer = start();
    }
    await scorer.settle(true);
  };
  const done = run()
    .catch((err: unknown) => {
      if (stopped) return; // the reader went away: nothing more to say
      throw inputFileError(err, o.name, { file: 'a CSV or NDJSON file', piped: 'the series' });
    })
    .finally(() => scorer?.close());
  return {
    done,
    stop() {
      stopped = true;
      void scorer?.close();
      input.destroy();
    },
  };
}

/** The finest series detect judges: a row a minute (as --resolution takes). */
const MIN_RESOLUTION_MS = 60_000;

/** --resolution: 5m, 30m, 1h, 1d... (at least a minute). */
export function parseResolution(text: string): number {
  const m = /^0*([1-9]\d{0,6})(m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--resolution: expected 5m, 30m, 1h, 1d... (at least 1m), got "${text}"`, { hint: 'give the series step in minutes, hours or days, or leave --resolution out to infer it' });
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}
