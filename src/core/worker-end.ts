/**
 * Ending a worker thread without taking the process down with it.
 *
 * Node 20 unregisters a worker's isolate from its platform before it disposes of the isolate. A TurboFan
 * compile of that worker's code still running on a background thread in between may allocate past the
 * heap's limit, ask the platform for the isolate's task runner to start incremental marking, and Node then
 * aborts the whole process (`NodePlatform::ForIsolate … Assertion failed: (data.first) != nullptr`, from
 * `IncrementalMarkingJob::ScheduleTask`; met once in CI by test/detect/topics.test.ts, a worker stopped in
 * its warm-up's compile storm). `worker.terminate()` stops a worker wherever it is, so it can meet that
 * window; so can a worker that simply runs out of work right after its code became hot.
 *
 * So a worker is ended in two steps: its owner asks it to end (`endWorker`: the END message, then waiting
 * for its exit, the process kept alive meanwhile), and the worker, between two pieces of its work, waits for
 * its own background compiles (`settle`) before it exits (`exitSettled`; `serve` does both on END).
 * `terminate()` stays the last resort, for a worker that does not answer within the grace period.
 */
import { createRequire } from 'node:module';
import { isMainThread, parentPort, type MessagePort, type Worker } from 'node:worker_threads';

/** The message that asks a worker to end (a string no worker's own messages can be). */
export const END = '\u0000momentscan:end-worker';

/** How long a worker has to end itself before it is terminated. */
export const END_GRACE_MS = 5_000;

/**
 * Waits until no background compile of this thread's code is running or queued (V8's
 * `%WaitForBackgroundOptimization`, reached through natives syntax allowed for the one function that
 * calls it, then disallowed again). Returns false where this V8 does not offer it (nothing waited for).
 * No compile is queued afterwards unless this thread runs much more JavaScript, so a worker that exits
 * right after it is not torn down mid-compile.
 */
export function settle(): boolean {
  let v8: typeof import('node:v8');
  try {
    // (loaded here: `node:v8` costs a main thread ~20 ms to load, and only workers ending need it)
    v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  } catch {
    return false;
  }
  try {
    v8.setFlagsFromString('--allow-natives-syntax');
    try {
      // (parsed and compiled by this call, while the flag is on)
      new Function('%WaitForBackgroundOptimization()')();
      return true;
    } finally {
      v8.setFlagsFromString('--no-allow-natives-syntax');
    }
  } catch {
    return false;
  }
}

/**
 * In a worker: waits for its background compiles (settle), then ends the worker. There `process.exit` ends
 * the thread, not the process, and a worker writes nothing to stdout (its results go to its owner as
 * messages), so no piped output can be cut short; on the main thread it refuses.
 */
export function exitSettled(): void {
  if (isMainThread) throw new Error('exitSettled() ends a worker thread, not the process');
  settle();
  process.exit(0);
}

/**
 * In a worker: hands each message on `port` (default the parent port) to `handle`, and ends the worker,
 * settled, on END. A worker whose work comes on another port calls `serve(() => undefined)` so that its
 * owner can end it.
 */
export function serve<T>(handle: (message: T) => void, port: MessagePort | null = parentPort): void {
  if (!port) throw new Error('serve() runs in a worker thread');
  port.on('message', (message: T | typeof END) => (message === END ? exitSettled() : handle(message as T)));
}

/** How a worker ended: by itself (asked, or out of work), or terminated after the grace period. */
export type WorkerEnd = 'ended' | 'terminated';

/**
 * Ends `worker`: asks it to end (`ask`, by default the END message on its parent port), keeps the process
 * alive until it has exited, and terminates it if it has not within `graceMs`. Resolves at once for a
 * worker that has exited already.
 */
export function endWorker(worker: Worker, o: { ask?: () => void; graceMs?: number } = {}): Promise<WorkerEnd> {
  // (-1 once its 'exit' event has been emitted: it will not be again)
  if (worker.threadId === -1) return Promise.resolve('ended');
  return new Promise<WorkerEnd>((resolve) => {
    const exited = (): void => {
      clearTimeout(timer);
      resolve('ended');
    };
    worker.once('exit', exited);
    worker.ref();
    const timer = setTimeout(() => {
      worker.off('exit', exited);
      void worker.terminate().then(() => resolve('terminated'), () => resolve('terminated'));
    }, o.graceMs ?? END_GRACE_MS);
    try {
      if (o.ask) o.ask();
      else worker.postMessage(END);
    } catch {
      // its port is closed: it is ending already
    }
  });
}
