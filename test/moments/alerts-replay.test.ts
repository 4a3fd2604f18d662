import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/moments/evaluate.js';
import { loadConfig } from '../../src/config/load.js';
import { Store } from '../../src/store/store.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// A cron job runs `moments --since <interval> --alerts` every interval. Replayed over the sample's last
// days on a real store (the runs record moments as cron's would), each burst must be reported once when
// it fires, then once per growth alert — never again on the next run while its bucket is open, and never
// twice at a window boundary.
const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const START = Date.parse('2026-11-17T12:00:00Z');
const END = Date.parse('2026-11-20T12:00:00Z');

function replay(stepMs: number) {
  const home = tempDir();
  const db = path.join(home, 's.db');
  expect(runCli(['fetch', '--config', CONFIG, '--db', db, '--quiet'], { home }).status).toBe(0);
  const config = loadConfig(CONFIG, true);
  const store = Store.open(db);
  const reports: { key: string; alertedAt: number; firedAt: number; at: number }[] = [];
  try {
    for (let asOf = START + stepMs; asOf <= END; asOf += stepMs) {
      for (const m of evaluate(config, store, { asOf, from: asOf - stepMs, alerts: true }).rows) {
        reports.push({ key: `${m.topic}|${m.kind}|${m.start}`, alertedAt: m.alertedAt, firedAt: m.firedAt, at: asOf });
      }
    }
    // what a run at the end says of every moment that alerted in the replayed period
    const final = evaluate(config, store, { asOf: END, from: START, alerts: true }).rows;
    return { reports, final };
  } finally {
    store.close();
  }
}

describe('moments --alerts replayed as cron would run it', () => {
  it.each([
    ['every 15 minutes', 15 * 60_000],
    ['hourly (the README recipe)', 3_600_000],
  ])('%s: each burst once when it fires, then once per growth alert', (_name, step) => {
    const { reports, final } = replay(step);
    expect(final.length).toBeGreaterThanOrEqual(2); // the sample's spike and swing
    // every alert reported once, by the run whose window holds it
    const seen = reports.map((r) => `${r.key}|${r.alertedAt}`);
    expect(new Set(seen).size).toBe(seen.length);
    for (const r of reports) {
      expect(r.alertedAt).toBeGreaterThan(r.at - step);
      expect(r.alertedAt).toBeLessThanOrEqual(r.at);
    }
    for (const m of final) {
      const mine = reports.filter((r) => r.key === `${m.topic}|${m.kind}|${m.start}`);
      // first told when it fired, and as many times as it alerted
      expect(mine[0]?.alertedAt).toBe(m.firedAt);
      expect(mine).toHaveLength(m.alerts);
    }
  });
});
