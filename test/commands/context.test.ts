import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandClock } from '../../src/commands/context.js';
import { UsageError } from '../../src/core/errors.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// $MOMENTSCAN_NOW, the clock for tests and benchmarks: a command's clock starts at that time and runs on,
// so a fetch of feeds dated around a fixed day stores the same results on any day.

const AT = '2026-11-20T12:00:00Z';

describe('commandClock', () => {
  it('is the real clock when $MOMENTSCAN_NOW is unset or empty', () => {
    for (const env of [{}, { MOMENTSCAN_NOW: '' }, { MOMENTSCAN_NOW: '  ' }]) {
      const before = Date.now();
      const t = commandClock(env)();
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(Date.now());
    }
  });

  it('starts at $MOMENTSCAN_NOW and runs on at the real pace', async () => {
    const now = commandClock({ MOMENTSCAN_NOW: AT });
    const first = now();
    expect(first - Date.parse(AT)).toBeGreaterThanOrEqual(0);
    expect(first - Date.parse(AT)).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 30));
    const later = now();
    expect(later - first).toBeGreaterThanOrEqual(25);
    expect(later - first).toBeLessThan(5000);
  });

  it.each(['2026-11-20T12:00:00+01:00', '2026-11-20'])('reads %s as ISO-8601', (text) => {
    expect(commandClock({ MOMENTSCAN_NOW: text })() - Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text)).toBeLessThan(1000);
  });

  it.each(['yesterday', '24h', '2026-02-30T00:00:00Z', '1763640000000'])('refuses %j as a usage error naming the variable', (text) => {
    let err: unknown;
    try {
      commandClock({ MOMENTSCAN_NOW: text });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('$MOMENTSCAN_NOW');
    expect((err as UsageError).exitCode).toBe(2);
  });
});

describe('$MOMENTSCAN_NOW on the command line', () => {
  const config = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');

  it('dates a fetch at that time: every feed fetched at it', { timeout: 60_000 }, () => {
    const home = tempDir();
    const r = runCli(['fetch', '--config', config, '--db', path.join(home, 'm.db'), '--json', '--quiet'], { home, env: { MOMENTSCAN_NOW: AT } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const feeds = JSON.parse(r.stdout) as { fetchedAt: string; status: string }[];
    expect(feeds.length).toBeGreaterThan(3);
    for (const f of feeds) {
      expect(f.status).toBe('ok');
      expect(f.fetchedAt).toMatch(/^2026-11-20T12:00:\d\dZ$/);
    }
  });

  it('a value it cannot read ends the command at once: exit 2, one line on stderr, no database made', { timeout: 60_000 }, () => {
    const home = tempDir();
    const db = path.join(home, 'm.db');
    const r = runCli(['fetch', '--config', config, '--db', db, '--json'], { home, env: { MOMENTSCAN_NOW: 'tomorrow' } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['momentscan: error: $MOMENTSCAN_NOW: cannot read "tomorrow" as a time — give an ISO-8601 time such as 2026-11-20T12:00:00Z, or unset it to use the real clock']);
    expect(existsSync(db)).toBe(false);
  });
});
