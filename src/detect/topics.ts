import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { receiveMessageOnPort, MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { BUCKET_WIDTH, type PackedBuckets } from '../core/buckets.js';
import type { Moment } from '../core/types.js';
import { endWorker } from '../core/worker-end.js';
import { detectResumable, engineStart, shiftOf, type DetectOptions, type EngineSnapshot, type Resume } from './detect.js';

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
  /** Save the engine's state for later runs (Resume.saveBy). */
  saveBy?: number;
  /** When the state the task will resume from was saved, if it has one (for the cost). */
  resumeAt?: number;
}

/** A task's input, read from the database: its counts, and the engine state to resume from. */
export interface TopicInput {
  buckets: PackedBuckets;
  resume?: EngineSnapshot | null;
}

export type TopicJob = TopicTask & TopicInput;

export interface TopicResult {
  moments: Moment[];
  snapshot: EngineSnapshot | null;
  /** The engine resumed from the state given. */
  resumed: boolean;
}

/** What the worker posts for each topic it took. */
export type JobResult = ({ index: number } & TopicResult) | { index: number; error: string };

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

const WORKER_URL = new URL('./topics-worker.js', import.meta.url);
let workerBuilt: boolean | undefined;

/** The buckets a topic's engine run goes through (its cost). */
function spanOf(task: TopicTask): number {
  return Math.max(0, (task.options.asOf - (task.resumeAt ?? engineStart(task.options))) / task.options.bucketMs);
}

export interface DetectAllOptions {
  /** Threads to use: 1 (this one) or 2 (default: 2 when the work is large enough). */
  threads?: 1 | 2;
  /** For tests: this thread takes no topic itself, so the worker does them all (unless it fails). */
  workerOnly?: boolean;
  /**
   * Called on this thread once per task with its result: on two threads as soon as this thread has it
   * (in no fixed order), so that the caller's own work on a topic (explaining its moments, reading the
   * database) runs while the other thread is still judging instead of after the last topic; on one
   * thread, in task order once all are done.
   */
  onResult?: (i: number, result: TopicResult) => void;
}

/**
 * What an engine state is saved under: the engine's code (a hash of the detect stage's files, so that any
 * change to it is a new key), the detection settings, where the engine starts and the periods nobody
 * fetched before the window.
 */
export function engineKey(o: DetectOptions): string {
  let key = [engineVersion(), o.bucketMs, o.baselineMs, o.sensitivity, engineStart(o), JSON.stringify(o.tuning ?? null)].join(' ');
  // buckets cut at a team's midnight are another grid (a change of zone is a new key, as a change of bucket)
  const shift = shiftOf(o);
  if (shift !== 0) key += ` grid+${shift}`;
  // a state saved before the window is made with the periods nobody fetched before it (one found later is another key)
  const blind = (o.blind ?? []).filter(([a]) => a < o.from);
  return blind.length ? `${key} ${JSON.stringify(blind)}` : key;
}

/**
 * Files of this folder that run the engine but are not part of it (threads, input, scoring a series from
 * elsewhere): a change to them changes no result, so it keeps the engine states saved so far.
 */
const NOT_ENGINE = /^(?:topics|topics-worker|series-input|series-scorer|series-worker)\.[jt]s$/;

let version: string | undefined;
function engineVersion(): string {
  if (version === undefined) {
    const dir = new URL('./', import.meta.url);
    const hash = createHash('sha256');
    for (const f of readdirSync(dir).filter((name) => /\.[jt]s$/.test(name) && !NOT_ENGINE.test(name)).sort()) hash.update(f).update(readFileSync(new URL(f, dir)));
    version = hash.digest('hex').slice(0, 16);
  }
  return version;
}

/**
 * A made-up topic, run once by each thread of a large evaluation before its first real topic and then
 * dropped. It takes the engine through what a real topic reaches only days or weeks into its history — the
 * ring of past rows wrapping round, the weekly forecaster, a burst that grows, large counts, a swing in tone,
 * a state saved after an episode closed — so that V8 has seen every branch, and the engine's objects have
 * their final layout, when it first optimises the engine. Each branch first taken after that throws the
 * optimised code away, and a field whose layout changes then (an alert level that becomes a fraction)
 * deprecates the maps the code is being compiled for, so V8 drops the compile; either way the whole inlined
 * engine is compiled again. So all of it comes in 280 hourly rows (a day is 24 rows, a week 168): fewer than
 * V8 runs before it optimises any of the engine (a topic of quarter hours needed 800 rows to get there, by
 * which time V8 had optimised the engine without the burst and compiled it again after). The engine is
 * pure: no real topic's result depends on whether this ran. (Its result, for tests.)
 */
export function warmUp(): TopicResult {
  const rows = 280;
  const q = 3_600_000;
  const t0 = Date.UTC(2026, 0, 5);
  const buckets = new Float64Array(rows * BUCKET_WIDTH);
  let seed = 7;
  const next = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  for (let i = 0; i < rows; i++) {
    let c = Math.max(0, Math.round(4 + 3 * Math.sin((2 * Math.PI * i) / 24) + (next() - 0.5) * 4));
    if (i % 7 === 0) c = 0;
    if (i >= 200 && i < 220) c = c * 8 + (i - 200) * 10; // a burst that grows
    if (i > rows - 40 && i % 3) c += 300; // large counts, after the state is saved
    const mean = i >= 160 && i < 200 ? -0.6 : 0.1 + (next() - 0.5) * 0.2; // a swing in tone
    buckets.set([t0 + i * q, c, c, c, mean * c, mean * mean * c], i * BUCKET_WIDTH);
  }
  const from = t0 + 200 * q;
  // one week of weeks: the ring is short, so it wraps within the made-up history; the state saved at the
  // midnight after the burst (row 240), so that it holds an episode's level
  const options: DetectOptions = { asOf: t0 + rows * q, from, bucketMs: q, baselineMs: 14 * 86_400_000, sensitivity: 'medium', historyStart: t0, tuning: { maxWeeks: 1 } };
  return runJob({ topic: 'warm-up', options, saveBy: t0 + 240 * q, buckets, resume: null });
}

/** Runs one job (here or in the worker). */
export function runJob(job: TopicJob): TopicResult {
  const r: Resume = { from: job.resume ?? null, ...(job.saveBy !== undefined ? { saveBy: job.saveBy } : {}) };
  return detectResumable(job.topic, job.buckets, job.options, r);
}

/**
 * Each task's moments and engine state to save (in task order), and how many tasks the worker did.
 * `read(i, true)` gives task i's input, with a state to resume from if there is one; it is called once per
 * task, in order, on this thread (it reads the database). Should that state not restore (StaleStateError),
 * the task is read again without one, `read(i, false)`, and replayed from the start. With two threads the
 * counts are asked for in shared memory, `read(i, true, true)`: given there, they are not copied for the worker.
 */
export function detectAll(tasks: readonly TopicTask[], read: (i: number, resume: boolean, shared?: boolean) => TopicInput, o: DetectAllOptions = {}): { results: TopicResult[]; byWorker: number } {
  const n = tasks.length;
  const total = tasks.reduce((sum, t) => sum + spanOf(t), 0);
  const threads = o.threads ?? (total >= THREAD_FROM_BUCKETS ? 2 : 1);
  workerBuilt ??= WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
  const results: TopicResult[] = new Array(n);
  const inputs: (TopicInput | undefined)[] = new Array(n);
  // on one thread nothing runs beside this one: results are handed on at the end, so that what the
  // caller does with them does not hold its memory while the engine runs
  let handOn = false;
  const done = (i: number, r: TopicResult) => {
    results[i] = r;
    inputs[i] = undefined; // (its counts are no longer needed here)
    if (handOn) o.onResult?.(i, r);
  };
  const here = (i: number) => {
    let r: TopicResult;
    try {
      r = runJob({ ...tasks[i]!, ...inputs[i]! });
    } catch (err) {
      // a state that does not restore (StaleStateError), or any failure resumed: replayed from the start
      if (!inputs[i]!.resume) throw err;
      inputs[i] = read(i, false);
      r = runJob({ ...tasks[i]!, ...inputs[i]! });
    }
    done(i, r);
  };
  if (threads === 1 || n < 2 || !workerBuilt) {
    for (let i = 0; i < n; i++) {
      inputs[i] = read(i, true);
      here(i);
    }
    for (let i = 0; i < n; i++) o.onResult?.(i, results[i]!);
    return { results, byWorker: 0 };
  }
  handOn = true;

  const state = new Int32Array(new SharedArrayBuffer((n + 2) * 4));
  const jobs = new MessageChannel();
  const answers = new MessageChannel();
  const data: WorkerData = { count: n, state, jobs: jobs.port1, results: answers.port1 };
  const worker = new Worker(WORKER_URL, { workerData: data, transferList: [jobs.port1, answers.port1] });
  worker.unref();
  worker.on('error', () => undefined); // its topics are done here instead
  let byWorker = 0;
  // what the worker has posted so far (without waiting)
  const collect = () => {
    for (let m = receiveMessageOnPort(answers.port2); m; m = receiveMessageOnPort(answers.port2)) {
      const r = m.message as JobResult;
      if ('moments' in r && !results[r.index]) {
        done(r.index, { moments: r.moments, snapshot: r.snapshot, resumed: r.resumed });
        byWorker++;
      }
    }
  };
  try {
    for (let i = 0; i < n; i++) {
      inputs[i] = read(i, true, true);
      // the counts in memory both threads share (read there, or copied there)
      let { buckets } = inputs[i]!;
      if (!(buckets.buffer instanceof SharedArrayBuffer)) {
        buckets = new Float64Array(new SharedArrayBuffer(buckets.byteLength));
        buckets.set(inputs[i]!.buckets);
      }
      jobs.port2.postMessage({ ...tasks[i]!, ...inputs[i]!, buckets } satisfies TopicJob);
      Atomics.store(state, sentCell(n), i + 1);
      Atomics.notify(state, sentCell(n));
      if (o.onResult) collect();
    }
    const take = () => Atomics.add(state, nextCell(n), 1);
    if (!o.workerOnly && Atomics.load(state, nextCell(n)) < n) warmUp();
    if (!o.workerOnly) {
      for (let i = take(); i < n; i = take()) {
        here(i);
        if (o.onResult) collect();
      }
    }
    // the topics the worker took: wait for each (bounded), then collect what it posted
    for (let i = 0; i < n; i++) {
      if (results[i]) continue;
      const deadline = performance.now() + WAIT_MIN_MS + WAIT_PER_BUCKET_MS * spanOf(tasks[i]!);
      for (let s = Atomics.load(state, i); s !== DONE && performance.now() < deadline; s = Atomics.load(state, i)) {
        Atomics.wait(state, i, s, Math.max(1, deadline - performance.now()));
      }
      collect();
      if (!results[i]) here(i); // the worker failed on it, or did not answer in time
    }
    return { results, byWorker };
  } finally {
    // no more counts come (a worker waiting for some stops), and it ends once settled (core/worker-end.ts)
    Atomics.store(state, sentCell(n), -1);
    Atomics.notify(state, sentCell(n));
    jobs.port2.close();
    answers.port2.close();
    void endWorker(worker);
  }
}
