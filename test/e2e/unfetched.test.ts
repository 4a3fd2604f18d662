import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { rng } from '../helpers/rng.js';
import { tempDir } from '../helpers/tmp.js';

// A history used for months with a week nobody fetched: a news search feed that keeps its last 100 items
// (two days) is fetched every day for six weeks; the laptop is then closed from 2026-10-31 to
// 2026-11-10; the first fetch after it finds only new items (the two days before it), and two days later
// the topic has a real burst. The fetch log says when nobody fetched: those buckets are no quiet spell.
const H = 3_600_000;
const D = 24 * H;
const START = Date.UTC(2026, 8, 1);
const CLOSED = Date.UTC(2026, 9, 31, 6);
const OPENED = Date.UTC(2026, 10, 10, 12);
const BURST = Date.UTC(2026, 10, 12, 12);
const END = Date.UTC(2026, 10, 13, 6);
const KEEP = 100;
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

const WORDS = 'alpha bravo cedar delta ember fjord grove harbor iris jade kelp lotus maple nectar onyx pearl quartz river sage thistle umber violet willow yarrow'.split(' ');

/** Items about Steadyco: about 2 an hour, more by day, and 48 more in the six hours of the burst. */
function items(): { t: number; title: string }[] {
  const r = rng(5);
  const out: { t: number; title: string }[] = [];
  for (let t = START; t < END; t += H) {
    const hour = new Date(t).getUTCHours();
    const rate = 2 + 1.5 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + (t >= BURST && t < BURST + 6 * H ? 8 : 0);
    let n = 0;
    for (let p = Math.exp(-rate), cdf = p, u = r(); u > cdf && n < 50; ) (n++, (p *= rate / n), (cdf += p));
    for (let k = 0; k < n; k++) {
      const words = Array.from({ length: 5 }, () => WORDS[Math.floor(r() * WORDS.length)]);
      out.push({ t: t + Math.floor(r() * H), title: `Steadyco ${words.join(' ')} ${out.length}` });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

function feed(all: { t: number; title: string }[], now: number, keep: number): string {
  const shown = all.filter((i) => i.t <= now).slice(-keep).reverse();
  const entries = shown.map((i) => {
    const id = i.title.split(' ').pop();
    return `<item><title>${i.title}</title><link>https://news.example/${id}</link><guid>n${id}</guid><pubDate>${new Date(i.t).toUTCString()}</pubDate></item>`;
  });
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Steadyco - News</title><link>https://news.example/</link><description>search</description>\n${entries.join('\n')}\n</channel></rss>\n`;
}

describe('a week nobody fetched', { timeout: 600_000 }, () => {
  it('is no quiet spell: no moment when fetching resumes, the burst after it is found, timeline says which buckets', () => {
    const home = tempDir();
    const file = path.join(home, 'steadyco.rss.xml');
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, `defaults:\n  bucket: 6h\n  baseline: 14d\ntopics:\n  - name: Steadyco\n    keywords: [steadyco]\n    feeds:\n      - ${file}\n`);
    const db = path.join(home, 'm.db');
    const all = items();
    const cli = (args: string[], at: number) => runCli([...args, '--config', config, '--db', db], { home, env: { MOMENTSCAN_NOW: new Date(at).toISOString() } });
    // the first fetch reads a month back (a backfill); then every day but while the laptop is closed
    const fetches = [Date.UTC(2026, 9, 1, 6)];
    for (let t = fetches[0]! + D; t <= END; t += D) if (t <= CLOSED) fetches.push(t);
    for (let t = OPENED; t <= END; t += 12 * H) fetches.push(t);
    for (const [k, at] of fetches.entries()) {
      writeFileSync(file, feed(all, at, k === 0 ? all.length : KEEP));
      const r = cli(['fetch', '--quiet'], at);
      expect(r.status, r.stderr).toBe(0);
      if (at === OPENED) expect(r.stderr).toContain('every item was new');
    }
    const moments = cli(['moments', '--json', '--since', '10d', '--as-of', iso(END)], END);
    expect(moments.status, moments.stderr).toBe(0);
    const found = (JSON.parse(moments.stdout) as { kind: string; start: string }[]).filter((m) => m.kind === 'volume-spike').map((m) => m.start);
    expect(found).toEqual([iso(BURST)]);

    const timeline = cli(['timeline', 'steadyco', '--json', '--since', '14d', '--as-of', iso(END)], END);
    expect(timeline.status, timeline.stderr).toBe(0);
    const rows = JSON.parse(timeline.stdout) as { start: string; stories: number; expected: number | null; unfetched: boolean }[];
    const unfetched = rows.filter((r) => r.unfetched);
    // from the last fetch before the laptop closed to the bucket of the oldest item the first fetch after it brought
    expect(unfetched[0]!.start).toBe(iso(CLOSED));
    expect(Date.parse(unfetched.at(-1)!.start)).toBeLessThan(OPENED - 12 * H);
    expect(unfetched.every((r) => r.expected === null)).toBe(true);
    // the first bucket read again is expected as such buckets were before the gap, not as after a silent week
    const next = rows[rows.indexOf(unfetched.at(-1)!) + 1]!;
    expect(next.unfetched).toBe(false);
    expect(next.expected).toBeGreaterThan(5);
    const table = cli(['timeline', 'steadyco', '--since', '14d', '--as-of', iso(END)], END);
    expect(table.stdout).toContain('not fetched');
    expect(table.stdout).toMatch(/not fetched: \d+ buckets from 2026-10-31 06:00 UTC met a time nobody fetched/);
  });
});
