import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsvRecord } from '../../src/core/csv.js';
import { shownWidth } from '../../src/render/text.js';
import { runCli } from '../helpers/cli.js';
import { startServer, type FixtureServer } from '../helpers/server.js';
import { startCli, withTimeout } from '../helpers/spawn.js';

/**
 * Feed text is hostile. One publisher's RSS, Atom and JSON feeds, served from 127.0.0.1, carry escape
 * sequences, C1 controls, bidi overrides, floods of combining marks, 500-letter words, wide text, HTML,
 * Markdown, chat mentions, spreadsheet formulas and odd links, in titles, summaries, authors and
 * publishers, and burst into a moment; then every output the product has shows them.
 */

const E = '\x1b';
const HOSTILE = [
  `zorblax ${E}[31mred${E}[0m ${E}[2J${E}[H cleared ${E}[10A up`,
  `zorblax ${E}]8;;http://evil.example/${E}\\click me${E}]8;;${E}\\ link`,
  `zorblax ${E}]52;c;cm0gLXJmIH4K${E}\\ clipboard ${E}]0;pwned title\x07`,
  `zorblax C1 \u009b31mcsi\u009b0m bel\x07\x07 back\b\b\bspace`,
  `zorblax line\rCR over\nLF inside\ttab\x00nul`,
  `zorblax bidi \u202eexe.live\u202c and \u2066isolate\u2069 \u2067rtl\u2069`,
  `zorblax zwj 👩‍💻 family 👨‍👩‍👧‍👦 flag 🇳🇱 z\u200bw\u200dj`,
  `zorblax combining Z${'\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308'.repeat(20)} flood`,
  `zorblax long ${'A'.repeat(500)} word`,
  `zorblax 中文标题很长的一个新闻标题测试宽字符日本語のニュース한국어뉴스 🎉🎉🎉`,
  `zorblax <script>alert(1)</script> <img src=x onerror=alert(2)> </td></tr></table> <!-- comment`,
  `zorblax [click](javascript:alert(1)) ![x](http://evil.example/x.png) a|b|c *bold* _it_ \`code\` ~~s~~`,
  `zorblax <@everyone> @everyone @here <!channel> <!here> <http://evil.example|trusted text>`,
  `=HYPERLINK("http://evil.example","zorblax click")`,
  `+zorblax plus`,
  `-zorblax minus`,
  `@zorblax at`,
  `zorblax "quotes", commas, 'single' and \\ backslash`,
  `1986. A great year for zorblax`,
  `# zorblax heading`,
];
const LINKS = [
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://accounts.example.com:pw@evil.example/creds',
  'http://evil.example/a path with spaces',
  `https://evil.example/${'x'.repeat(3000)}`,
  'https://evil.example/ok?a=1&b=<2>"',
  'https://evil.example/r/stranded_in_minneapolis/?a=1|2',
];

/** What must never reach a terminal: escape sequences, C0 and C1 controls (but tab and line feed), bidi overrides and isolates. */
const DRIVES_TERMINAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const H = 3_600_000;
const AS_OF = '2026-11-19T06:00:00Z';

function feeds() {
  const items: { title: string; link: string; t: number; summary: string; author: string }[] = [];
  for (let t = Date.UTC(2026, 10, 1); t < Date.UTC(2026, 10, 18, 12); t += 12 * H) items.push({ title: `zorblax routine update ${t}`, link: `https://plain.example/${t}`, t, summary: 'routine zorblax news', author: 'Plain Author' });
  HOSTILE.forEach((title, i) => {
    const link = LINKS[i % LINKS.length]!;
    items.push({
      title,
      // each item a link of its own (one canonical link is one item per feed)
      link: link.startsWith('http') ? `${link}${link.includes('?') ? '&' : '?'}n=${i}` : link,
      t: Date.UTC(2026, 10, 18, 14) + i * 20 * 60_000,
      summary: HOSTILE[(i + 7) % HOSTILE.length]!,
      author: HOSTILE[(i + 3) % HOSTILE.length]!,
    });
  });
  // XML 1.0 cannot hold most C0 controls: they are written raw anyway, as hostile publishers do
  const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const rss = `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${x(HOSTILE[0]!)} ${x(HOSTILE[5]!)}</title><link>https://evil.example/</link>\n${items
    .map((it, i) => `<item><title>${x(it.title)}</title><link>${x(it.link)}</link><guid isPermaLink="false">r${i}</guid><pubDate>${new Date(it.t).toUTCString()}</pubDate><description>${x(it.summary)}</description><author>${x(it.author)}</author><source url="https://evil.example/src">${x(it.author)}</source></item>`)
    .join('\n')}\n</channel></rss>`;
  const atom = `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>${x(HOSTILE[1]!)}</title><id>urn:x</id><updated>2026-11-20T00:00:00Z</updated>\n${items
    .map((it, i) => `<entry><title>${x(it.title)} atom</title><link href="${x(it.link)}"/><id>urn:a${i}</id><updated>${new Date(it.t + 60_000).toISOString()}</updated><summary>${x(it.summary)}</summary><author><name>${x(it.author)}</name></author></entry>`)
    .join('\n')}\n</feed>`;
  // JSON carries every character as it is
  const json = JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: `${HOSTILE[2]} json`,
    items: items.map((it, i) => ({ id: `j${i}`, title: `${it.title} json`, url: it.link, content_text: it.summary, date_published: new Date(it.t + 120_000).toISOString(), authors: [{ name: it.author }] })),
  });
  return { rss, atom, json };
}

let home: string;
let server: FixtureServer;
let run: (args: string[]) => { status: number | null; stdout: string; stderr: string };
const received: Record<string, string[]> = { slack: [], discord: [] };

beforeAll(async () => {
  // one history for every test of the file (tempDir's folders go after each test)
  home = mkdtempSync(path.join(os.tmpdir(), 'momentscan-hostile-'));
  const f = feeds();
  const receive = (name: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received[name]!.push(body);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  };
  server = await startServer({
    '/feed.rss': (_q, r) => r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(f.rss),
    '/feed.atom': (_q, r) => r.writeHead(200, { 'content-type': 'application/atom+xml' }).end(f.atom),
    '/feed.json': (_q, r) => r.writeHead(200, { 'content-type': 'application/feed+json' }).end(f.json),
    '/slack': receive('slack'),
    '/discord': receive('discord'),
  });
  const config = path.join(home, 'c.yaml');
  writeFileSync(
    config,
    [
      'defaults: { bucket: 6h, baseline: 14d }',
      'fetch: { hostDelay: 0ms, retries: 0 }',
      'topics:',
      '  - name: Zorblax',
      '    keywords: [zorblax]',
      `    feeds: [${server.url('/feed.rss')}, ${server.url('/feed.atom')}, ${server.url('/feed.json')}]`,
      '  - name: "\\e[31mEvil\\e[0m Corp \\u202eReversed"',
      '    keywords: [zorblax]',
      'notify:',
      '  channels:',
      `    slack: { type: slack, url: "${server.url('/slack')}" }`,
      `    discord: { type: discord, url: "${server.url('/discord')}" }`,
      '  routes:',
      '    - channels: [slack, discord]',
      '',
    ].join('\n'),
  );
  const db = path.join(home, 'h.db');
  run = (args) => runCli([...args, '--config', config, '--db', db], { home });
  // the server answers in this process: the fetch and notify run alongside it
  const fetched = await withTimeout(startCli(['fetch', '--config', config, '--db', db], { home }).exited, 60_000, 'fetch');
  expect(fetched.status, fetched.stderr).toBe(0);
  expect(fetched.stderr).toContain('3 feeds, 3 ok');
  const notified = await withTimeout(startCli(['notify', '--as-of', AS_OF, '--config', config, '--db', db], { home }).exited, 60_000, 'notify');
  expect(notified.status, notified.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

const since = ['--since', '30d', '--as-of', AS_OF];

describe('hostile feed text through every output', () => {
  const human: [string, string[]][] = [
    ['moments', ['moments', '--as-of', AS_OF]],
    ['moments -v', ['moments', '-v', '--as-of', AS_OF]],
    ['items --explain', ['items', ...since, '--explain', '--all']],
    ['timeline', ['timeline', 'zorb', '--as-of', AS_OF]],
    ['topics', ['topics']],
    ['status', ['status']],
    ['feeds', ['feeds']],
    ['digest', ['digest', '--as-of', AS_OF]],
  ];
  it.each(human)('%s: nothing that drives a terminal, every line within 100 columns (piped) but a bare link', (_name, args) => {
    const r = run(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/zorblax/i);
    expect(r.stdout).not.toMatch(DRIVES_TERMINAL);
    expect(r.stderr).not.toMatch(DRIVES_TERMINAL);
    const width = args[0] === 'digest' ? 78 : 100;
    for (const line of r.stdout.split('\n')) if (!/^\s*https?:\/\/\S+$/.test(line)) expect(shownWidth(line), line).toBeLessThanOrEqual(width);
  });

  it('the escape-named topic is picked by the name tables show', () => {
    const r = run(['moments', '--topic', 'evil', '--json', '--as-of', AS_OF]);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { topic: string }[]).map((m) => m.topic)).toEqual(['\u001b[31mEvil\u001b[0m Corp \u202eReversed']);
  });

  it('JSON and NDJSON parse; CSV reads back to the same text, with no cell a spreadsheet would run', () => {
    const json = JSON.parse(run(['items', ...since, '--all', '--json']).stdout) as Record<string, unknown>[];
    expect(json.length).toBeGreaterThan(100);
    const ndjson = run(['items', ...since, '--all', '--ndjson']).stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ndjson).toEqual(json.map(({ schemaVersion: _, ...rest }) => expect.objectContaining(rest)));
    const csv = run(['items', ...since, '--all', '--csv']).stdout;
    expect(csv).not.toMatch(/\x1b/);
    const records: string[][] = [];
    let pending = '';
    for (const line of csv.split('\r\n').slice(0, -1)) {
      pending = pending ? `${pending}\r\n${line}` : line;
      const fields = splitCsvRecord(pending);
      if (fields) {
        records.push(fields);
        pending = '';
      }
    }
    const [head, ...rows] = records;
    expect(rows).toHaveLength(json.length);
    rows.forEach((row, i) => {
      for (const [k, key] of head!.entries()) {
        const cell = row[k]!;
        if (/^[=+\-@\t\r]/.test(cell)) expect(cell, key).toMatch(/^-?\d/);
        const value = json[i]![key];
        if (typeof value === 'string' && ['title', 'summary', 'link', 'source'].includes(key)) expect([value, `'${value}`]).toContain(cell);
      }
    });
    expect(rows.some((r) => r[head!.indexOf('title')]!.startsWith('\'=HYPERLINK('))).toBe(true);
  });

  it('Markdown: feed text stays in its cell and adds no markup; the digest links http(s) only', () => {
    const md = run(['items', ...since, '--all', '--format', 'markdown']).stdout.trimEnd().split('\n');
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    for (const line of md) expect(cells(line)).toBe(cells(md[0]!));
    const body = md.slice(2).join('\n').replace(/(?<=\| )<https?:\/\/[^\s<>|]+>(?= \|)/g, '');
    expect(body).not.toMatch(/(?<!\\)[[\]<>*_`~&]/);
    const digest = run(['digest', '--as-of', AS_OF, '--format', 'markdown']).stdout;
    expect(digest).not.toMatch(/(?<!\\)\]\((?!<https?:\/\/)/);
    expect(digest).not.toMatch(/^\d+\. (?:#|1986\.)/m);
  });

  it('HTML digest: no markup, script or link from feed text; links http(s) only, without credentials', () => {
    const html = run(['digest', '--as-of', AS_OF, '--format', 'html']).stdout;
    expect(html).not.toMatch(/<script|<img|onerror=|<!--/i);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^https?:\/\/[^@/]+\//);
    expect(html).not.toMatch(DRIVES_TERMINAL);
  });

  it('chat messages: valid JSON, nobody pinged, within the limits', () => {
    expect(received.slack!.length).toBeGreaterThan(0);
    for (const body of received.slack!) {
      const p = JSON.parse(body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
      const all = JSON.stringify(p);
      for (const ping of ['<!channel>', '<!here>', '<!everyone>', '<@everyone>', '<http://evil.example|']) expect(all).not.toContain(ping);
      for (const b of p.blocks) if (b.type === 'section') expect([...b.text!.text].length).toBeLessThanOrEqual(3000);
      expect(all).not.toMatch(DRIVES_TERMINAL);
    }
    expect(received.discord!.length).toBeGreaterThan(0);
    for (const body of received.discord!) {
      const p = JSON.parse(body) as { allowed_mentions: unknown };
      expect(p.allowed_mentions).toEqual({ parse: [] });
      expect(body).not.toMatch(/(?<!\\\\)<@/);
    }
  });
});
