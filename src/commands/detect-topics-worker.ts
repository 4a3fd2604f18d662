import { type MessagePort, workerData } from 'node:worker_threads';
import { detectMoments } from '../detect/detect.js';
import { DONE, type JobResult, TAKEN, type TopicJob } from './detect-topics.js';

/**
 * Worker thread of detectAll: takes the next topic no thread has taken (state[jobs.length]), runs the
 * engine on it, posts its moments, marks it done and wakes the main thread.
 */
const { jobs, state, port } = workerData as { jobs: TopicJob[]; state: Int32Array; port: MessagePort };
for (let i = Atomics.add(state, jobs.length, 1); i < jobs.length; i = Atomics.add(state, jobs.length, 1)) {
  Atomics.store(state, i, TAKEN);
  const job = jobs[i]!;
  let result: JobResult;
  try {
    result = { index: i, moments: detectMoments(job.topic, job.buckets, job.options) };
  } catch (err) {
    result = { index: i, error: String(err) };
  }
  port.postMessage(result);
  Atomics.store(state, i, DONE);
  Atomics.notify(state, i);
}
port.close();
