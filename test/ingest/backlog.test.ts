import { describe, expect, it } from 'vitest';
import { backlog, type Backlog, type BacklogTicket } from '../../src/ingest/backlog.js';

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A feed through the backlog: opened, then let in with `bytes`; `in` says whether it has been let in yet. */
async function feed(b: Backlog, bytes: number) {
  const ticket = await b.open();
  const f = { in: false, ticket };
  void ticket.acquire(bytes).then(() => (f.in = true));
  await settle();
  return f;
}

describe('the fetch backlog: bounded in feeds and in bytes', () => {
  it('lets feeds in while their bytes fit, and the next once one is released', async () => {
    const b = backlog(16, 100);
    const a = await feed(b, 40);
    const c = await feed(b, 40);
    const t = await b.open();
    let d = false;
    void t.acquire(40).then(() => (d = true));
    await settle();
    expect([a.in, c.in, d]).toEqual([true, true, false]); // 120 > 100
    b.release(40);
    await settle();
    expect(d).toBe(true);
  });

  it('a feed larger than the bound goes through alone: once nothing else is held, and nothing with it', async () => {
    const b = backlog(16, 100);
    const small = await feed(b, 10);
    const t = await b.open();
    let big = false;
    void t.acquire(500).then(() => (big = true));
    await settle();
    expect(big).toBe(false);
    b.release(10);
    await settle();
    expect(big).toBe(true);
    expect(small.in).toBe(true);
    // nothing new starts while it is held, and what comes in meanwhile waits for it to go
    let opened = false;
    void b.open().then(() => (opened = true));
    await settle();
    expect(opened).toBe(false);
    b.release(500);
    await settle();
    expect(opened).toBe(true);
  });

  it('keeps arrival order: a small feed that would fit does not pass a big one waiting', async () => {
    const b = backlog(16, 100);
    const [t0, t1, t2] = [await b.open(), await b.open(), await b.open()];
    await t0.acquire(60);
    const order: string[] = [];
    void t1.acquire(60).then(() => order.push('big'));
    void t2.acquire(10).then(() => order.push('small'));
    await settle();
    expect(order).toEqual([]);
    b.release(60);
    await settle();
    expect(order).toEqual(['big', 'small']);
  });

  it('bounds the feeds held in number too, whatever their size', async () => {
    const b = backlog(2, 1_000_000);
    const fs = [await feed(b, 1), await feed(b, 1), await feed(b, 1)];
    expect(fs.map((f) => f.in)).toEqual([true, true, false]);
    b.release(1);
    await settle();
    expect(fs[2]!.in).toBe(true);
  });

  it('fetching waits while the backlog is full: held, waiting and opened downloads (at the mean size) count', async () => {
    const b = backlog(16, 100);
    // nothing known yet: downloads open freely (the fetch's concurrency bounds them)
    const first: BacklogTicket[] = [await b.open(), await b.open(), await b.open()];
    await first[0]!.acquire(30); // mean 30
    let opened = 0;
    const more = [b.open(), b.open(), b.open()].map((p) => p.then((t) => (opened++, t)));
    await settle();
    // 30 held + 2 opened × 30 = 90 < 100: one more; then 120 ≥ 100
    expect(opened).toBe(1);
    first[1]!.cancel(); // a 304: nothing held, its place given back (to one other)
    first[1]!.cancel(); // (once)
    await settle();
    expect(opened).toBe(2);
    b.release(30); // 0 held, 3 opened: 90 < 100
    await settle();
    expect(opened).toBe(3);
    first[2]!.cancel();
    for (const t of await Promise.all(more)) t.cancel();
    // everything given back: a download opens at once
    await expect(b.open()).resolves.toBeDefined();
  });
});
