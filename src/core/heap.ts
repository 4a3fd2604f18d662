/**
 * The JavaScript heap kept close to what it holds while a big, garbage-making step runs (the story replay
 * at the end of a fetch). V8 normally lets a heap grow far past its live data before it collects the old
 * generation (on a machine with 24 GB it allows gigabytes), so peak memory follows how much garbage a step
 * made: replaying the bench's 100,000 items left a heap of 236 MB holding some 95 MB of live data.
 * `--optimize-for-size` makes V8 collect sooner and grow the heap by smaller steps. It is process-wide and
 * costs CPU where allocation is heavy (on for a whole bench fetch: 48 s of CPU instead of 37, one run
 * each), so it is on only for the step, and off again after.
 */
import { setFlagsFromString } from 'node:v8';

let depth = 0;

/** Runs `step` with V8 favouring a small heap. */
export function withSmallHeap<T>(step: () => T): T {
  if (depth++ === 0) setFlagsFromString('--optimize-for-size');
  try {
    return step();
  } finally {
    if (--depth === 0) setFlagsFromString('--no-optimize-for-size');
  }
}
