import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_MIN_BYTES } from '../../src/config/cache.js';
import { loadConfig } from '../../src/config/load.js';

/** A config of `feeds` feeds under one topic (2,000 feeds is about 100 KB of YAML, like the benchmark's). */
function bigConfig(feeds: number, topic = 'Acme Robotics', extra = ''): string {
  const lines = ['fetch:', '  concurrency: 8', extra, 'topics:', `  - name: "${topic}"`, '    keywords: ["acme"]', '    feeds:'];
  for (let i = 0; i < feeds; i++) lines.push(`      - http://127.0.0.1:9/feeds/${String(i).padStart(5, '0')}.xml`);
  return `${lines.join('\n')}\n`;
}

describe('parsed configs kept in the cache folder', () => {
  let dir: string;
  let cache: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'momentscan-cfgcache-'));
    cache = path.join(dir, 'cache');
    saved = process.env.MOMENTSCAN_CACHE_DIR;
    process.env.MOMENTSCAN_CACHE_DIR = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.MOMENTSCAN_CACHE_DIR;
    else process.env.MOMENTSCAN_CACHE_DIR = saved;
  });
  const entries = (): string[] => {
    try {
      return readdirSync(path.join(cache, 'config'));
    } catch {
      return [];
    }
  };

  it('a large config reads the same from its cache entry as from its YAML, and an edit is seen at once', () => {
    const file = path.join(dir, 'momentscan.yaml');
    writeFileSync(file, bigConfig(2000));
    const first = loadConfig(file, true);
    expect(entries()).toHaveLength(1);
    const again = loadConfig(file, true);
    expect(again).toEqual(first);
    expect(again.topics[0]!.feeds).toHaveLength(2000);
    // edited in place (same size: one letter of the topic's name): the new text is what counts
    writeFileSync(file, bigConfig(2000, 'Acme Robotixs'));
    expect(loadConfig(file, true).topics[0]!.name).toBe('Acme Robotixs');
    expect(entries()).toHaveLength(1); // one entry per config file, replaced
  });

  it('configs at two paths have an entry each, a deeply nested one too; a copy of an entry is no use for another path', () => {
    const deep = path.join(dir, 'a-folder-with-a-long-name'.repeat(4), 'and-another-one-inside-it'.repeat(4));
    mkdirSync(deep, { recursive: true });
    const near = path.join(dir, 'momentscan.yaml');
    const far = path.join(deep, 'momentscan.yaml');
    writeFileSync(near, bigConfig(1000));
    writeFileSync(far, bigConfig(1000, 'Globex'));
    expect(loadConfig(near, true).topics[0]!.name).toBe('Acme Robotics');
    expect(loadConfig(far, true).topics[0]!.name).toBe('Globex');
    expect(entries()).toHaveLength(2);
    expect(entries().every((e) => e.length <= 255)).toBe(true);
    expect(loadConfig(far, true).topics[0]!.name).toBe('Globex');
    // the near config's entry copied over the far one's: its text is not the far file's, so the YAML is read
    const [a, b] = entries().map((e) => path.join(cache, 'config', e));
    const nearEntry = readFileSync(a!, 'utf8').includes('Acme Robotics') ? a! : b!;
    const farEntry = nearEntry === a ? b! : a!;
    writeFileSync(farEntry, readFileSync(nearEntry));
    expect(loadConfig(far, true).topics[0]!.name).toBe('Globex');
  });

  it('a damaged cache entry is ignored and rewritten', () => {
    const file = path.join(dir, 'momentscan.yaml');
    writeFileSync(file, bigConfig(1000));
    const first = loadConfig(file, true);
    const entry = path.join(cache, 'config', entries()[0]!);
    writeFileSync(entry, '{"key": "');
    expect(loadConfig(file, true)).toEqual(first);
    expect(JSON.parse(readFileSync(entry, 'utf8')).parsed.topics[0].name).toBe('Acme Robotics');
  });

  it('a cache entry is validated like the YAML: an invalid config is as invalid the second time', () => {
    const file = path.join(dir, 'momentscan.yaml');
    writeFileSync(file, bigConfig(1000, 'Acme', '  retries: lots'));
    expect(() => loadConfig(file, true)).toThrow(/retries/);
    expect(() => loadConfig(file, true)).toThrow(/retries/);
  });

  it('a cache folder that cannot be written is no error; small configs are not cached', () => {
    // a file where the folder should be: no folder can be made there, whoever runs this
    writeFileSync(cache, 'not a folder');
    const file = path.join(dir, 'momentscan.yaml');
    writeFileSync(file, bigConfig(1000));
    expect(loadConfig(file, true).topics[0]!.feeds).toHaveLength(1000);
    expect(loadConfig(file, true).topics[0]!.feeds).toHaveLength(1000);
    process.env.MOMENTSCAN_CACHE_DIR = cache = path.join(dir, 'cache2');
    const small = path.join(dir, 'small.yaml');
    writeFileSync(small, bigConfig(3));
    expect(readFileSync(small, 'utf8').length).toBeLessThan(CACHE_MIN_BYTES);
    const entriesBefore = entries().length;
    loadConfig(small, true);
    expect(entries()).toHaveLength(entriesBefore);
  });

  it('YAML that JSON cannot hold exactly (.inf) is parsed every time, with the same result', () => {
    const file = path.join(dir, 'momentscan.yaml');
    writeFileSync(file, bigConfig(1000, 'Acme', '  warnAfter: .inf'));
    let first: unknown;
    let failed: unknown;
    try {
      first = loadConfig(file, true);
    } catch (err) {
      failed = err;
    }
    expect(entries()).toHaveLength(0);
    if (failed) expect(() => loadConfig(file, true)).toThrow((failed as Error).message);
    else expect(loadConfig(file, true)).toEqual(first);
  });
});
