import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { receiveMessageOnPort, MessageChannel, Worker } from 'node:worker_threads';
import type { PackedBuckets } from '../core/buckets.js';
import type { Moment } from '../core/types.js';
import { detectMoments, engineStart, type DetectOptions } from '../detect/detect.js';

/**
 * Runs the engine on many topics (detectMoments), on this thread and, when there is enough work, on a
 * second one: each thread takes the next topic not yet taken, so the split follows the work, and each
 * topic's moments are the same whichever thread found them (the engine is pure). Synchronous for the
 * caller, which waits (Atomics) for the topics the other thread took. Should that thread not start (run
 * from the TypeScript sources, or no threads), or stop answering, this thread does those topics itself.
 */

export interface TopicJob {
  topic: string;
  buckets: PackedBuckets;
  options: DetectOptions;
}

/** What the worker posts for each topic it took. */
export type JobResult = { index: number; moments: Moment[] } | { index: number; error: string };

/** Per job, in `state`: not taken, taken by the worker, done by the worker. */
export const FREE = 0;
export const TAKEN = 1;
export const DONE = 2;
/** state[jobs.length] is the next job to take (Atomics.add). */

/** Below this many buckets in all, a second thread costs more to start than it saves. */
const THREAD_FROM_BUCKETS = 100_000;
/** How long to wait for a topic the worker took, at least, and per bucket it spans, before doing it here. */
const WAIT_MIN_MS = 5_000;
const WAIT_PER_BUCKET_MS = 0.05;

const WORKER_URL = new URL('./detect-topics-worker.js', import.meta.url);
let workerBuilt: boolean | undefined;

/** The buckets a job's engine run spans (its cost). */
function spanOf(job: TopicJob): number {
  return Math.max(0, (job.options.asOf - engineStart(job.options)) / job.options.bucketMs);
}

export interface DetectAllOptions {
  /** Threads to use: 1 (this one) or 2 (default: 2 when the work is large enough). */
  threads?: 1 | 2;
  /** For tests: this thread takes no topic itself, so the worker does them all (unless it fails). */
  workerOnly?: boolean;
}

/** Each job's moments (in job order), and how many jobs the worker did. */
export function detectAll(jobs: readonly TopicJob[], o: DetectAllOptions = {}): { moments: Moment[][]; byWorker: number } {
  const total = jobs.reduce((n, j) => n + spanOf(j), 0);
  const threads = o.threads ?? (total >= THREAD_FROM_BUCKETS ? 2 : 1);
  workerBuilt ??= WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
  const moments: Moment[][] = new Array(jobs.length);
  const here = (i: number) => (moments[i] = detectMoments(jobs[i]!.topic, jobs[i]!.buckets, jobs[i]!.options));
  if (threads === 1 || jobs.length < 2 || !workerBuilt) {
    for (let i = 0; i < jobs.length; i++) here(i);
    return { moments, byWorker: 0 };
  }

  const state = new Int32Array(new SharedArrayBuffer((jobs.length + 1) * 4));
  const { port1, port2 } = new MessageChannel();
  // the buckets in memory both threads share
  const packed: TopicJob[] = jobs.map((j) => {
    const shared = new Float64Array(new SharedArrayBuffer(j.buckets.byteLength));
    shared.set(j.buckets);
    return { ...j, buckets: shared };
  });
  const worker = new Worker(WORKER_URL, { workerData: { jobs: packed, state, port: port1 }, transferList: [port1] });
  worker.unref();
  worker.on('error', () => undefined); // its topics are done here instead
  try {
    const take = () => Atomics.add(state, jobs.length, 1);
    if (!o.workerOnly) for (let i = take(); i < jobs.length; i = take()) here(i);
    // the topics the worker took: wait for each (bounded), then collect what it posted
    let byWorker = 0;
    for (let i = 0; i < jobs.length; i++) {
      if (moments[i]) continue;
      const limit = WAIT_MIN_MS + WAIT_PER_BUCKET_MS * spanOf(jobs[i]!);
      const deadline = performance.now() + limit;
      while (Atomics.load(state, i) !== DONE && performance.now() < deadline) {
        Atomics.wait(state, i, Atomics.load(state, i), Math.max(1, deadline - performance.now()));
      }
      for (let m = receiveMessageOnPort(port2); m; m = receiveMessageOnPort(port2)) {
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
    port2.close();
    void worker.terminate();
  }
}
