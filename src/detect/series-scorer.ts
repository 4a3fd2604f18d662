import { fstatSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { endWorker } from '../core/worker-end.js';
import { buffersOf, type PointBatch, pointBatch, putPoint, putRow, type ScoreBatch, scoreBatch, trimBatch, unpackScores } from './series-batch.js';
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
 * Detaches a throwaway buffer, as the first batch moved to or from the other thread will. V8 compiles
 * code that reads typed arrays on the promise that no buffer has been detached in this thread yet
 * (its ArrayBufferDetaching protector); the first transfer breaks that promise and throws away every
 * such function compiled so far — in the worker the engine's `judge`, compiled on the first batch (or
 * the warm-up), in the main thread the row reader's functions. Broken first, it is never relied upon.
 */
export function detachOnce(): void {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
}

/** What the scoring worker is started with: the detector's options, and what the series' first rows are like. */
export interface WorkerStart {
  options: SeriesOptions;
  kind: SeriesKind;
}

/** What a series' rows are like, as far as the engine's branches go: whole non-negative values, a tone. */
export interface SeriesKind {
  integers: boolean;
  tone: boolean;
}

/** The kind of a series from its first rows (those read to tell its resolution). */
export function seriesKind(sample: readonly SeriesPoint[]): SeriesKind {
  return {
    integers: sample.every((p) => Number.isInteger(p.value) && p.value >= 0),
    tone: sample.some((p) => p.sentiment !== undefined),
  };
}

/** Resolutions (ms): the made-up series' for a fine series judged row by row, and for counts judged in quarter hours. */
const FINE_ROWS = 720_000;
const FINE_COUNTS = 600_000;
const QUARTER = 900_000;
const DAY = 86_400_000;

/**
 * A made-up series of the same kind as the user's, scored once by the scoring worker before its first
 * batch (while the main thread reads that batch) on a detector that is then dropped. It takes the engine
 * through what a real series reaches only days or weeks into its history — the ring of past rows
 * wrapping round, every count of earlier days in the seasonal forecast, a quiet stretch of small counts
 * and a level shift out of it, a burst that grows, a dip, large counts, lone outliers beyond the counted
 * tail, a swing in tone — within a few hundred of the model's steps, before V8 first optimises `judge`.
 * Without it `judge` is optimised early on the user's rows, thrown away when the first of those comes
 * (10,000-25,000 rows into a 5-minute series), and compiled again: two or three compiles of 130-420 ms
 * of a compiler thread each under load. The engine is pure: the user's series, on its own detector,
 * scores the same whether this ran or not (test/detect/series-scorer.test.ts).
 *
 * The code it runs is the user's (same sensitivity, direction, count mode, whole values or not, tone or
 * not), on coarser rows so that its learning ends early: 12-minute rows for a finer series judged row by
 * row (finer than 15 minutes too, so that the alert level is not a whole number: the engine's fields keep
 * the representation the user's detector gives them), 10-minute rows (two to a step) for counts judged
 * in quarter hours, else the user's own resolution; with a daily season five days of history and no
 * weekly ring, so that the ring wraps within a week. Returns its rows and scores (for tests).
 */
export function warmUp(options: SeriesOptions, kind: SeriesKind): { points: PointBatch; scores: ScoreBatch } {
  const counts = options.counts === true && SeriesDetector.rowsPerStep(options.resolutionMs) > 1;
  const res = counts ? FINE_COUNTS : options.resolutionMs < QUARTER ? FINE_ROWS : options.resolutionMs;
  const k = counts ? SeriesDetector.rowsPerStep(res) : 1;
  const perDay = DAY / (res * k);
  const daily = Number.isInteger(perDay) && perDay >= 4;
  // (days of the made-up series: eight; without a daily season 50 rows make one)
  const dayRows = daily ? perDay * k : 50;
  const rows = Math.min(8 * dayRows, 4096);
  const tuning = daily ? { ...options.tuning, maxDays: 5, maxWeeks: 0 } : options.tuning;
  const detector = new SeriesDetector({ ...options, resolutionMs: res, ...(tuning ? { tuning } : {}) });
  const b = pointBatch(rows);
  const t0 = Date.UTC(2026, 0, 5);
  let seed = 11;
  const next = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  for (let i = 0; i < rows; i++) {
    const day = i / dayRows;
    // quiet small counts for three days, then a busier level with a daily rhythm
    const rhythm = Math.sin((2 * Math.PI * i) / dayRows);
    let mean = day < 3 ? 1.5 + rhythm : 20 + 8 * rhythm;
    if (day >= 5.5 && day < 5.6) mean *= 3 + (day - 5.5) * 80; // a burst that grows
    if (day >= 6.2 && day < 6.3) mean = 0; // a dip
    if (day >= 6.6 && day < 6.65) mean = 400; // large counts
    if (day >= 7 && i % 37 === 0) mean *= 6; // lone outliers
    let v = Math.max(0, Math.round(mean / k + (next() - 0.5) * Math.sqrt(mean / k + 1) * 3));
    if (i % 11 === 0 && day < 3) v = 0;
    if (!kind.integers) v += 0.25 + next() / 2;
    b.t[i] = t0 + i * res;
    b.value[i] = v;
    if (kind.tone) {
      const swing = day >= 6.8 && day < 7 ? -0.6 : 0.1;
      b.sentimentKind[i] = i % 13 === 0 ? 1 : 2;
      b.sentiment[i] = swing + (next() - 0.5) * 0.3;
      b.nKind[i] = i % 5 === 0 ? 0 : 2;
      b.n[i] = Math.max(1, Math.round(v));
    }
  }
  return { points: b, scores: scoreBatch(detector, b) };
}

/**
 * Batches rows to a worker that owns the detector (`kind`: what the series' first rows are like, for its
 * warm-up). The worker answers batches in order; at most MAX_IN_FLIGHT are out at once (settle() waits
 * for the oldest when more are), so memory stays bounded.
 */
export function workerScorer(options: SeriesOptions, sink: ScoreSink, kind: SeriesKind = { integers: true, tone: false }): Scorer {
  detachOnce();
  const start: WorkerStart = { options, kind };
  const worker = new Worker(new URL('./series-worker.js', import.meta.url), { workerData: start });
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
