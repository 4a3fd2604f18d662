import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Absurd periods, buckets and baselines end at once with one line and exit 2, naming the flag or the config
 * field, instead of running out of memory (or into a typed-array RangeError) on a per-bucket array. Each
 * command runs against a real, empty SQLite file in a temporary folder; no timings are asserted, only
 * that the process exits by itself with the usage error (runCli kills it after a minute).
 */
const SAMPLE_CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const AS_OF = '2026-11-20T12:00:00Z';

function run(args: string[], config = SAMPLE_CONFIG, input?: string): CliResult & { db: string } {
  const home = tempDir();
  const db = path.join(home, 'm.db');
  return { ...runCli(['--config', config, '--db', db, ...args], { home, ...(input !== undefined ? { input } : {}) }), db };
}

function configFile(text: string): string {
  const file = path.join(tempDir(), 'momentscan.yaml');
  writeFileSync(file, text);
  return file;
}

/** Exit 2, nothing on stdout, one line on stderr: `momentscan: error: <what> — <what to do>`, naming `mentions`. */
function expectUsageError(r: CliResult, ...mentions: string[]): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^momentscan: error: .+ — .+/);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

describe('absurd periods are usage errors (exit 2, one line, at once)', () => {
  it.each([
    ['moments', ['moments', '--since', '99999999d', '--as-of', AS_OF]],
    ['moments --json', ['moments', '--since', '999999999d', '--as-of', AS_OF, '--json']],
    ['moments from 1900', ['moments', '--since', '1900-01-01', '--as-of', AS_OF]],
    ['scan (before fetching anything)', ['scan', '--since', '99999999d', '--as-of', AS_OF]],
    ['digest', ['digest', '--since', '99999999d', '--as-of', AS_OF]],
    ['timeline', ['timeline', 'Acme', '--since', '99999999d', '--as-of', AS_OF]],
  ])('%s with a --since of hundreds of thousands of years', (_name, args) => {
    const r = run(args);
    expectUsageError(r, '--since', 'ten years', '3650d');
    if (args[0] === 'scan') expect(r.stderr).not.toMatch(/fetch:/);
  });

  it.each([
    ['moments', ['moments']],
    ['digest', ['digest']],
    ['timeline', ['timeline', 'Acme']],
  ])('%s with an --as-of before 1970', (_name, args) => {
    expectUsageError(run([...args, '--as-of', '99999999d']), '--as-of 99999999d', 'before 1970');
  });

  it('timeline: 1m buckets over ten years (--bucket) is too many buckets, and so is a year of them to list', () => {
    expectUsageError(run(['timeline', 'Acme', '--since', '3650d', '--bucket', '1m', '--as-of', AS_OF]), '--since 3650d', '--bucket 1m', '1,000,000');
    expectUsageError(run(['timeline', 'Acme', '--since', '365d', '--bucket', '1m', '--as-of', AS_OF, '--json']), '--since 365d', '--bucket 1m', '100,000');
  });

  it('timeline: a --bucket longer than a quarter of the baseline is refused, as in the config', () => {
    expectUsageError(run(['timeline', 'Acme', '--bucket', '99999d', '--as-of', AS_OF]), '--bucket 99999d', 'a quarter of the baseline', 'defaults.baseline is 14d');
    expect(run(['timeline', 'Acme', '--bucket', '3d', '--since', '30d', '--as-of', AS_OF, '--json']).status).toBe(0);
  });

  it('a topic-level bucket of 1m over a long period names the --since and the topic field', () => {
    const config = configFile('topics:\n  - name: Acme\n    keywords: [acme]\n  - name: Minutes\n    keywords: [minutes]\n    bucket: 1m\n');
    for (const args of [
      ['moments', '--since', '3000d', '--as-of', AS_OF],
      ['digest', '--since', '3000d', '--as-of', AS_OF],
      ['timeline', 'Minutes', '--since', '3000d', '--as-of', AS_OF],
    ]) {
      expectUsageError(run(args, config), '--since 3000d', `${config}: topics[1].bucket`, 'buckets');
    }
    // the other topic alone is fine
    expect(run(['moments', '--since', '3000d', '--as-of', AS_OF, '--topic', 'Acme', '--json'], config).status).toBe(0);
  });
});

describe('absurd bucket and baseline settings are config errors (exit 2, naming the file and field)', () => {
  it.each([
    ['defaults.bucket 1m with a ten-year baseline', 'defaults:\n  bucket: 1m\n  baseline: 3650d\n', 'defaults.baseline', '5,296,320 buckets'],
    ['baseline: 99999999w', 'defaults:\n  baseline: 99999999w\n', 'defaults.baseline', 'at most 3650d'],
    ['a topic bucket of 1m with a 1000-day baseline', 'defaults:\n  baseline: 1000d\n', 'topics[0].bucket', '1,480,320 buckets'],
  ])('%s', (_name, defaults, field, what) => {
    const config = configFile(`${defaults}topics:\n  - name: Acme\n    keywords: [acme]\n${field.startsWith('topics') ? '    bucket: 1m\n' : ''}`);
    for (const cmd of [['moments'], ['digest'], ['timeline', 'Acme'], ['fetch']]) {
      expectUsageError(run([...cmd, '--as-of', AS_OF].filter((a) => cmd[0] !== 'fetch' || (a !== '--as-of' && a !== AS_OF)), config), `${config}: ${field}`, what);
    }
  });
});

describe('detect: negative values', () => {
  it('without --allow-negative, say which line and that --allow-negative accepts them (exit 2); with it, score them', () => {
    const series = 'timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,-2\n2026-01-01T02:00:00Z,3\n';
    const r = run(['detect'], SAMPLE_CONFIG, series);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^momentscan: error: stdin: line 3: the value -2 is negative — .*--allow-negative/)]);
    const ok = run(['detect', '--allow-negative'], SAMPLE_CONFIG, series);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(4);
  });
});

describe('detect: an absurd --resolution', () => {
  it.each([['1ms'], ['99999999w'], ['0m'], ['5 parsecs']])('--resolution %s is a usage error before any output (exit 2, one line, nothing on stdout)', (step) => {
    const series = 'timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,2\n2026-01-01T02:00:00Z,3\n';
    expectUsageError(run(['detect', '--resolution', step], SAMPLE_CONFIG, series), `--resolution`, step, 'leave --resolution out');
  });
});

describe('detect --counts: values that are not counts', () => {
  it.each([
    ['a fraction', '0.25', 'not a count'],
    ['a negative value, even with --allow-negative', '-2', 'not a count'],
  ])('%s stops it with the line and what to pass instead (exit 2, one line)', (_name, bad, what) => {
    const series = `timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T00:05:00Z,${bad}\n2026-01-01T00:10:00Z,3\n`;
    const r = run(['detect', '--counts', '--allow-negative'], SAMPLE_CONFIG, series);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^momentscan: error: stdin: line 3: the value ${bad} is ${what} — .*--no-counts`))]);
    // without --counts the same rows are a measurement series, scored
    const ok = run(['detect', '--allow-negative'], SAMPLE_CONFIG, series);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(4);
  });
});
