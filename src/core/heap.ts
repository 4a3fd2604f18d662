/**
 * The JavaScript heap kept close to what it holds while a big, garbage-making step runs (the story replay
 * at the end of a fetch). V8 normally lets a heap grow far past its live data before it collects the old
 * generation (on a machine with 24 GB it allows gigabytes), so peak memory follows how much garbage a step
 * made: replaying the bench's 100,000 items left a heap of 236 MB holding some 95 MB of live data.
 * `--optimize-for-size` makes V8 collect sooner and grow the heap by smaller steps. It is process-wide and
 * costs CPU where allocation is heavy (on for a whole bench fetch: 48 s of CPU instead of 37, one run
 * each), so it is on only for the step, and off again after.
 */
import { createRequire } from 'node:module';

/**
 * node:v8, loaded when a flag is first set: the store's and the fetch's modules import this one, and a run
 * that sets none (nothing due, every feed 304) does without loading it (~5 ms of a start).
 */
let v8: typeof import('node:v8') | null = null;
const setFlagsFromString = (flags: string): void => (v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(flags);

let depth = 0;

/** Runs `step` with V8 favouring a small heap. */
export function withSmallHeap<T>(step: () => T): T {
  const done = smallHeap();
  try {
    return step();
  } finally {
    done();
  }
}

/**
 * V8 favouring a small heap from now until the function returned is called (once): for a worker started
 * before its step, whose heap is set up as the worker starts (a heap set up without the setting keeps a
 * young generation of up to 16 MB: the story replay's worker so peaked some 20 MB higher).
 */
export function smallHeap(): () => void {
  if (depth++ === 0) setFlagsFromString('--optimize-for-size');
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--depth === 0) setFlagsFromString('--no-optimize-for-size');
  };
}

/**
 * How far V8 lets a heap grow past what survived its last full collection before it collects again, while
 * a fetch runs: 1.5 ×. By default it allows 2–4 × on a machine with this much memory, and the fetch's main
 * thread makes garbage fast (every parsed item crosses from a parse worker as a copy, is saved and
 * dropped), so its heap held two to three times its live data: at the end of the bench's cold fetch
 * ~55 MB live in a heap of 150–180 MB. It is process-wide (the parse workers' heaps follow it too).
 */
const FETCH_GROWING_PERCENT = 50;

let tight = 0;

/** Collects the heaps sooner for a while; returns what puts V8's default back (call it once). */
export function tightHeap(): () => void {
  if (tight++ === 0) setFlagsFromString(`--heap-growing-percent=${FETCH_GROWING_PERCENT}`);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    // 0: V8 decides again
    if (--tight === 0) setFlagsFromString('--heap-growing-percent=0');
  };
}
