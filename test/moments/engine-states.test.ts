import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, type EvaluateOptions } from '../../src/moments/evaluate.js';
import { syncTopics } from '../../src/enrich/sync-topics.js';
import { loadConfig } from '../../src/config/load.js';
import type { EnrichedItem } from '../../src/core/types.js';
import { Store } from '../../src/store/store.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Runs resume the engine from a state an earlier run saved (engine_states) instead of replaying each
// topic from its start. What they report must be exactly what a full replay reports: at later evaluation
// times (as cron runs them), after late items arrive before the saved state, and after a settings change.

const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Date.parse('2026-11-20T12:00:00Z');

function sample() {
  const home = tempDir();
  const db = path.join(home, 's.db');
  expect(runCli(['fetch', '--config', CONFIG, '--db', db, '--quiet'], { home }).status).toBe(0);
  const config = loadConfig(CONFIG, true);
  const store = Store.open(db);
  return { config, store };
}

describe('engine states saved by one run and resumed by the next', () => {
  it('resumed runs report what full replays report: later, after late items, with other settings', () => {
    const { config, store } = sample();
    const states = () => store.db.prepare('SELECT count(*) FROM engine_states').pluck().get() as number;
    /** A backtest (records no moment, so runs can be compared) with and without saved states. */
    const both = (o: Pick<EvaluateOptions, 'asOf' | 'from' | 'sensitivity'>) => {
      const full = evaluate(config, store, { ...o, backtest: true, engineStates: false });
      expect(full.resumed).toBe(0);
      const run = evaluate(config, store, { ...o, backtest: true });
      expect(run.rows).toEqual(full.rows);
      return run;
    };
    try {
      expect(states()).toBe(0);
      const first = both({ asOf: END - 2 * DAY, from: END - 9 * DAY });
      expect(first.resumed).toBe(0);
      const saved = states(); // a state per topic (one whose episodes stayed open has none)
      expect(saved).toBeGreaterThanOrEqual(3);

      // cron: later runs resume from it, and find the planted moments just as a replay does
      let found = 0;
      for (const later of [0, 15 * 60_000, 6 * HOUR, DAY + 7 * 60_000, 2 * DAY]) {
        const run = both({ asOf: END - 2 * DAY + later, from: END - 9 * DAY + later });
        expect(run.resumed, `${later / HOUR} h later`).toBe(saved);
        found += run.rows.length;
      }
      expect(found).toBeGreaterThan(0);
      const atEnd = both({ asOf: END, from: END - 7 * DAY });
      expect(atEnd.rows.map((m) => `${m.topic} ${m.kind}`)).toEqual(expect.arrayContaining(['Acme Robotics volume-spike', 'Northwind Airlines sentiment-shift']));
      const resumedBefore = atEnd.resumed;
      expect(resumedBefore).toBeGreaterThanOrEqual(3);

      // a late item for Acme published ten days before the end (before its saved state): its state is
      // dropped in the same transaction, so the next run replays Acme from its start
      const { topicIds } = syncTopics(config, store);
      const feed = store.ensureFeeds(['https://late.example/rss'], END)[0]!;
      const late: EnrichedItem = {
        guid: 'late-1',
        title: 'Acme Robotics recalls the Glide after a fire',
        summary: '',
        link: null,
        canonicalUrl: 'https://late.example/1',
        author: null,
        source: 'Late Ledger',
        sourceDomain: null,
        publishedAt: END - 10 * DAY + 7 * 60_000,
        dateEstimated: false,
        sentiment: -0.75,
        language: 'en',
        topics: ['Acme Robotics'],
      };
      store.saveFetch({ feedId: feed.id, startedAt: END, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: [late] }, topicIds);
      const acme = topicIds.get('Acme Robotics')!;
      expect(store.db.prepare('SELECT count(*) FROM engine_states WHERE topic_id = ? AND at > ?').pluck().get(acme, late.publishedAt)).toBe(0);
      const afterLate = both({ asOf: END, from: END - 7 * DAY });
      expect(afterLate.resumed).toBe(resumedBefore - 1);
      expect(both({ asOf: END, from: END - 7 * DAY }).resumed).toBe(resumedBefore); // and saved again

      // a damaged state: that topic is replayed from its start (read again from there), the others resume
      store.db.prepare("UPDATE engine_states SET state = x'ff00ff' WHERE topic_id = ?").run(acme);
      expect(both({ asOf: END, from: END - 7 * DAY }).resumed).toBe(resumedBefore - 1);

      // other settings: another key, so nothing to resume from at first
      const high = both({ asOf: END, from: END - 7 * DAY, sensitivity: 'high' });
      expect(high.resumed).toBe(0);
      expect(both({ asOf: END, from: END - 7 * DAY, sensitivity: 'high' }).resumed).toBeGreaterThanOrEqual(3);
    } finally {
      store.close();
    }
  });
});
