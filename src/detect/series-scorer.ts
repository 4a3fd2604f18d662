import { fstatSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { buffersOf, packPoints, unpackScores, type ScoreBatch } from './series-batch.js';
import { SeriesDetector, type SeriesOptions, type SeriesPoint, type SeriesScore } from './series.js';

/**
 * Scoring a series from elsewhere (`momentscan detect`) in order: here, row by row, or, for a long file,
 * in a worker thread (series-worker.ts, beside this file so the built path resolves) that owns the detector.
 */

/** Files this big (about 20,000 rows and more) are scored in a worker thread. */
export const WORKER_FROM_BYTES = 512 * 1024;
/** Rows per batch sent to the worker, and batches in flight at most. */
const BATCH_ROWS = 8192;
const MAX_IN_FLIGHT = 4;

/** The size of a regular file (by path, or an open descriptor such as stdin redirected from a file); 0 otherwise. */
export function inputBytes(source: string | number): number {
  try {
    const st = typeof source === 'number' ? fstatSync(source) : statSync(source);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/** Scores rows in order and hands each score to `emit`, here or in a worker thread. */
export interface Scorer {
  push(p: SeriesPoint): void;
  /** Emits what has been scored; with `all`, waits until every row pushed is scored. */
  settle(all: boolean): Promise<void>;
  close(): Promise<void>;
}

export function inlineScorer(options: SeriesOptions, emit: (s: SeriesScore) => void): Scorer {
  const detector = new SeriesDetector(options);
  return { push: (p) => emit(detector.push(p)), settle: async () => undefined, close: async () => undefined };
}

/**
 * Batches rows to a worker that owns the detector. The worker answers batches in order; at most
 * MAX_IN_FLIGHT are out at once (settle() waits for the oldest when more are), so memory stays bounded.
 */
export function workerScorer(options: SeriesOptions, emit: (s: SeriesScore) => void): Scorer {
  const worker = new Worker(new URL('./series-worker.js', import.meta.url), { workerData: options });
  const waiting: { resolve: (s: ScoreBatch) => void; reject: (e: unknown) => void }[] = [];
  let failed: unknown = null;
  worker.on('message', (scores: ScoreBatch) => waiting.shift()?.resolve(scores));
  const fail = (err: unknown) => {
    failed ??= err;
    for (const w of waiting.splice(0)) w.reject(failed);
  };
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the scoring thread stopped')));
  const inFlight: Promise<{ rows: SeriesPoint[]; scores: ScoreBatch }>[] = [];
  let rows: SeriesPoint[] = [];
  const send = () => {
    if (rows.length === 0) return;
    const batch = packPoints(rows);
    const kept = rows;
    rows = [];
    const scored = new Promise<ScoreBatch>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.push({ resolve, reject });
      // the batch's buffers move to the worker; the rows stay here for the output
      worker.postMessage(batch, buffersOf(batch));
    }).then((scores) => ({ rows: kept, scores }));
    scored.catch(() => undefined); // a failure is thrown where the batch is awaited (settle)
    inFlight.push(scored);
  };
  return {
    push(p) {
      rows.push(p);
      if (rows.length >= BATCH_ROWS) send();
    },
    async settle(all) {
      if (all) send();
      while (inFlight.length > (all ? 0 : MAX_IN_FLIGHT - 1)) {
        const { rows: done, scores } = await inFlight.shift()!;
        for (const s of unpackScores(done, scores)) emit(s);
      }
    },
    close: () => worker.terminate().then(() => undefined),
  };
}
