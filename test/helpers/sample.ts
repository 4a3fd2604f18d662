import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ROOT, runCli } from './cli.js';
import { tempDir } from './tmp.js';

export const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
export const SAMPLE_CONFIG = path.join(SAMPLE, 'momentscan.yaml');

/**
 * The sample fetched once for a test file, into a folder of its own (removed after the file's tests), with
 * the sample config or that config edited (`edit`: its text, feed paths made absolute). Returns the config
 * and a `copy()` of the fetched database for a test to write to (runs record what they see).
 */
export function fetchedSample(edit?: (configText: string) => string): { config: () => string; db: () => string; copy: () => string } {
  let home = '';
  let config = SAMPLE_CONFIG;
  let db = '';
  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'momentscan-sample-'));
    if (edit) {
      config = path.join(home, 'momentscan.yaml');
      writeFileSync(config, edit(readFileSync(SAMPLE_CONFIG, 'utf8').replace(/(url: |- )feeds\//g, `$1${SAMPLE}/feeds/`)));
    }
    db = path.join(home, 's.db');
    expect(runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home }).status).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  return {
    config: () => config,
    db: () => db,
    copy: () => {
      const copy = path.join(tempDir(), 's.db');
      copyFileSync(db, copy);
      if (existsSync(`${db}-wal`)) copyFileSync(`${db}-wal`, `${copy}-wal`);
      return copy;
    },
  };
}
