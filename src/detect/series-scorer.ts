import { fstatSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { endWorker } from '../core/worker-end.js';
import { buffersOf, type PointBatch, pointBatch, putPoint, putRow, type ScoreBatch, trimBatch, unpackScores } from './series-batch.js';
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
  /** push({ t, value }): a row with no sentiment or n (the common row; no object made for it here). */
  pushRow(t: number, value: number): void;
  /** Emits what has been scored; with `all`, waits until every row pushed is scored. */
  settle(all: boolean): Promise<void>;
  close(): Promise<void>;
}

export function inlineScorer(options: SeriesOptions, emit: (s: SeriesScore) => void): Scorer {
  const detector = new SeriesDetector(options);
  return { push: (p) => emit(detector.push(p)), pushRow: (t, value) => emit(detector.push({ t, value })), settle: async () => undefined, close: async () => undefined };
}

/** Where a worker scorer's scores go: each row to `emit`, or (when given) each batch whole to `emitBatch`. */
export interface ScoreSink {
  emit: (s: SeriesScore) => void;
  emitBatch?: (points: PointBatch, scores: ScoreBatch) => void;
}

/**
 * Batches rows to a worker that owns the detector. The worker answers batches in order; at most
 * MAX_IN_FLIGHT are out at once (settle() waits for the oldest when more are), so memory stays bounded.
 */
export function workerScorer(options: SeriesOptions, sink: ScoreSink): Scorer {
  const worker = new Worker(new URL('./series-worker.js', import.meta.url), { workerData: options });
  type Scored = { points: PointBatch; scores: ScoreBatch };
  const waiting: { resolve: (s: Scored) => void; reject: (e: unknown) => void }[] = [];
  let failed: unknown = null;
  worker.on('message', (scored: Scored) => waiting.shift()?.resolve(scored));
  const fail = (err: unknown) => {
    failed ??= err;
    for (const w of waiting.splice(0)) w.reject(failed);
  };
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the scoring thread stopped')));
  const inFlight: Promise<Scored>[] = [];
  // rows are written straight into the batch's typed arrays, which then move to the worker and back;
  // batches whose rows and scores have been emitted are filled again (a batch's arrays are 0.6 MB)
  const sparePoints: PointBatch[] = [];
  const spareScores: ScoreBatch[] = [];
  let batch = pointBatch(BATCH_ROWS);
  let size = 0;
  const send = () => {
    if (size === 0) return;
    const full = trimBatch(batch, size);
    batch = sparePoints.pop() ?? pointBatch(BATCH_ROWS);
    size = 0;
    const spare = spareScores.pop() ?? null;
    const scored = new Promise<Scored>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.push({ resolve, reject });
      worker.postMessage({ points: full, spare }, [...buffersOf(full), ...(spare ? buffersOf(spare) : [])]);
    });
    scored.catch(() => undefined); // a failure is thrown where the batch is awaited (settle)
    inFlight.push(scored);
  };
  return {
    push(p) {
      putPoint(batch, size++, p);
      if (size >= BATCH_ROWS) send();
    },
    pushRow(t, value) {
      putRow(batch, size++, t, value);
      if (size >= BATCH_ROWS) send();
    },
    async settle(all) {
      if (all) send();
      while (inFlight.length > (all ? 0 : MAX_IN_FLIGHT - 1)) {
        const { points, scores } = await inFlight.shift()!;
        if (sink.emitBatch) sink.emitBatch(points, scores);
        else for (const s of unpackScores(points, scores)) sink.emit(s);
        if (points.t.length === BATCH_ROWS) {
          sparePoints.push(points);
          spareScores.push(scores);
        }
      }
    },
    close: () => endWorker(worker).then(() => undefined),
  };
}
