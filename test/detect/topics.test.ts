import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as fromSources from '../../src/detect/topics.js';
import { packBuckets } from '../../src/core/buckets.js';
import { snapshotValue, type EngineSnapshot } from '../../src/detect/detect.js';
import type { Bucket } from '../../src/core/types.js';
import { ROOT } from '../helpers/cli.js';
import { rng } from '../helpers/rng.js';

/** Two saved states alike as values (each one a state: what it carries, and the engine's state). */
const sameValue = (a: EngineSnapshot, b: EngineSnapshot) => {
  const x = snapshotValue(a);
  return x !== null && isDeepStrictEqual(x, snapshotValue(b));
};

// Topics' moments are the same whichever thread found them: detectAll on one thread, on two (each taking
// the next topic), and with the worker doing every topic. The worker runs the built code (dist/, which
// `npm test` builds first); from the TypeScript sources there is no worker and all is done inline.

const Q = 15 * 60_000;
const DAY = 86_400_000;
const AS_OF = Date.UTC(2026, 10, 20, 12);

/** A topic's counts over 70 days: a daily rhythm around `level` stories a quarter, a burst a day before AS_OF. */
function topicBuckets(seed: number, level: number): Bucket[] {
  const r = rng(seed);
  const out: Bucket[] = [];
  for (let t = AS_OF - 70 * DAY; t < AS_OF; t += Q) {
    const hour = new Date(t).getUTCHours();
    const burst = t >= AS_OF - DAY && t < AS_OF - DAY + 3 * 3_600_000 ? 8 * level + 6 : 0;
    const count = Math.floor(r() * 2 * level * (hour >= 8 && hour < 20 ? 1.5 : 0.5) + burst);
    if (count === 0) continue;
    const scored = Math.floor(count * 0.8);
    const mean = burst ? -0.6 : r() * 0.4 - 0.1;
    out.push({ start: t, count, items: count + Math.floor(r() * 3), scored, sentimentSum: scored * mean, sentimentSumSq: scored * mean * mean + scored * 0.05 });
  }
  return out;
}

function jobs(): fromSources.TopicJob[] {
  return Array.from({ length: 8 }, (_, i) => ({
    topic: `Topic ${i}`,
    buckets: packBuckets(topicBuckets(i + 1, [0.3, 2, 10, 40][i % 4]!)),
    options: { asOf: AS_OF, from: AS_OF - 7 * DAY, bucketMs: Q, baselineMs: 14 * DAY, sensitivity: 'medium' as const, historyStart: AS_OF - 70 * DAY },
    saveBy: AS_OF - 8 * DAY,
  }));
}

const momentsOf = (r: { results: fromSources.TopicResult[] }) => r.results.map((x) => x.moments);

describe('detectAll: the engine on many topics, on one thread or two', () => {
  it('finds the same moments on one thread, on two, and with the worker doing every topic, resumed or not', async () => {
    const built = (await import(pathToFileURL(path.join(ROOT, 'dist', 'detect', 'topics.js')).href)) as typeof fromSources;
    const list = jobs();
    const one = built.detectAll(list, (i) => list[i]!, { threads: 1 });
    expect(one.byWorker).toBe(0);
    const spikes = momentsOf(one)
      .flat()
      .filter((m) => m.kind === 'volume-spike' && m.start >= AS_OF - DAY - Q && m.start <= AS_OF - DAY + Q);
    expect(spikes.length).toBeGreaterThanOrEqual(4); // the planted bursts are found: there is something to compare

    const workerOnly = built.detectAll(list, (i) => list[i]!, { threads: 2, workerOnly: true });
    expect(workerOnly.byWorker).toBe(list.length);
    expect(momentsOf(workerOnly)).toEqual(momentsOf(one));
    expect(JSON.stringify(momentsOf(workerOnly))).toBe(JSON.stringify(momentsOf(one)));
    // the states saved are the same too, and resuming from them in the worker finds the same moments
    // (compared as values: the bytes may say the same number differently, as an integer or a double)
    const sameState = (a: fromSources.TopicResult, b: fromSources.TopicResult) =>
      a.snapshot !== null && b.snapshot !== null && a.snapshot.at === b.snapshot.at && sameValue(a.snapshot, b.snapshot);
    expect(workerOnly.results.every((r, i) => sameState(r, one.results[i]!))).toBe(true);
    expect(one.results.every((r) => r.snapshot !== null && r.snapshot.at <= AS_OF - 8 * DAY)).toBe(true);
    const resumed = built.detectAll(list, (i) => ({ ...list[i]!, resume: one.results[i]!.snapshot }), { threads: 2, workerOnly: true });
    expect(resumed.results.every((r) => r.resumed)).toBe(true);
    expect(momentsOf(resumed)).toEqual(momentsOf(one));

    const shared = built.detectAll(list, (i) => list[i]!, { threads: 2 });
    expect(momentsOf(shared)).toEqual(momentsOf(one));
  });

  it('hands each topic\'s result to onResult once, on this thread, whichever thread judged it', async () => {
    const built = (await import(pathToFileURL(path.join(ROOT, 'dist', 'detect', 'topics.js')).href)) as typeof fromSources;
    const list = jobs().slice(0, 4);
    let one: fromSources.TopicResult[] | undefined;
    for (const o of [{ threads: 1 as const }, { threads: 2 as const }, { threads: 2 as const, workerOnly: true }]) {
      const calls: number[] = [];
      const given = new Map<number, fromSources.TopicResult>();
      const r = built.detectAll(list, (i) => list[i]!, {
        ...o,
        onResult: (i, result) => {
          calls.push(i);
          given.set(i, result);
        },
      });
      expect(calls.toSorted((a, b) => a - b)).toEqual(list.map((_, i) => i)); // every topic, once
      expect(r.results.every((x, i) => given.get(i) === x)).toBe(true); // the very result returned
      one ??= r.results;
      expect(momentsOf(r)).toEqual(momentsOf({ results: one }));
      if (o.workerOnly) expect(r.byWorker).toBe(list.length); // (the worker's results are handed on too)
    }
  }, 60_000); // (three runs, two of them starting a worker: seconds on a loaded machine)

  it('warms the engine up on a made-up topic that reaches its rare branches, and no topic comes out different after it', () => {
    // the check a process makes before it warms up, then the same topics after a warm-up in the same process
    const list = jobs().slice(0, 4);
    const before = list.map((j) => fromSources.runJob(j));
    const w = fromSources.warmUp();
    // what the warm-up is for: in its 280 hours the engine alerts on a burst and again as it grows, sees a
    // swing in tone and saves a state once the burst is over, so that the state holds an episode's level
    // (should the engine change so that it no longer does, it warms up less)
    const spike = w.moments.find((m) => m.kind === 'volume-spike' && m.alerts >= 2);
    expect(spike).toBeDefined();
    expect(w.snapshot!.at).toBeGreaterThan(spike!.end);
    expect(w.moments.some((m) => m.kind === 'sentiment-shift')).toBe(true);
    expect(w.snapshot).not.toBeNull();
    const after = list.map((j) => fromSources.runJob(j));
    expect(JSON.stringify(after.map((r) => r.moments))).toBe(JSON.stringify(before.map((r) => r.moments)));
    // (as values, as above: V8 may now write a number of the state as a double rather than an integer)
    expect(after.every((r, i) => r.snapshot !== null && r.snapshot.at === before[i]!.snapshot!.at && sameValue(r.snapshot, before[i]!.snapshot!))).toBe(true);
  });

  it('from the TypeScript sources (no worker to start) does every topic inline', () => {
    const list = jobs().slice(0, 3);
    const r = fromSources.detectAll(list, (i) => list[i]!, { threads: 2, workerOnly: true });
    expect(r.byWorker).toBe(0);
    expect(momentsOf(r)).toEqual(momentsOf(fromSources.detectAll(list, (i) => list[i]!, { threads: 1 })));
  });
});
