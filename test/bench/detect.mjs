#!/usr/bin/env node
// Detection speed (issue 11: "`moments` over 1M items, 100 topics, 90 days ≤ 1 s; `detect` on 1M rows
// ≤ 2 s"). Builds the store directly (bulk insert into the real schema through the built Store, so
// migrations run), then times the built CLI: `moments` at the default bucket (auto: 15 minutes) for the
// default week and as a 75-day backtest (cold and warm: see below), and `detect` on a million rows. Run after `npm run build`:
// node test/bench/detect.mjs [--items 1000000] [--topics 100] [--days 90] [--runs 3] [--bucket auto]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: { items: { type: 'string', default: '1000000' }, topics: { type: 'string', default: '100' }, days: { type: 'string', default: '90' }, runs: { type: 'string', default: '3' }, bucket: { type: 'string', default: 'auto' }, rows: { type: 'string', default: '1000000' } },
});
const ITEMS = Number(values.items);
const TOPICS = Number(values.topics);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const ROWS = Number(values.rows);
const END = Date.UTC(2026, 10, 20, 12);
const START = END - DAYS * 86_400_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'momentscan-bench-detect-'));
const db = path.join(dir, 'm.db');
const cfg = path.join(dir, 'momentscan.yaml');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const { Store } = await import(path.join(ROOT, 'dist/store/store.js'));
  const topics = Array.from({ length: TOPICS }, (_, i) => `Topic ${i}`);
  writeFileSync(cfg, `defaults: {bucket: ${values.bucket}, baseline: 14d}\ntopics:\n${topics.map((t, i) => `  - name: ${t}\n    keywords: [kw${i}]\n`).join('')}`);
  let t0 = performance.now();
  const store = Store.open(db);
  const d0 = store.db;
  // the definitions the CLI will compute, so it finds its matches made and does not re-match
  const { parseConfigText } = await import(path.join(ROOT, 'dist/config/load.js'));
  const { compileTopic } = await import(path.join(ROOT, 'dist/enrich/match.js'));
  const defs = parseConfigText(readFileSync(cfg, 'utf8'), cfg).topics.map(compileTopic);
  const ids = store.syncTopics(defs.map((m) => ({ name: m.name, definition: m.definition })));
  for (const t of ids) d0.prepare('UPDATE topics SET definition = ? WHERE id = ?').run(defs.find((m) => m.name === t.name).definition, t.id);
  const [feed] = store.ensureFeeds(['https://bench.example/rss'], END);
  const d = store.db;
  const insItem = d.prepare('INSERT INTO items (id, feed_id, guid, title, summary, published_at, fetched_at, sentiment, language, story_id) VALUES (?, ?, ?, ?, \'\', ?, ?, ?, \'en\', NULL)');
  const insMatch = d.prepare('INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, 1)');
  // mulberry32: a proper PRNG (a weak LCG makes fake bursts)
  let seed = 42;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  d.transaction(() => {
    for (let i = 1; i <= ITEMS; i++) {
      const topic = ids[Math.floor(rnd() * rnd() * TOPICS)]; // skewed: some busy topics, many quiet ones
      const hour = Math.floor(rnd() * DAYS * 24);
      const t = START + hour * 3_600_000 + Math.floor(rnd() * 3_600_000);
      const s = Math.round((rnd() - 0.45) * 100) / 100;
      insItem.run(i, feed.id, `g${i}`, `kw${topic.id - 1} item ${i}`, t, END, s);
      insMatch.run(topic.id, t, i, s);
    }
  })();
  store.rebuildTopicCounts(); // what ingest keeps up to date item by item
  store.close();
  console.log(`store: ${ITEMS.toLocaleString('en')} items over ${DAYS} days, ${TOPICS} topics, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Each moments run saves the engine's state (before its window) for the next run to resume from.
  // Cold: no state saved (the first run after momentscan or the settings change, or after late items
  // before it); warm: resumed from the state the run before saved, as a cron job's runs are. The very
  // first run also fills the counts cache (topic_quarter_weeks), as the first run after a big fetch does.
  const dropStates = () => {
    const s = Store.open(db);
    s.db.prepare('DELETE FROM engine_states').run();
    s.close();
  };
  const once = (since, extra) => {
    const t = performance.now();
    const res = spawnSync(process.execPath, [path.join(ROOT, 'bin/momentscan'), 'moments', '--config', cfg, '--db', db, '--as-of', new Date(END).toISOString(), '--since', since, '--json', '--quiet', ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (res.status !== 0) throw new Error(res.stderr);
    return { ms: performance.now() - t, found: JSON.parse(res.stdout).length };
  };
  const fmt = (times) => `median ${(median(times) / 1000).toFixed(2)} s (min ${(Math.min(...times) / 1000).toFixed(2)}, max ${(Math.max(...times) / 1000).toFixed(2)})`;
  let firstRun = true;
  const moments = (since, extra) => {
    const cold = [];
    const warm = [];
    let found = 0;
    for (let r = 0; r < RUNS; r++) {
      dropStates();
      const c = once(since, extra);
      if (firstRun) console.log(`moments: the first run (fills the counts cache too): ${(c.ms / 1000).toFixed(2)} s`);
      firstRun = false;
      cold.push(c.ms);
      const w = once(since, extra);
      warm.push(w.ms);
      if (w.found !== c.found) throw new Error(`a resumed run found ${w.found} moments, a full replay ${c.found}`);
      found = w.found;
    }
    console.log(`moments ${extra.join(' ')} over ${since} (${values.bucket} buckets, ${TOPICS} topics), ${found} moments — target ≤ 1 s:`);
    console.log(`  cold (engine replayed from its start): ${fmt(cold)}`);
    console.log(`  warm (resumed from the state the run before saved): ${fmt(warm)}`);
  };
  moments('7d', []);
  moments(`${DAYS - 15}d`, ['--backtest']);

  // detect on a 1M-row series
  const series = path.join(dir, 'series.csv');
  const lines = ['timestamp,value'];
  for (let i = 0; i < ROWS; i++) lines.push(`${new Date(START + i * 300_000).toISOString()},${Math.max(0, Math.round(20 + 10 * Math.sin(i / 40) + (rnd() - 0.5) * 8))}`);
  writeFileSync(series, `${lines.join('\n')}\n`);
  const dt = [];
  for (let r = 0; r < RUNS; r++) {
    t0 = performance.now();
    const res = spawnSync(process.execPath, [path.join(ROOT, 'bin/momentscan'), 'detect', series], { encoding: 'utf8', maxBuffer: 1 << 30 });
    dt.push(performance.now() - t0);
    if (res.status !== 0) throw new Error(res.stderr);
  }
  console.log(`detect on ${ROWS.toLocaleString('en')} rows (5-minute series): median ${(median(dt) / 1000).toFixed(2)} s (min ${(Math.min(...dt) / 1000).toFixed(2)}) — target ≤ 2 s`);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
}
