#!/usr/bin/env node
// What a team's zone costs `moments`: its buckets cut at the team's midnight are rolled up from the
// quarter-hour counts (moments/coverage.ts gridBucketCounts) instead of the store's own roll-up. Builds a
// store as detect.mjs does (ITEMS items, 100 topics, 90 days), then runs cold `moments --since 7d` (engine
// states dropped) with --tz UTC and --tz Europe/Amsterdam in interleaved pairs, CPU (user + sys) and wall
// from /usr/bin/time. Run after `npm run build`: node test/bench/zone.mjs [ITEMS] [PAIRS] [BUCKET]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ITEMS = Number(process.argv[2] ?? 300000), TOPICS = 100, DAYS = 90, PAIRS = Number(process.argv[3] ?? 5);
const BUCKET = process.argv[4] ?? '6h';
const END = Date.UTC(2026, 10, 20, 12), START = END - DAYS * 86_400_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'momentscan-bench-zone-'));
const db = path.join(dir, 'm.db'), cfg = path.join(dir, 'momentscan.yaml');
const { Store } = await import(path.join(ROOT, 'dist/store/store.js'));
const topics = Array.from({ length: TOPICS }, (_, i) => `Topic ${i}`);
writeFileSync(cfg, `defaults: {bucket: ${BUCKET}, baseline: 14d}\ntopics:\n${topics.map((t, i) => `  - name: ${t}\n    keywords: [kw${i}]\n`).join('')}`);
const store = Store.open(db);
const { parseConfigText } = await import(path.join(ROOT, 'dist/config/load.js'));
const { compileTopic } = await import(path.join(ROOT, 'dist/enrich/match.js'));
const defs = parseConfigText(readFileSync(cfg, 'utf8'), cfg).topics.map(compileTopic);
const ids = store.syncTopics(defs.map((m) => ({ name: m.name, definition: m.definition })));
for (const t of ids) store.db.prepare('UPDATE topics SET definition = ? WHERE id = ?').run(defs.find((m) => m.name === t.name).definition, t.id);
const [feed] = store.ensureFeeds(['https://bench.example/rss'], END);
const d = store.db;
const insItem = d.prepare("INSERT INTO items (id, feed_id, guid, title, summary, published_at, fetched_at, sentiment, language, story_id) VALUES (?, ?, ?, ?, '', ?, ?, ?, 'en', NULL)");
const insMatch = d.prepare('INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, 1)');
let seed = 42;
const rnd = () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
d.transaction(() => { for (let i = 1; i <= ITEMS; i++) { const topic = ids[Math.floor(rnd() * rnd() * TOPICS)]; const t = START + Math.floor(rnd() * DAYS * 24) * 3_600_000 + Math.floor(rnd() * 3_600_000); const s = Math.round((rnd() - 0.45) * 100) / 100; insItem.run(i, feed.id, `g${i}`, `kw${topic.id - 1} item ${i}`, t, END, s); insMatch.run(topic.id, t, i, s); } })();
store.rebuildTopicCounts();
store.close();
const drop = () => { const s = Store.open(db); s.db.prepare('DELETE FROM engine_states').run(); s.close(); };
const run = (tz, extra = []) => {
  drop();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %e', process.execPath, path.join(ROOT, 'bin/momentscan'), 'moments', '--config', cfg, '--db', db, '--as-of', new Date(END).toISOString(), '--since', '7d', '--json', '--quiet', '--tz', tz, ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  const [u, s, e] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { cpu: u + s, wall: e, n: JSON.parse(r.stdout).length };
};
run('UTC'); run('Europe/Amsterdam'); // warm the counts cache
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratios = [], cu = [], ca = [], wu = [], wa = [];
for (let p = 0; p < PAIRS; p++) {
  const order = p % 2 ? ['Europe/Amsterdam', 'UTC'] : ['UTC', 'Europe/Amsterdam'];
  const res = Object.fromEntries(order.map((tz) => [tz, run(tz)]));
  cu.push(res.UTC.cpu); ca.push(res['Europe/Amsterdam'].cpu); wu.push(res.UTC.wall); wa.push(res['Europe/Amsterdam'].wall);
  ratios.push(res['Europe/Amsterdam'].cpu / res.UTC.cpu);
  console.log(`pair ${p + 1}: UTC cpu ${res.UTC.cpu.toFixed(2)} wall ${res.UTC.wall} (${res.UTC.n} moments) | Amsterdam cpu ${res['Europe/Amsterdam'].cpu.toFixed(2)} wall ${res['Europe/Amsterdam'].wall} (${res['Europe/Amsterdam'].n} moments) | ratio ${ratios.at(-1).toFixed(2)}`);
}
console.log(`${ITEMS} items, ${BUCKET}: median CPU UTC ${med(cu).toFixed(2)} s, Amsterdam ${med(ca).toFixed(2)} s; wall ${med(wu)} / ${med(wa)} s; pair ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
rmSync(dir, { recursive: true, force: true });
