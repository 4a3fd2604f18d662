#!/usr/bin/env node
/**
 * How often ending a worker thread aborts the process (Node 20's `NodePlatform::ForIsolate` assertion, see
 * src/core/worker-end.ts), ended with `worker.terminate()` against `endWorker()` (asked, settled, exits by
 * itself). Each child process starts `--workers` workers one after another, each with a small heap
 * (`--heap` MB of old generation, so a background compile's allocation soon meets the heap's limit), runs
 * the detection engine's warm-up in it (a burst of TurboFan compiles) and ends it right after. The modes
 * alternate process by process. After `npm run build`:
 *
 *   node test/bench/worker-end.mjs [--processes 10] [--workers 40] [--heap 12]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const built = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;

if (!isMainThread) {
  // the worker: the engine's warm-up, a few times, then say so and wait to be ended
  const { warmUp } = await import(built('detect/topics.js'));
  const { serve } = await import(built('core/worker-end.js'));
  serve(() => undefined);
  const keep = [];
  for (let r = 0; r < workerData.rounds; r++) {
    warmUp();
    keep.push(new Array(5000).fill(r));
  }
  parentPort.postMessage('warm');
} else if (process.argv[2] === '--child') {
  // one process: `workers` workers of `heap` MB, each ended by `mode` right after its warm-up
  const [, , , mode, workers, heap] = process.argv;
  const { endWorker } = await import(built('core/worker-end.js'));
  let terminated = 0;
  for (let i = 0; i < Number(workers); i++) {
    const w = new Worker(fileURLToPath(import.meta.url), {
      workerData: { rounds: 1 + (i % 3) },
      resourceLimits: { maxOldGenerationSizeMb: Number(heap), maxYoungGenerationSizeMb: 2 },
    });
    w.on('error', () => undefined);
    await new Promise((resolve) => w.once('message', resolve));
    if (mode === 'terminate') await w.terminate();
    else if ((await endWorker(w)) === 'terminated') terminated++;
  }
  console.log(JSON.stringify({ ended: Number(workers), terminated }));
} else {
  const { values } = parseArgs({ options: { processes: { type: 'string', default: '10' }, workers: { type: 'string', default: '40' }, heap: { type: 'string', default: '12' } } });
  const tally = { terminate: { runs: 0, aborted: 0, ms: 0 }, endWorker: { runs: 0, aborted: 0, ms: 0, terminated: 0 } };
  for (let p = 0; p < Number(values.processes); p++) {
    for (const mode of ['terminate', 'endWorker']) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, values.workers, values.heap], { encoding: 'utf8' });
      const t = tally[mode];
      t.runs++;
      t.ms += performance.now() - t0;
      if (r.status !== 0) {
        t.aborted++;
        if (!/ForIsolate/.test(r.stderr)) console.error(`${mode}: exit ${r.status ?? r.signal}: ${r.stderr.split('\n').find((l) => l.trim()) ?? ''}`);
      } else if (mode === 'endWorker') t.terminated += JSON.parse(r.stdout).terminated;
    }
    process.stderr.write(`process pair ${p + 1}/${values.processes}\r`);
  }
  process.stderr.write('\n');
  console.log(`workers ended right after the engine's warm-up, ${values.workers} a process, old generation ${values.heap} MB:`);
  for (const [mode, t] of Object.entries(tally)) {
    console.log(`  ${mode.padEnd(10)} ${t.aborted} of ${t.runs} processes aborted${'terminated' in t ? `; workers terminated after the grace period: ${t.terminated}` : ''}; ${(t.ms / t.runs / 1000).toFixed(1)} s a process`);
  }
}
