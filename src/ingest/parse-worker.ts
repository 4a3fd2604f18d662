import { parentPort, workerData } from 'node:worker_threads';
import type { TopicConfig } from '../config/schema.js';
import { compileTopics, runParseJob, type ParseJob } from './parse-job.js';

/** Worker thread: decode, parse and enrich fetched bodies, so parsing uses a second core. */
const matchers = compileTopics((workerData as { topics: TopicConfig[] }).topics);

parentPort!.on('message', (msg: { id: number; job: ParseJob }) => {
  void runParseJob(msg.job, matchers).then((outcome) => parentPort!.postMessage({ id: msg.id, outcome }));
});
