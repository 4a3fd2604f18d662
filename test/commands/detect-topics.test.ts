import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fromSources from '../../src/commands/detect-topics.js';
import { packBuckets } from '../../src/core/buckets.js';
import type { Bucket } from '../../src/core/types.js';
import { ROOT } from '../helpers/cli.js';
import { rng } from '../helpers/rng.js';

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
  }));
}

describe('detectAll: the engine on many topics, on one thread or two', () => {
  it('finds the same moments on one thread, on two, and with the worker doing every topic', async () => {
    const built = (await import(pathToFileURL(path.join(ROOT, 'dist', 'commands', 'detect-topics.js')).href)) as typeof fromSources;
    const list = jobs();
    const one = built.detectAll(list, (i) => list[i]!.buckets, { threads: 1 });
    expect(one.byWorker).toBe(0);
    const spikes = one.moments.flat().filter((m) => m.kind === 'volume-spike' && m.start >= AS_OF - DAY - Q && m.start <= AS_OF - DAY + Q);
    expect(spikes.length).toBeGreaterThanOrEqual(4); // the planted bursts are found: there is something to compare

    const workerOnly = built.detectAll(list, (i) => list[i]!.buckets, { threads: 2, workerOnly: true });
    expect(workerOnly.byWorker).toBe(list.length);
    expect(workerOnly.moments).toEqual(one.moments);
    expect(JSON.stringify(workerOnly.moments)).toBe(JSON.stringify(one.moments));

    const shared = built.detectAll(list, (i) => list[i]!.buckets, { threads: 2 });
    expect(shared.moments).toEqual(one.moments);
  });

  it('from the TypeScript sources (no worker to start) does every topic inline', () => {
    const list = jobs().slice(0, 3);
    const r = fromSources.detectAll(list, (i) => list[i]!.buckets, { threads: 2, workerOnly: true });
    expect(r.byWorker).toBe(0);
    expect(r.moments).toEqual(fromSources.detectAll(list, (i) => list[i]!.buckets, { threads: 1 }).moments);
  });
});
