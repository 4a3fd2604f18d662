import { parentPort, workerData } from 'node:worker_threads';
import { serve } from '../core/worker-end.js';
import { compileSetup, runParseJob, type ParseJob, type ParseSetup } from './parse-job.js';

/** Worker thread: decode, parse and enrich fetched bodies, so parsing uses a second core. */
const matchers = compileSetup(workerData as ParseSetup);

serve((msg: { id: number; job: ParseJob }) => {
  void runParseJob(msg.job, matchers).then((outcome) => parentPort!.postMessage({ id: msg.id, outcome }));
});
