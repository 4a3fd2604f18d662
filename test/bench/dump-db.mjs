#!/usr/bin/env node
// Prints what a fetch stored, in a canonical form that does not depend on fetch time, arrival order
// or row ids: every item (with its sentiment, language, topics, whether it counts first for its story
// in each topic), the stories as groups of items, and the quarter-hour counts. Two databases that
// print the same hold the same results. Usage: node test/bench/dump-db.mjs DB > out.json
import Database from 'better-sqlite3';

const db = new Database(process.argv[2], { readonly: true });
const key = (r) => `${r.feed}\u0000${r.guid}`;
const items = db
  .prepare(
    `SELECT f.url AS feed, i.guid, i.title, i.summary, i.link, i.canonical_url AS canonicalUrl, i.author, i.source,
            i.source_domain AS sourceDomain, CASE WHEN i.date_estimated THEN NULL ELSE i.published_at END AS publishedAt,
            i.date_estimated AS dateEstimated, i.sentiment, i.language, i.sentiment_engine AS engine, i.id, i.story_id AS storyId
     FROM items i JOIN feeds f ON f.id = i.feed_id`,
  )
  .all();
const byId = new Map(items.map((r) => [r.id, r]));
const topics = db.prepare('SELECT t.name, m.item_id AS itemId, m.sentiment, m.story_first AS first FROM item_topics m JOIN topics t ON t.id = m.topic_id').all();
for (const m of topics) (byId.get(m.itemId).topics ??= []).push([m.name, m.sentiment, m.first]);
const stories = new Map();
for (const r of items) if (r.storyId !== null) (stories.get(r.storyId) ?? stories.set(r.storyId, []).get(r.storyId)).push(key(r));
const storyRows = new Map(db.prepare('SELECT id, signature, title, first_at, last_at, follows_id FROM stories').raw().all().map((r) => [r[0], r]));
const groupKey = (id) => (stories.get(id) ?? []).sort().join('\n');
const groups = [...stories.entries()].map(([id, members]) => {
  const s = storyRows.get(id);
  return { members: members.sort(), signature: s?.[1], title: s?.[2], firstAt: s?.[3], lastAt: s?.[4], follows: s?.[5] == null ? null : groupKey(s[5]).split('\n')[0] };
});
groups.sort((a, b) => (a.members[0] < b.members[0] ? -1 : 1));
const out = {
  items: items
    .map(({ id, storyId, ...r }) => ({ ...r, topics: (byId.get(id).topics ?? []).sort() }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)),
  stories: groups,
  quarters: db.prepare('SELECT t.name, q.slot, q.stories, q.items, q.scored, q.sentiment_sum, q.sentiment_sq FROM topic_quarters q JOIN topics t ON t.id = q.topic_id ORDER BY t.name, q.slot').raw().all(),
};
process.stdout.write(JSON.stringify(out, null, 1));
