import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { receiveMessageOnPort, MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { PackedBuckets } from '../core/buckets.js';
import type { Moment } from '../core/types.js';
import { detectMoments, engineStart, type DetectOptions } from '../detect/detect.js';

/**
 * Runs the engine on many topics (detectMoments), on this thread and, when there is enough work, on a
 * second one. The worker starts first and takes topics as soon as their counts are read; once all are
 * read, this thread takes topics too. Each thread takes the next topic not yet taken, so the split
 * follows the work, and each topic's moments are the same whichever thread found them (the engine is
 * pure). Synchronous for the caller, which waits (Atomics) for the topics the worker took. Should the
 * worker not start (run from the TypeScript sources), or fail or stall on a topic, this thread does it.
 */

export interface TopicTask {
  topic: string;
  options: DetectOptions;
}

export interface TopicJob extends TopicTask {
  buckets: PackedBuckets;
}

/** What the worker posts for each topic it took. */
export type JobResult = { index: number; moments: Moment[] } | { index: number; error: string };

/**
 * Memory both threads share, Int32s: per topic its state (FREE, TAKEN by the worker, DONE by it), then
 * the next topic to take (Atomics.add), then how many topics' counts have been sent to the worker.
 */
export const FREE = 0;
export const TAKEN = 1;
export const DONE = 2;
export const nextCell = (n: number) => n;
export const sentCell = (n: number) => n + 1;

/** What the worker is started with. */
export interface WorkerData {
  count: number;
  state: Int32Array;
  /** Jobs arrive here, in order, each once its counts are read. */
  jobs: MessagePort;
  results: MessagePort;
}

/** Below this many buckets in all, a second thread costs more to start than it saves. */
const THREAD_FROM_BUCKETS = 100_000;
/** How long to wait for a topic the worker took, at least, and per bucket it spans, before doing it here. */
const WAIT_MIN_MS = 5_000;
const WAIT_PER_BUCKET_MS = 0.05;

const WORKER_URL = new URL('./detect-topics-worker.js', import.meta.url);
let workerBuilt: boolean | undefined;

/** The buckets a topic's engine run spans (its cost). */
function spanOf(task: TopicTask): number {
  return Math.max(0, (task.options.asOf - engineStart(task.options)) / task.options.bucketMs);
}

export interface DetectAllOptions {
  /** Threads to use: 1 (this one) or 2 (default: 2 when the work is large enough). */
  threads?: 1 | 2;
  /** For tests: this thread takes no topic itself, so the worker does them all (unless it fails). */
  workerOnly?: boolean;
}

/**
 * Each task's moments (in task order), and how many tasks the worker did. `read(i)` gives task i's
 * counts; it is called once per task, in order, on this thread (it reads the database).
 */
export function detectAll(tasks: readonly TopicTask[], read: (i: number) => PackedBuckets, o: DetectAllOptions = {}): { moments: Moment[][]; byWorker: number } {
  const n = tasks.length;
  const total = tasks.reduce((sum, t) => sum + spanOf(t), 0);
  const threads = o.threads ?? (total >= THREAD_FROM_BUCKETS ? 2 : 1);
  workerBuilt ??= WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
  const moments: Moment[][] = new Array(n);
  const buckets: PackedBuckets[] = new Array(n);
  const here = (i: number) => (moments[i] = detectMoments(tasks[i]!.topic, buckets[i]!, tasks[i]!.options));
  if (threads === 1 || n < 2 || !workerBuilt) {
    for (let i = 0; i < n; i++) {
      buckets[i] = read(i);
      here(i);
    }
    return { moments, byWorker: 0 };
  }

  const state = new Int32Array(new SharedArrayBuffer((n + 2) * 4));
  const jobs = new MessageChannel();
  const results = new MessageChannel();
  const data: WorkerData = { count: n, state, jobs: jobs.port1, results: results.port1 };
  const worker = new Worker(WORKER_URL, { workerData: data, transferList: [jobs.port1, results.port1] });
  worker.unref();
  worker.on('error', () => undefined); // its topics are done here instead
  try {
    for (let i = 0; i < n; i++) {
      buckets[i] = read(i);
      // the counts in memory both threads share
      const shared = new Float64Array(new SharedArrayBuffer(buckets[i]!.byteLength));
      shared.set(buckets[i]!);
      jobs.port2.postMessage({ ...tasks[i]!, buckets: shared } satisfies TopicJob);
      Atomics.store(state, sentCell(n), i + 1);
      Atomics.notify(state, sentCell(n));
    }
    const take = () => Atomics.add(state, nextCell(n), 1);
    if (!o.workerOnly) for (let i = take(); i < n; i = take()) here(i);
    // the topics the worker took: wait for each (bounded), then collect what it posted
    let byWorker = 0;
    for (let i = 0; i < n; i++) {
      if (moments[i]) continue;
      const deadline = performance.now() + WAIT_MIN_MS + WAIT_PER_BUCKET_MS * spanOf(tasks[i]!);
      for (let s = Atomics.load(state, i); s !== DONE && performance.now() < deadline; s = Atomics.load(state, i)) {
        Atomics.wait(state, i, s, Math.max(1, deadline - performance.now()));
      }
      for (let m = receiveMessageOnPort(results.port2); m; m = receiveMessageOnPort(results.port2)) {
        const r = m.message as JobResult;
        if ('moments' in r && !moments[r.index]) {
          moments[r.index] = r.moments;
          byWorker++;
        }
      }
      if (!moments[i]) here(i); // the worker failed on it, or did not answer in time
    }
    return { moments, byWorker };
  } finally {
    jobs.port2.close();
    results.port2.close();
    void worker.terminate();
  }
}
