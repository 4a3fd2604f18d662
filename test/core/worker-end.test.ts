import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { endWorker, exitSettled, settle } from '../../src/core/worker-end.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// A worker thread torn down while V8 still compiles its code on a background thread can abort the whole
// process on Node 20 (core/worker-end.ts). Workers are therefore asked to end, wait for their compiles
// (settle) and exit by themselves; these tests hold that machinery to what it promises. The workers run
// the built module (dist/, which `npm test` builds first), as the product's workers do.

const BUILT = pathToFileURL(path.join(ROOT, 'dist', 'core', 'worker-end.js')).href;

/** A worker module in a temporary folder: `body` runs with `serve` and `settle` from the built module. */
function workerFile(body: string): URL {
  const file = path.join(tempDir(), 'worker.mjs');
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\nimport { serve, settle } from ${JSON.stringify(BUILT)};\n${body}\n`);
  return pathToFileURL(file);
}

/** Code that keeps TurboFan busy: many small functions made hot at once. */
const HOT = `
const fns = Array.from({ length: 40 }, (_, k) => new Function('a', 'let s = 0; for (let i = 0; i < a.length; i++) s += Math.sqrt(a[i] * ' + k + ' + 1) + (a[i] > ' + k + ' ? Math.log1p(a[i]) : 0); return s;'));
const rows = new Float64Array(500).map((_, i) => i % 97);
const heat = () => { let t = 0; for (let r = 0; r < 60; r++) for (const f of fns) t += f(rows); return t; };
`;

describe('ending a worker thread settled', () => {
  it('waits for the background compiles on this Node, and leaves natives syntax off again', () => {
    // (were this V8 to drop the call, workers would again be torn down mid-compile: this says so)
    expect(settle()).toBe(true);
    expect(() => new Function('return %IsBeingInterpreted()')).toThrow(SyntaxError);
    // and it never ends the process: on the main thread exitSettled refuses (a worker's exit ends its thread only)
    expect(() => exitSettled()).toThrow(/worker thread/);
  });

  it('asks a worker to end, and it exits by itself, settled, right after its code became hot', async () => {
    const worker = new Worker(workerFile(`${HOT}\nserve((m) => parentPort.postMessage(heat() + m));`));
    const answer = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage(1);
    expect(await answer).toBeGreaterThan(0);
    let code: number | undefined;
    worker.once('exit', (c) => (code = c));
    expect(await endWorker(worker)).toBe('ended');
    expect(code).toBe(0);
    // a worker that has gone already: nothing to wait for
    expect(await endWorker(worker, { graceMs: 60_000 })).toBe('ended');
  });

  it('a worker that ends its own work settles and exits without being asked', async () => {
    const worker = new Worker(workerFile(`${HOT}\nparentPort.postMessage(heat());\nparentPort.postMessage(settle());`));
    const said: unknown[] = [];
    worker.on('message', (m) => said.push(m));
    const code = await new Promise((resolve) => worker.once('exit', resolve));
    expect(code).toBe(0);
    expect(said[1]).toBe(true);
  });

  it('terminates a worker that does not answer within the grace period', async () => {
    const worker = new Worker(workerFile(`serve(() => undefined);\nparentPort.postMessage('busy');\nfor (;;);`));
    await new Promise((resolve) => worker.once('message', resolve));
    const started = performance.now();
    expect(await endWorker(worker, { graceMs: 300 })).toBe('terminated');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});
