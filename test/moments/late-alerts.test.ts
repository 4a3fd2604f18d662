import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/moments/evaluate.js';
import { Store } from '../../src/store/store.js';
import { runCli } from '../helpers/cli.js';
import { SAMPLE, SAMPLE_CONFIG } from '../helpers/sample.js';
import { tempDir } from '../helpers/tmp.js';

// `moments --since 15m --alerts` from cron, with feeds that bring items 20 minutes after they were
// published (as search feeds do). The sample's Acme burst (15-minute buckets) alerts at 15:45 by its items'
// times, but its items are only fetched by the 16:00 run: the alert is dated before that run's window.
// It must be reported then, once — not lost between two windows.
const M = 60_000;
const LAG = 20 * M;

/** The sample's feeds as they stood at `at` minus the lag: only the items published by then. */
function feedsAt(dir: string, at: number): void {
  const from = path.join(SAMPLE, 'feeds');
  for (const f of readdirSync(from)) {
    const text = readFileSync(path.join(from, f), 'utf8').replace(/<(item|entry)>[\s\S]*?<\/\1>\s*/g, (item) => {
      const d = /<pubDate>([^<]*)<|<published>([^<]*)<|<updated>([^<]*)</.exec(item);
      return d && Date.parse(d[1] ?? d[2] ?? d[3]!) <= at - LAG ? item : '';
    });
    writeFileSync(path.join(dir, 'feeds', f), text);
  }
}

describe('moments --alerts from cron, with feeds that lag', { timeout: 180_000 }, () => {
  it('reports an onset whose items came after its bucket was judged in the first run that sees it, once', () => {
    const home = tempDir();
    mkdirSync(path.join(home, 'feeds'));
    const config = path.join(home, 'momentscan.yaml');
    writeFileSync(config, readFileSync(SAMPLE_CONFIG, 'utf8').replace(/^ {2}bucket: 6h.*$/m, '  bucket: auto'));
    const db = path.join(home, 's.db');
    const cfg = loadConfig(config, true);
    const reported: { at: number; topic: string; alertedAt: number }[] = [];
    const start = Date.parse('2026-11-18T15:00:00Z');
    for (let at = start; at <= start + 2 * 60 * M; at += 15 * M) {
      feedsAt(home, at);
      const fetched = runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home, env: { MOMENTSCAN_NOW: new Date(at).toISOString() } });
      expect(fetched.status, fetched.stderr).toBe(0);
      const store = Store.open(db);
      try {
        for (const m of evaluate(cfg, store, { asOf: at, from: at - 15 * M, alerts: true }).rows) reported.push({ at, topic: m.topic, alertedAt: m.alertedAt });
      } finally {
        store.close();
      }
    }
    const acme = reported.filter((r) => r.topic === 'Acme Robotics');
    // its alert is dated 15:45, which the run then could not know (its items came later): a later run tells it, once
    expect(acme).toHaveLength(1);
    expect(new Date(acme[0]!.alertedAt).toISOString()).toBe('2026-11-18T15:45:00.000Z');
    expect(acme[0]!.at).toBeGreaterThan(acme[0]!.alertedAt);
  });
});
