import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/pg.js';

/**
 * Golden files of every listing, from a real run on the bundled sample: fetched into a new database
 * (one feed at a time, so that item ids are the same every run), then listed as of a fixed time. The
 * machine formats are a contract (README, "JSON fields"): a change here must be deliberate. Review the
 * diff, then regenerate with `npx vitest run test/golden/sample.test.ts -u`.
 * Fields that depend on when the test runs (when feeds were fetched) are left out of `feeds`.
 */
const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const AS_OF = ['--as-of', '2026-11-20T12:00:00Z'];
const FEED_FIELDS = 'url,fetchUrl,title,topics,state,consecutiveFailures,fetches,notModifiedRatio,failures,items,overflows,error';
const FORMATS = { json: 'json', ndjson: 'ndjson', csv: 'csv', tsv: 'tsv', markdown: 'md' } as const;
const ROOT_URL = pathToFileURL(ROOT).href;

/** The golden files hold for both backends: the same fetch into a new SQLite file and a new PostgreSQL database. */
const BACKENDS = [
  { name: 'SQLite', database: (home: string) => path.join(home, 'sample.db') },
  { name: 'PostgreSQL', database: () => freshDatabase('golden') },
];

describe.each(BACKENDS)('golden output of every listing, from the sample, on $name', (backend) => {
  let home = '';
  let db = '';
  const run = (args: string[], input?: string): string => {
    const r = runCli([...args, '--config', CONFIG, '--db', db], { home, ...(input !== undefined ? { input } : {}) });
    expect(r.stderr.replace(/^momentscan: showing .*\n/m, '')).toBe('');
    expect(r.status).toBe(0);
    // the checkout's own path is not part of the output's shape
    return r.stdout.split(ROOT_URL).join('file://<root>');
  };

  beforeAll(() => {
    // one database for every test of the file (helpers/tmp.ts removes its folders after each test)
    home = mkdtempSync(path.join(os.tmpdir(), 'momentscan-golden-'));
    db = backend.database(home);
    const r = runCli(['fetch', '--config', CONFIG, '--db', db, '--quiet', '--concurrency', '1'], { home });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  // a series and texts from elsewhere: the sample's own hourly counts and headlines
  const series = () => run(['timeline', 'Northwind', '--bucket', '1h', '--csv', '--fields', 'start,stories', ...AS_OF]).replace(/^start,stories/, 'timestamp,value');
  const titles = () => run(['items', '--limit', '30', '--format', 'tsv', '--fields', 'title', '--no-headers', ...AS_OF]);

  it.each(Object.entries(FORMATS))('as %s', async (format, ext) => {
    const file = (name: string) => path.join(import.meta.dirname, 'sample', `${name}.${ext}`);
    const f = ['--format', format];
    await expect(run(['feeds', 'list', ...f, '--fields', FEED_FIELDS])).toMatchFileSnapshot(file('feeds'));
    await expect(run(['items', '--limit', '20', ...f, ...AS_OF])).toMatchFileSnapshot(file('items'));
    await expect(run(['timeline', 'Northwind', '--bucket', '6h', ...f, ...AS_OF])).toMatchFileSnapshot(file('timeline'));
    await expect(run(['detect', '-', ...f], series())).toMatchFileSnapshot(file('detect'));
    await expect(run(['sentiment', '-', ...f], titles())).toMatchFileSnapshot(file('sentiment'));
  }, 120_000);
});
