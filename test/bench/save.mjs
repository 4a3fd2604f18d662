#!/usr/bin/env node
// Times the fetch's save path alone (Store.saveFetch, as the save queue calls it: --batch feeds a commit in
// Store.together(), with the fetch's provisional story assigner) on the items of a fetched database (the
// bench's, kept with `run.mjs --keep`), saved again into a new one, feed by feed in the order of its fetch
// log: the CPU time of the saves only (process.cpuUsage). With --out the new database is kept, for
// dump-db.mjs to compare with another build's. Stories' tokens are made before the clock starts (the parse
// workers make them in a fetch), in both forms builds have read (storyTokens, then storyTokenText), so that
// --dist may name a build of either.
//
//   node test/bench/save.mjs DB [--dist DIR] [--out NEW.db] [--batch 16]
//
// --dist: the build to time (default: this checkout's dist/), e.g. ../base/dist for a build of main.
// --batch: feeds a commit (a cold bench fetch commits 11 on average). Needs `npm run build`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dist: { type: 'string' }, out: { type: 'string' }, batch: { type: 'string', default: '16' } },
});
const src = positionals[0];
if (!src || !existsSync(src)) {
  process.stderr.write('usage: node test/bench/save.mjs DB [--dist DIR] [--out NEW.db] [--batch 16]\n');
  process.exit(2);
}
const dist = path.resolve(values.dist ?? new URL('../../dist', import.meta.url).pathname);
const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
const { Store } = await load('store/store.js');
const { storyAssigner } = await load('ingest/stories.js');
const { storyTokens } = await load('enrich/stories.js');

// what was fetched, feed by feed in the order it was committed
const from = new Database(src, { readonly: true });
const feeds = from.prepare('SELECT id, url, created_at AS createdAt FROM feeds ORDER BY id').all();
const topics = from.prepare('SELECT id, name, definition FROM topics ORDER BY id').all();
const topicName = new Map(topics.map((t) => [t.id, t.name]));
const logs = from.prepare("SELECT feed_id AS feedId, started_at AS startedAt, duration_ms AS durationMs, http_status AS httpStatus, bytes FROM fetch_log WHERE status = 'ok' ORDER BY id").all();
const matches = new Map();
for (const [itemId, topicId] of from.prepare('SELECT item_id, topic_id FROM item_topics ORDER BY item_id, topic_id').raw().all()) {
  (matches.get(itemId) ?? matches.set(itemId, []).get(itemId)).push(topicName.get(topicId));
}
const itemsOf = new Map();
for (const r of from
  .prepare(
    `SELECT id, feed_id AS feedId, guid, title, summary, link, canonical_url AS canonicalUrl, author, source, source_domain AS sourceDomain,
            published_at AS publishedAt, date_estimated AS dateEstimated, sentiment, language, sentiment_engine AS engine, author_email AS authorEmail
     FROM items ORDER BY feed_id, id`,
  )
  .all()) {
  const it = {
    guid: r.guid,
    title: r.title,
    summary: r.summary,
    link: r.link,
    canonicalUrl: r.canonicalUrl,
    author: r.author,
    source: r.source,
    sourceDomain: r.sourceDomain,
    publishedAt: r.publishedAt,
    dateEstimated: r.dateEstimated === 1,
    sentiment: r.sentiment,
    language: r.language,
    topics: matches.get(r.id) ?? [],
    storyTokens: storyTokens(r.title),
    storyTokenText: storyTokens(r.title).join(' '),
    engine: r.engine,
  };
  if (r.authorEmail !== null) it.authorEmail = r.authorEmail;
  (itemsOf.get(r.feedId) ?? itemsOf.set(r.feedId, []).get(r.feedId)).push(it);
}
from.close();
const records = logs.map((l) => ({
  feedId: l.feedId,
  startedAt: l.startedAt,
  durationMs: l.durationMs,
  status: 'ok',
  httpStatus: l.httpStatus,
  bytes: l.bytes,
  error: null,
  items: itemsOf.get(l.feedId) ?? [],
  nextDueAt: l.startedAt + 900_000,
  sentimentEngine: itemsOf.get(l.feedId)?.[0]?.engine ?? undefined,
}));

const tmp = values.out ? null : mkdtempSync(path.join(tmpdir(), 'momentscan-save-'));
const out = values.out ?? path.join(tmp, 'save.db');
for (const x of ['', '-wal', '-shm']) rmSync(out + x, { force: true });
Store.open(out).close();
{
  const db = new Database(out);
  const feed = db.prepare('INSERT INTO feeds (id, url, created_at) VALUES (?, ?, ?)');
  const topic = db.prepare('INSERT INTO topics (id, name, definition) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const f of feeds) feed.run(f.id, f.url, f.createdAt);
    for (const t of topics) topic.run(t.id, t.name, t.definition);
  })();
  db.close();
}
const store = Store.open(out);
const topicIds = new Map(topics.map((t) => [t.name, t.id]));
const stories = storyAssigner();
const batch = Number(values.batch);
const c0 = process.cpuUsage();
const t0 = performance.now();
let stored = 0;
for (let i = 0; i < records.length; i += batch) {
  const part = records.slice(i, i + batch);
  for (const r of store.together(() => part.map((rec) => store.saveFetch(rec, topicIds, stories)))) stored += r.new;
}
const c = process.cpuUsage(c0);
const ms = performance.now() - t0;
store.close();
const cpu = (c.user + c.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({ dist, feeds: records.length, stored, cpuS: +cpu.toFixed(3), userS: +(c.user / 1e6).toFixed(3), sysS: +(c.system / 1e6).toFixed(3), wallS: +(ms / 1000).toFixed(3), usPerItem: +((cpu * 1e6) / stored).toFixed(1) })}\n`,
);
if (tmp) rmSync(tmp, { recursive: true, force: true });
