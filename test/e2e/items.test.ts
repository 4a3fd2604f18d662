import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { scrubbedEnv } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `momentscan items` over more rows than it reads at once (it lists a page of 1,000 at a time): a script
 * piping `--all --ndjson` gets every item once, in order, with its topics, whatever the count; and one that
 * stops reading (`| head -1`) ends it quietly. A real local feed of 2,600 items, fetched into a real SQLite file.
 */
const ITEMS = 2600;
const AS_OF = '2026-11-20T12:00:00Z';
const WORDS = ['great', 'terrible', 'launch', 'outage', 'record', 'fraud', 'quarter', 'strong', 'weak', 'plan'];

/** A temporary home with the wire's items fetched into its database, and the items command's arguments. */
function wire(): { home: string; args: string[] } {
  const home = tempDir();
  const start = Date.UTC(2026, 10, 1);
  const items: string[] = [];
  for (let k = 0; k < ITEMS; k++) {
    // every 7th item names Acme; two items share each publication time (ties are listed by id)
    const t = start + Math.floor(k / 2) * 600_000;
    const title = `${k % 7 === 0 ? 'Acme' : 'Zeta'} ${WORDS[k % WORDS.length]} ${WORDS[(k * 3) % WORDS.length]} news ${k}`;
    items.push(`<item><title>${title}</title><link>https://wire.example/a/${k}</link><guid>w${k}</guid><pubDate>${new Date(t).toUTCString()}</pubDate></item>`);
  }
  writeFileSync(path.join(home, 'wire.xml'), `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>${items.join('')}</channel></rss>`);
  const config = path.join(home, 'm.yaml');
  writeFileSync(config, 'topics:\n  - name: Acme\n    keywords: [acme]\n  - name: Zeta\n    keywords: [zeta]\nfeeds: [wire.xml]\n');
  const db = path.join(home, 'm.db');
  const fetched = runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home });
  expect(fetched.status, fetched.stderr).toBe(0);
  return { home, args: ['items', '--config', config, '--db', db, '--as-of', AS_OF, '--since', '30d'] };
}

type Row = { id: number; title: string; publishedAt: string; sentiment: number | null; topics: string[] };

describe('momentscan items over many rows', { timeout: 120_000 }, () => {
  it('--all --ndjson lists every item once, newest first, with its topics: the same records as --json', () => {
    const { home, args } = wire();
    const r = runCli([...args, '--all', '--ndjson'], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Row);
    expect(rows).toHaveLength(ITEMS);
    expect(new Set(rows.map((x) => x.id)).size).toBe(ITEMS);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      expect(a.publishedAt > b.publishedAt || (a.publishedAt === b.publishedAt && a.id > b.id), `${a.id} before ${b.id}`).toBe(true);
    }
    for (const x of rows) expect(x.topics).toEqual([x.title.startsWith('Acme') ? 'Acme' : 'Zeta']);
    expect(JSON.parse(runCli([...args, '--all', '--json'], { home }).stdout)).toEqual(rows);
    // --limit cuts the same list, and says so on stderr
    const some = runCli([...args, '--limit', '1500', '--ndjson'], { home });
    expect(some.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as Row).id)).toEqual(rows.slice(0, 1500).map((x) => x.id));
    expect(some.stderr).toBe(`momentscan: showing 1,500 of 2,600 items; --limit 1000 or --all for more\n`);
  });

  it('--sort negative --csv lists every item once, most negative first, unscored last', () => {
    const { home, args } = wire();
    const r = runCli([...args, '--all', '--sort', 'negative', '--csv', '--fields', 'id,sentiment,topics'], { home });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,sentiment,topics');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(ITEMS);
    expect(new Set(rows.map(([id]) => id)).size).toBe(ITEMS);
    const scores = rows.map(([, s]) => (s === '' ? Infinity : Number(s)));
    expect(scores.some((s) => s < 0)).toBe(true);
    for (let i = 1; i < scores.length; i++) expect(scores[i]! >= scores[i - 1]!).toBe(true);
    for (const [, , topics] of rows) expect(['Acme', 'Zeta']).toContain(topics);
  });

  it('--all --ndjson piped into something that stops reading (| head -1) ends quietly with 0', async () => {
    const { home, args } = wire();
    const child = spawn(process.execPath, [BIN, ...args, '--all', '--ndjson'], { env: scrubbedEnv(home) });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let first = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy(); // like head -1: read a little, then close the pipe
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ title: expect.stringMatching(/ news 2599$/) });
  });
});

describe('momentscan items with nothing to list says why', () => {
  it('nothing stored (no config; a config never fetched), and nothing of a topic or a search in the period', () => {
    const home = tempDir();
    // a first run: no config, no database
    const first = runCli(['items'], { home });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('No items are stored yet, and there is no config — write one with `momentscan init`, then `momentscan fetch`.\n');
    // a config, never fetched (the empty database a failed fetch leaves)
    const config = path.join(home, 'm.yaml');
    writeFileSync(config, 'topics:\n  - name: Acme Robotics\n    keywords: [acme]\nfeeds: [wire.xml]\n');
    const db = path.join(home, 'm.db');
    const args = ['items', '--config', config, '--db', db, '--as-of', AS_OF];
    expect(runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home }).status).toBe(3);
    const never = runCli(args, { home });
    expect(never.stdout).toBe('No items are stored yet — fetch the feeds with `momentscan fetch` (`momentscan feeds list` shows how they fare).\n');
    expect(runCli([...args, '--json'], { home }).stdout).toBe('[]\n');
    // items stored, none of the topic or the search asked for: the empty line names them
    writeFileSync(path.join(home, 'wire.xml'), `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description><item><title>Zeta news</title><link>https://wire.example/a/1</link><guid>w1</guid><pubDate>${new Date(Date.UTC(2026, 10, 19)).toUTCString()}</pubDate></item></channel></rss>`);
    expect(runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home }).status).toBe(0);
    expect(runCli([...args, '-t', 'acme'], { home }).stdout).toBe('No items of Acme Robotics from 2026-11-13 12:00 UTC to 2026-11-20 12:00 UTC.\n');
    expect(runCli([...args, '--search', 'glide'], { home }).stdout).toBe('No items matching "glide" from 2026-11-13 12:00 UTC to 2026-11-20 12:00 UTC.\n');
  });
});
