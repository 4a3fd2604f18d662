import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { STARTER_CONFIG } from '../../src/config/starter.js';
import { ConfigError } from '../../src/core/errors.js';
import { formatError } from '../../src/core/errors.js';

function errorOf(text: string): string {
  try {
    parseConfigText(text, '/cfg/momentscan.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return formatError(err);
  }
  throw new Error('expected a config error');
}

describe('config', () => {
  it('the starter config that init writes is valid and has topics and feeds', () => {
    const cfg = parseConfigText(STARTER_CONFIG, '/home/u/.config/momentscan/config.yaml');
    expect(cfg.topics.length).toBeGreaterThan(0);
    expect(cfg.topics[0]!.feeds[0]).toMatch(/^https:\/\/news\.google\.com\/rss\/search\?q=/);
    expect(cfg.defaults).toEqual({ bucketMs: 'auto', baselineMs: 14 * 86_400_000, sensitivity: 'medium', language: 'en', country: 'US', timeZone: 'UTC' });
  });

  it("the starter config's comments say what the settings do, as the README does", () => {
    // it said "auto picks 1h to 1d from each topic's volume": auto is 15 minutes (README, defaults.bucket;
    // timeline printed "15m buckets" for a fresh config), and the timeout is per try
    const comment = (key: string) => new RegExp(`^ +${key}: \\S+ +# (.*)$`, 'm').exec(STARTER_CONFIG)?.[1];
    expect(comment('bucket')).toMatch(/auto is 15 minutes/);
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toMatch(/`defaults\.bucket` \| .*`auto` \(default\) is 15 minutes for every topic/);
    expect(comment('timeout')).toMatch(/one try of a feed/);
  });

  it('reads durations, sizes and per-topic buckets; resolves local feed paths against the file', () => {
    const cfg = parseConfigText(
      `defaults: {bucket: 1h, baseline: 7d, sensitivity: high}
fetch: {concurrency: 4, timeout: 30s, maxBytes: 2MB}
database: data/m.db
topics:
  - name: Acme
    keywords: acme
    bucket: 1d
    feeds: [feeds/a.xml, "https://example.com/rss?q=a b"]
feeds: [file:///tmp/x.xml]
`,
      '/cfg/momentscan.yaml',
    );
    expect(cfg.defaults).toEqual({ bucketMs: 3_600_000, baselineMs: 7 * 86_400_000, sensitivity: 'high', language: 'en', country: 'US', timeZone: 'UTC' });
    expect(cfg.fetch).toEqual({
      allowRedirectsTo: [],
      hosts: new Map(),
      concurrency: 4,
      perHost: 2,
      hostDelayMs: 250,
      intervalMs: 15 * 60_000,
      retries: 2,
      timeoutMs: 30_000,
      maxBytes: 2 * 1024 * 1024,
      warnAfter: 3,
    });
    expect(cfg.database).toBe('/cfg/data/m.db');
    expect(cfg.topics[0]).toMatchObject({
      name: 'Acme',
      keywords: ['acme'],
      queryText: '"acme"',
      languages: null,
      stem: false,
      bucketMs: 86_400_000,
      feeds: ['file:///cfg/feeds/a.xml', 'https://example.com/rss?q=a%20b'],
    });
    expect(cfg.feeds).toEqual(['file:///tmp/x.xml']);
  });

  it.each([
    ['topics:\n  - name: A\n    keywords: [a]\n  - name: B\n', 'topics[1]: expected keywords, a query, or feeds whose every item belongs to the topic'],
    ['topics:\n  - name: A\n    query: \'acme OR\'\n', 'topics[0].query: OR at the end of the query: it needs a term after it at column 6 of "acme OR"'],
    ['topics:\n  - name: A\n    keywords: [a]\n    query: b\n', 'topics[0].query: give keywords or a query, not both'],
    ['topics:\n  - name: A\n    keywords: [a]\n    sources: [google-newz]\n', 'topics[0].sources[0]'],
    ['topics:\n  - name: A\n    sources: [google-news]\n', 'topics[0].sources[0]: a google-news source searches for the topic'],
    ['topics:\n  - name: A\n    keywords: [a]\n    languages: [english]\n', 'topics[0].languages[0]'],
    ['defaults:\n  country: USA\n', 'defaults.country'],
    ['topics:\n  - name: A\n    keyword: [a]\n', 'topics[0].keyword: unknown field (did you mean "keywords"?)'],
    ['topics:\n  - name: A\n    keywords: []\n', 'topics[0].keywords: expected at least one keyword'],
    // a keyword of punctuation only (`#`, `&`) is a config error naming the field, not a bare 'no keyword…' (exit 1)
    ['topics:\n  - name: A\n    keywords: ["#", "&"]\n', 'topics[0].keywords: expected a keyword or phrase with letters or digits, got "#", "&"'],
    ['topics:\n  - name: A\n    query: acme\n    exclude: ["+"]\n', 'topics[0].exclude: expected a keyword or phrase with letters or digits, got "+"'],
    ['topics:\n  - name: A\n    keywords: [a]\n  - name: a\n    keywords: [b]\n', 'topics[1].name: "a" is already used by topics[0]'],
    ['defaults:\n  bucket: 6 hours\n', 'defaults.bucket: expected a duration such as 30m, 6h or 14d, got "6 hours"'],
    ['defaults:\n  sensitivity: extreme\n', 'defaults.sensitivity: expected one of low, medium, high, got "extreme"'],
    ['defaults:\n  bucket: 1d\n  baseline: 2d\n', 'defaults.baseline: must be at least 4 buckets long'],
    ['defaults:\n  bucket: 1m\n  baseline: 3650d\n', 'defaults.baseline: 3650d of 1m buckets (defaults.bucket) is 5,296,320 buckets, more than the 1,000,000'],
    ['defaults:\n  baseline: 99999999w\n', 'defaults.baseline: must be at most 3650d (ten years)'],
    ['defaults:\n  bucket: 1d\n  baseline: 3651d\n', 'defaults.baseline: must be at most 3650d (ten years)'],
    ['defaults:\n  baseline: 1000d\ntopics:\n  - name: A\n    keywords: [a]\n    bucket: 1m\n', 'topics[0].bucket: 1000d of 1m buckets (topics[0].bucket) is 1,480,320 buckets'],
    ['topics:\n  - name: A\n    keywords: [a]\n    bucket: 7d\n', 'topics[0].bucket: must be at most a quarter of the baseline (defaults.baseline is 14d)'],
    ['fetch:\n  concurrency: 0\n', 'fetch.concurrency: expected a whole number from 1 to 256, got number 0'],
    // waits a timer cannot take (over 24.8 days fired at once: every feed 'timed out') and bodies that cannot be held
    ['fetch:\n  timeout: 30d\n', 'fetch.timeout: must be at most 1h, got "30d"'],
    ['fetch:\n  hostDelay: 30d\n', 'fetch.hostDelay: must be at most 1h, got "30d"'],
    ['fetch:\n  hosts:\n    a.example: { hostDelay: 2h }\n', 'fetch.hosts.a.example.hostDelay: must be at most 1h, got "2h"'],
    ['notify:\n  timeout: 99999w\n', 'notify.timeout: must be at most 1h, got "99999w"'],
    ['notify:\n  deadline: 30d\n', 'notify.deadline: must be at most 1h, got "30d"'],
    ['fetch:\n  maxBytes: 10GB\n', 'fetch.maxBytes: must be at most 256MB, got "10GB"'],
    ['fetch:\n  maxBytes: 5\n', 'fetch.maxBytes: must be at least 1KB, got number 5'],
    // an environment variable in a path is not expanded: it was taken as a folder of that name, in silence
    ['database: $HOME/m.db\n', 'database: "$HOME/m.db": $HOME is not expanded here (the config names files as they are) — write the path out, or start it with ~/ for the home folder'],
    ['database: ${XDG_DATA_HOME}/momentscan/m.db\n', 'database: "${XDG_DATA_HOME}/momentscan/m.db": ${XDG_DATA_HOME} is not expanded here'],
    ['email:\n  passwordFile: /run/secrets/$USER\n', 'email.passwordFile: "/run/secrets/$USER": $USER is not expanded here'],
    ['rank:\n  accountsWeight: -1\n', 'rank.accountsWeight: expected a number from 0 to 20'],
    ['rank:\n  accountsWeight: lots\n', 'rank.accountsWeight: expected a number from 0 to 20'],
    ['rank:\n  accountWeight: 1\n', 'rank.accountWeight: unknown field (did you mean "accountsWeight"?)'],
    ['feeds:\n  - ftp://example.com/feed\n', 'feeds[0]: expected an http(s) URL, a file:// URL or a local path'],
    ['topics: {name: A}\n', 'topics: expected a list, got a mapping'],
    ['- a\n- b\n', '(top level): expected a mapping, got a list'],
    ['topics:\n  - name: A\n   keywords: [a]\n', 'invalid YAML'],
    ['topics:\n  - name: A\n    name: B\n    keywords: [a]\n', 'invalid YAML'],
  ])('%j is rejected naming the file and field', (text, message) => {
    const err = errorOf(text);
    expect(err).toContain('/cfg/momentscan.yaml: ');
    expect(err).toContain(message);
    expect(err.split('\n')).toHaveLength(1);
  });

  it("a topic's languages: its search sources search in each of them, a country written with one asks for that edition", () => {
    const cfg = parseConfigText(
      'topics:\n  - name: A\n    keywords: [acme]\n    languages: [de, pt-BR, en-GB]\n    sources: [google-news, reddit, { google-news: { language: fr } }]\n',
      '/cfg/momentscan.yaml',
    );
    // (it was one English feed for the US, whatever the languages; pt-BR a config error)
    expect(cfg.topics[0]!.languages).toEqual(['de', 'pt', 'en']);
    expect(cfg.topics[0]!.feeds.map((u) => new URL(u)).map((u) => `${u.hostname} ${u.searchParams.get('hl') ?? ''} ${u.searchParams.get('ceid') ?? ''}`.trim())).toEqual([
      'news.google.com de DE:de',
      'news.google.com pt-BR BR:pt-419',
      'news.google.com en-GB GB:en',
      'www.reddit.com',
      'news.google.com fr FR:fr',
    ]);
    // defaults.country written in the config is the country of every search that names none
    const ch = parseConfigText('defaults: { country: CH }\ntopics:\n  - name: A\n    keywords: [acme]\n    languages: [de]\n    sources: [google-news]\n', '/cfg/m.yaml');
    expect(new URL(ch.topics[0]!.feeds[0]!).searchParams.get('ceid')).toBe('CH:de');
  });

  it.each([
    ['a source\'s language', 'topics:\n  - name: A\n    keywords: [acme]\n    sources: [{ google-news: { language: pt-BR } }, { bing-news: { language: en_gb } }]\n'],
    ['defaults.language', 'defaults: { language: pt-BR }\ntopics:\n  - name: A\n    keywords: [acme]\n    sources: [google-news, bing-news]\n'],
  ])('%s takes a language with its country (pt-BR) as topics[].languages does: that edition', (_what, text) => {
    // (it was a config error: 'expected a two-letter language code such as en, de or fr, got "pt-BR"')
    const feeds = parseConfigText(text, '/cfg/momentscan.yaml').topics[0]!.feeds.map((u) => new URL(u));
    expect(feeds[0]!.searchParams.get('ceid')).toBe('BR:pt-419');
    expect([feeds[1]!.searchParams.get('setlang'), feeds[1]!.searchParams.get('cc')]).toEqual(text.includes('en_gb') ? ['en', 'GB'] : ['pt', 'BR']);
  });

  it.each([
    ['topics:\n  - name: A\n    keywords: [acme]\n    sources: [{ google-news: { language: pt-BR, country: PT } }]\n', 'topics[0].sources[0].google-news.language: "pt-BR" names the country BR, and country says "PT": give the country once'],
    ['topics:\n  - name: A\n    keywords: [acme]\n    sources: [{ google-news: { language: portuguese } }]\n', 'expected a two-letter language code such as en, de or fr, or one with its country such as pt-BR or en-GB, got "portuguese"'],
  ])('a language the config cannot take says what it takes (%#)', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('YAML syntax errors say where', () => {
    expect(errorOf('topics:\n  - name: A\n   keywords: [a]\n')).toMatch(/line \d+, column \d+/);
  });

  it('a missing file is an error only when it was asked for', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ms-cfg-'));
    expect(loadConfig(path.join(dir, 'nope.yaml'), false).topics).toEqual([]);
    expect(() => loadConfig(path.join(dir, 'nope.yaml'), true)).toThrow(/config file not found/);
    const empty = path.join(dir, 'empty.yaml');
    writeFileSync(empty, '# nothing yet\n');
    expect(loadConfig(empty, true).topics).toEqual([]);
  });
});

describe('config files in another encoding than UTF-8', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'momentscan-cfg-'));
  const yaml = 'topics:\n  - name: Café Zürich\n    keywords: [café]\n';
  const write = (name: string, bytes: Buffer): string => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml, 'utf16le')]);
  const utf16be = Buffer.from(utf16le.map((_, i) => utf16le[i ^ 1]!));

  it.each([
    ['UTF-16 LE with a byte-order mark (Notepad\'s "Unicode")', 'le.yaml', utf16le],
    ['UTF-16 BE with a byte-order mark', 'be.yaml', utf16be],
    ['UTF-16 LE without one', 'le-nobom.yaml', Buffer.from(yaml, 'utf16le')],
  ])('%s: one line saying so, not the garbled text', (_what, name, bytes) => {
    const file = write(name, bytes);
    expect(() => loadConfig(file, true)).toThrow(ConfigError);
    expect(formatError(catchError(() => loadConfig(file, true)))).toBe(`${file}: the config file is UTF-16 text, momentscan reads UTF-8 — save it as UTF-8 (Notepad: Save as, Encoding UTF-8)`);
  });

  it.each([
    ['gzip-compressed', 'gz.yaml', gzipSync(yaml)],
    ['a program', 'elf.yaml', Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0', 'latin1'), Buffer.alloc(64), Buffer.from(yaml)])],
  ])('binary data (%s) is called that, not UTF-16 text', (_what, name, bytes) => {
    const file = write(name, bytes);
    expect(formatError(catchError(() => loadConfig(file, true)))).toBe(
      `${file}: the config file is binary data, not text — check the path: the config file is a UTF-8 text file (a compressed one is unpacked first)`,
    );
  });

  it('Latin-1: names the line of the first byte that is not UTF-8', () => {
    const file = write('latin1.yaml', Buffer.from(yaml, 'latin1'));
    expect(formatError(catchError(() => loadConfig(file, true)))).toBe(`${file}: line 2 is not UTF-8 text — save the config file as UTF-8`);
  });

  it('UTF-8, with or without a byte-order mark, reads as before', () => {
    expect(loadConfig(write('utf8.yaml', Buffer.from(yaml)), true).topics[0]!.name).toBe('Café Zürich');
    expect(loadConfig(write('bom.yaml', Buffer.from(`\uFEFF${yaml}`)), true).topics[0]!.name).toBe('Café Zürich');
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('config files that would take too long or too much', () => {
  it('refuses a config file over 1 MB without parsing it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'momentscan-cfg-'));
    const file = path.join(dir, 'huge.yaml');
    writeFileSync(file, `topics:\n${Array.from({ length: 30_000 }, (_, i) => `  - name: Topic ${i}\n    keywords: [acme${i}]\n`).join('')}`);
    expect(() => loadConfig(file, true)).toThrow(ConfigError);
    expect(() => loadConfig(file, true)).toThrow(/huge\.yaml: the config file is 1\.\d MB, more than the 1 MB momentscan reads$/);
  });

  it('refuses a config path that is not a regular file (a FIFO would block)', () => {
    expect(() => loadConfig('/dev/zero', true)).toThrow(/^\/dev\/zero: not a regular file$/);
  });

  it.each([
    ['a YAML alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`, /^\/cfg\/momentscan\.yaml: YAML aliases expand too far .* — /],
    ['YAML nested 50,000 deep', `topics: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, /^\/cfg\/momentscan\.yaml: .*nested/],
    ['a query nested 10,000 parentheses deep', `topics:\n  - name: Deep\n    query: "${'('.repeat(10_000)}acme${')'.repeat(10_000)}"\n`, /^\/cfg\/momentscan\.yaml: topics\[0\]\.query: groups nested more than 100 deep at column 101 of/],
  ])('%s is a config error naming the file (exit 2)', (_name, text, message) => {
    expect(errorOf(text)).toMatch(message);
  });
});

describe('keywords written as one string', () => {
  it('refuses "keywords: acme, northwind" (one phrase no text contains) and shows the list to write', () => {
    expect(errorOf('topics:\n  - name: Rivals\n    keywords: acme, northwind\n')).toMatch(
      /^\/cfg\/momentscan\.yaml: topics\[0\]\.keywords: got one string with commas in it \("acme, northwind"\); write a list: keywords: \[acme, northwind\]/,
    );
    expect(parseConfigText('topics:\n  - name: Acme\n    keywords: acme\n', '/cfg/m.yaml').topics[0]!.queryText).toBe('"acme"');
  });
});
