import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { settle } from '../core/worker-end.js';
import { DONE, type JobResult, nextCell, runJob, sentCell, TAKEN, type TopicJob, warmUp, type WorkerData } from './topics.js';

/**
 * Worker thread of detectAll: warms the engine up (warmUp), then takes the next topic no thread has taken,
 * waits for its counts if they are not read yet, runs the engine on it, posts its moments, marks it done and wakes the main thread.
 */
const { count: n, state, jobs, results } = workerData as WorkerData;
const got: (TopicJob | undefined)[] = [];
// (while the main thread reads the first topics' counts)
warmUp();
topics: for (let i = Atomics.add(state, nextCell(n), 1); i < n; i = Atomics.add(state, nextCell(n), 1)) {
  Atomics.store(state, i, TAKEN);
  while (got.length <= i) {
    const m = receiveMessageOnPort(jobs);
    if (m) got.push(m.message as TopicJob);
    // (the main thread gave up reading: this topic's counts never come)
    else if (Atomics.load(state, sentCell(n)) < 0) break topics;
    else Atomics.wait(state, sentCell(n), Atomics.load(state, sentCell(n)), 50);
  }
  const job = got[i]!;
  got[i] = undefined; // (its counts are no longer needed here)
  let result: JobResult;
  try {
    result = { index: i, ...runJob(job) };
  } catch (err) {
    result = { index: i, error: String(err) };
  }
  results.postMessage(result);
  Atomics.store(state, i, DONE);
  Atomics.notify(state, i);
}
// the compiles of its code done before it exits (core/worker-end.ts: else one may take the process down)
settle();
jobs.close();
results.close();
