import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inlineParser, parseWorkers } from '../../src/ingest/parse-pool.js';
import { ROOT } from '../helpers/cli.js';

describe('how many parse workers a fetch starts', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 4],
    [64, 4],
  ])('%i cores: %i (one per core, at most four)', (cores, workers) => {
    expect(parseWorkers(cores, undefined)).toBe(workers);
  });

  it.each([
    ['2', 2],
    ['16', 16],
    [' 3 ', 3],
  ])('MOMENTSCAN_PARSE_WORKERS=%j is obeyed', (env, workers) => {
    expect(parseWorkers(8, env)).toBe(workers);
  });

  it.each(['', '0', '-1', '17', '1.5', 'two'])('MOMENTSCAN_PARSE_WORKERS=%j is ignored: the default for the cores', (env) => {
    expect(parseWorkers(2, env)).toBe(2);
  });
});

describe('a parse worker that runs out of heap', () => {
  it('leaves the feed parsed all the same (on the main thread), item for item as without workers', async () => {
    const body = new Uint8Array(readFileSync(new URL('../../fixtures/feeds/google-news.rss.xml', import.meta.url)));
    const job = { body, contentType: 'application/rss+xml; charset=utf-8', url: 'http://127.0.0.1/feed', feedUrl: 'http://127.0.0.1/feed', language: null, fetchedAt: Date.parse('2026-11-20T12:00:00Z') };
    const setup = { topics: [] };
    const expected = await inlineParser(setup).parse(job);
    expect(expected.items.length).toBeGreaterThan(0);
    // the built code (npm test builds it first): from the TypeScript sources there is no worker file
    const { createParser } = (await import(pathToFileURL(path.join(ROOT, 'dist/ingest/parse-pool.js')).href)) as typeof import('../../src/ingest/parse-pool.js');
    // a heap too small for a worker to even load its models: every worker ends with ERR_WORKER_OUT_OF_MEMORY
    const parser = createParser(setup, 100, { heap: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 } });
    try {
      const got = await Promise.all([parser.parse(job), parser.parse(job), parser.parse(job)]);
      for (const parsed of got) expect(parsed).toEqual(expected);
      // (workers only where there are two cores or more)
      if (availableParallelism() >= 2) expect(parser.outOfMemory()).toBeGreaterThan(0);
    } finally {
      await parser.close();
    }
  }, 60_000);
});
