import { describe, expect, it } from 'vitest';
import { FeedError } from '../../src/core/errors.js';
import { withRetries } from '../../src/fetch/retry.js';
import { runScheduled } from '../../src/fetch/schedule.js';
import { parseMaxAge, parseRetryAfter } from '../../src/fetch/http.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runScheduled', () => {
  it('keeps to the global and per-host bounds, and hosts take turns', async () => {
    const tasks = [...Array.from({ length: 6 }, (_, i) => `a/${i}`), ...Array.from({ length: 3 }, (_, i) => `b/${i}`)];
    const active = new Map<string, number>();
    let total = 0;
    let maxTotal = 0;
    const maxPerHost = new Map<string, number>();
    const order: string[] = [];
    const out = await runScheduled(tasks, (t) => t.split('/')[0]!, { concurrency: 3, perHost: 2, hostDelayMs: 0 }, async (t) => {
      const h = t.split('/')[0]!;
      order.push(t);
      active.set(h, (active.get(h) ?? 0) + 1);
      total++;
      maxTotal = Math.max(maxTotal, total);
      maxPerHost.set(h, Math.max(maxPerHost.get(h) ?? 0, active.get(h)!));
      await tick(10);
      active.set(h, active.get(h)! - 1);
      total--;
      return t.toUpperCase();
    });
    expect(out).toEqual(tasks.map((t) => t.toUpperCase()));
    expect(maxTotal).toBe(3);
    expect(maxPerHost.get('a')).toBe(2);
    // host b gets its turn early rather than after all of a
    expect(order.indexOf('b/0')).toBeLessThan(3);
  });

  it('waits the host delay between starts on one host, not across hosts', async () => {
    const starts: Record<string, number[]> = { a: [], b: [] };
    const t0 = Date.now();
    await runScheduled(['a', 'a', 'a', 'b'], (t) => t, { concurrency: 4, perHost: 4, hostDelayMs: 60 }, async (t) => {
      starts[t]!.push(Date.now() - t0);
    });
    const a = starts.a!;
    expect(a[1]! - a[0]!).toBeGreaterThanOrEqual(55);
    expect(a[2]! - a[1]!).toBeGreaterThanOrEqual(55);
    expect(starts.b![0]!).toBeLessThan(40);
  });

  it('a host with manners of its own (fetch.hosts) keeps to them; the others to perHost and hostDelay', async () => {
    const starts: Record<string, number[]> = { own: [], other: [] };
    const active: Record<string, number> = { own: 0, other: 0 };
    const most: Record<string, number> = { own: 0, other: 0 };
    const t0 = Date.now();
    const hosts = new Map([['own', { perHost: 3, hostDelayMs: 0 }]]);
    await runScheduled(['own', 'own', 'own', 'other', 'other'], (t) => t, { concurrency: 8, perHost: 1, hostDelayMs: 80, hosts }, async (t) => {
      starts[t]!.push(Date.now() - t0);
      most[t] = Math.max(most[t]!, ++active[t]!);
      await tick(20);
      active[t]!--;
    });
    expect(most.own).toBe(3);
    expect(most.other).toBe(1);
    expect(Math.max(...starts.own!)).toBeLessThan(40);
    expect(starts.other![1]! - starts.other![0]!).toBeGreaterThanOrEqual(75);
  });

  it('local files (host "") are bound only by the global limit and have no delay', async () => {
    const t0 = Date.now();
    await runScheduled(['', '', '', ''], () => '', { concurrency: 4, perHost: 1, hostDelayMs: 1000 }, async () => tick(5));
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('stops starting tasks once the signal aborts, and reports the rest as not run', async () => {
    const ac = new AbortController();
    const out = await runScheduled([1, 2, 3, 4, 5], () => 'h', { concurrency: 1, perHost: 1, hostDelayMs: 0, signal: ac.signal }, async (n) => {
      if (n === 2) ac.abort();
      await tick(5);
      return n;
    });
    expect(out).toEqual([1, 2, undefined, undefined, undefined]);
  });

  it('an error thrown by the work rejects the run after running tasks finish', async () => {
    await expect(
      runScheduled([1, 2, 3], () => 'h', { concurrency: 2, perHost: 2, hostDelayMs: 0 }, async (n) => {
        if (n === 1) throw new Error('disk full');
        await tick(5);
        return n;
      }),
    ).rejects.toThrow('disk full');
  });

  it('an empty list resolves at once', async () => {
    expect(await runScheduled([], () => 'h', { concurrency: 1, perHost: 1, hostDelayMs: 0 }, async () => 1)).toEqual([]);
  });
});

describe('withRetries', () => {
  const policy = { retries: 2, baseDelayMs: 10, maxWaitMs: 1000, random: () => 0.5 };

  it.each([
    ['a timeout', new FeedError('timeout', 'timed out'), 3],
    ['a reset', new FeedError('network', 'connection reset'), 3],
    ['a 503', new FeedError('http', 'HTTP 503', { status: 503 }), 3],
    ['a 429', new FeedError('http', 'HTTP 429', { status: 429 }), 3],
    ['a 404', new FeedError('http', 'HTTP 404', { status: 404 }), 1],
    ['a 501', new FeedError('http', 'HTTP 501', { status: 501 }), 1],
    ['a TLS error', new FeedError('network', 'TLS error with x: CERT_HAS_EXPIRED'), 1],
    ['an HTML page', new FeedError('not-a-feed', 'got an HTML page'), 1],
    ['a body too large', new FeedError('too-large', 'body larger than 5 MB'), 1],
  ])('%s is tried %d time(s)', async (_what, err, tries) => {
    let n = 0;
    await expect(
      withRetries(async () => {
        n++;
        throw err;
      }, policy),
    ).rejects.toBe(err);
    expect(n).toBe(tries);
  });

  it('succeeds on a later try and says how many it took', async () => {
    let n = 0;
    const r = await withRetries(async () => {
      if (++n < 3) throw new FeedError('timeout', 'timed out');
      return 'ok';
    }, policy);
    expect(r).toEqual({ value: 'ok', attempts: 3 });
  });

  it("waits the server's Retry-After when it is short, and gives up at once when it is long", async () => {
    let n = 0;
    const t0 = Date.now();
    await withRetries(async () => {
      if (++n === 1) throw new FeedError('http', 'HTTP 503', { status: 503, retryAfterMs: 120 });
      return 1;
    }, policy);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    n = 0;
    await expect(
      withRetries(async () => {
        n++;
        throw new FeedError('http', 'HTTP 429', { status: 429, retryAfterMs: 3_600_000 });
      }, policy),
    ).rejects.toThrow('HTTP 429');
    expect(n).toBe(1);
  });
});

describe('server hints', () => {
  it.each([
    ['max-age=600', 600_000],
    ['public, s-maxage=120, max-age=60', 120_000],
    ['no-cache, max-age=600', null],
    ['private', null],
    [null, null],
  ])('Cache-Control %j → %j ms', (header, want) => {
    expect(parseMaxAge(header)).toBe(want);
  });

  it.each([
    ['120', 120_000],
    ['Fri, 20 Nov 2026 12:01:00 GMT', 60_000],
    ['Fri, 20 Nov 2026 11:00:00 GMT', 0],
    ['soon', null],
    [null, null],
  ])('Retry-After %j → %j ms', (header, want) => {
    expect(parseRetryAfter(header, Date.UTC(2026, 10, 20, 12))).toBe(want);
  });
});
