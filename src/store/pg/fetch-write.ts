/**
 * The fetch write on PostgreSQL: what sqlite/fetch-write.ts does (the same rows, ids, stories, counts), in a
 * few round trips to the server instead of one per statement (about five per new item there). A feed's
 * save is at most two requests that wait for an answer:
 *   1. what the store knows of its items (guids, canonical URLs), the story generation, and ids for what
 *      may be new, from the items' and stories' sequences;
 *   2. its new stories, its items (multi-row INSERT … ON CONFLICT DO NOTHING RETURNING id: only the items
 *      this save stored go on to be matched and counted), which topics the stories it joined have already,
 *      and the quarter-hour counts it adds to (locked);
 * and the rest (topic matches, counts, accounts, the log line, the feed's health) is deferred: sent in
 * front of the next request of the same transaction, or its COMMIT. All of it is one transaction (or a
 * savepoint of the caller's): all or nothing, and under the writer lock every save takes (db.ts), so the
 * ids taken in 1 are this save's alone and what it read in 1 and 2 is still true when it writes.
 */
import type { FetchWriter } from '../api.js';
import { QUARTER_MS } from '../db.js';
import { NO_STORIES, type FetchRecord, type SaveResult, type SlotCounts, type StoryAssigner } from '../model.js';
import { SqlitePart } from '../sqlite/part.js';
import { FETCH_LOG_SQL, NO_STORY, REPLAY_PENDING_SQL, feedUpdate, fetchLogValues, topicMatches, unrepeated } from '../sqlite/fetch-write.js';
import type { Statement } from './bridge.js';
import type { PgDb } from './db.js';

const PROBE = `SELECT EXISTS (SELECT 1 FROM items WHERE feed_id = $1) AS had,
  ARRAY(SELECT guid FROM items WHERE feed_id = $1 AND guid = ANY($2::text[])) AS guids,
  ARRAY(SELECT canonical_url FROM items WHERE feed_id = $1 AND canonical_url = ANY($3::text[])) AS urls,
  (SELECT generation FROM story_state) AS generation,
  ARRAY(SELECT nextval(pg_get_serial_sequence('stories', 'id')) FROM generate_series(1, $4::int) ORDER BY 1) AS story_ids,
  ARRAY(SELECT nextval(pg_get_serial_sequence('items', 'id')) FROM generate_series(1, $4::int) ORDER BY 1) AS item_ids`;

/** Ids taken in PROBE and not used are given back (no other writer took any meanwhile: the writer lock). */
const GIVE_BACK = `SELECT setval(pg_get_serial_sequence('stories', 'id'), $1, false), setval(pg_get_serial_sequence('items', 'id'), $2, false)`;

const NEW_STORIES = `INSERT INTO stories (id, signature, title, first_at, last_at)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`;

const JOIN_STORIES = `UPDATE stories s SET first_at = LEAST(s.first_at, u.first_at), last_at = GREATEST(s.last_at, u.last_at)
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u(id, first_at, last_at) WHERE s.id = u.id`;

const NEW_ITEMS = `INSERT INTO items (id, feed_id, guid, title, summary, link, canonical_url, author, source, source_domain,
                   published_at, date_estimated, fetched_at, sentiment, language, sentiment_engine, story_id, author_email)
  SELECT u.id, $1::bigint, u.guid, u.title, u.summary, u.link, u.canonical_url, u.author, u.source, u.source_domain,
         u.published_at, u.date_estimated, $2::bigint, u.sentiment, u.language, $3::text, u.story_id, u.author_email
  FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
              $13::bigint[], $14::bigint[], $15::float8[], $16::text[], $17::bigint[], $18::text[])
       AS u(id, guid, title, summary, link, canonical_url, author, source, source_domain,
            published_at, date_estimated, sentiment, language, story_id, author_email)
  ON CONFLICT DO NOTHING
  RETURNING id`;

const STORY_TOPICS_HELD = 'SELECT story_id, topic_id FROM story_topics WHERE story_id = ANY($1::bigint[])';

const QUARTERS_HELD = `SELECT topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters
  WHERE (topic_id, slot) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[])) FOR UPDATE`;

const NEW_STORY_TOPICS = `INSERT INTO story_topics (story_id, topic_id, first_at)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING`;

const NEW_MATCHES = `INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::float8[], $5::boolean[]) ON CONFLICT DO NOTHING`;

/** The counts as they are after this save (worked out from what they were, in SQLite's order of additions). */
const SET_QUARTERS = `INSERT INTO topic_quarters (topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])
  ON CONFLICT (topic_id, slot) DO UPDATE SET stories = excluded.stories, items = excluded.items, scored = excluded.scored,
    sentiment_sum = excluded.sentiment_sum, sentiment_sq = excluded.sentiment_sq`;

const NEW_ITEM_ACCOUNTS = `INSERT INTO item_accounts (item_id, account_id, match_type, confidence)
  SELECT u.* FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::float8[]) AS u(item_id, account_id, match_type, confidence)
  WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.id = u.account_id)
  ON CONFLICT DO NOTHING`;

const DROP_STORIES = 'DELETE FROM stories WHERE id = ANY($1::bigint[])';

/** A topic's counts for one quarter hour, with the topic and the quarter. */
interface Quarter extends SlotCounts {
  topicId: number;
  slot: number;
}

/** Columns of rows, one array per column (for unnest). */
function columns<T extends unknown[]>(rows: readonly T[], width: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const r of rows) for (let c = 0; c < width; c++) out[c]!.push(r[c] ?? null);
  return out;
}

export class PgFetchWriter extends SqlitePart implements FetchWriter {
  private get pg(): PgDb {
    return this.db as PgDb;
  }

  /** Saves one fetch, as SqliteFetchWriter.saveFetch does (see there for what), in a few round trips. */
  saveFetch(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories: StoryAssigner = NO_STORIES): SaveResult {
    // (its savepoint costs little here; a failure in Store.together() fails the batch, as on SQLite)
    return this.guard(() => this.conn.failsBatch(() => this.db.transaction((): SaveResult => this.save(rec, topicIds, stories)).immediate()));
  }

  private save(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories: StoryAssigner): SaveResult {
    const db = this.pg;
    const items = rec.status === 'ok' ? (rec.items ?? []) : [];
    const later: Statement[] = [];
    let before = false;
    let stored = new Map<number, number>();
    if (items.length > 0) {
      const candidates = unrepeated(items);
      // 1. what is known of them, and ids enough for all of them
      const [probe] = db.runAll([
        db.statement(PROBE, [
          rec.feedId,
          candidates.map((i) => items[i]!.guid),
          candidates.map((i) => items[i]!.canonicalUrl).filter((u) => u !== null),
          candidates.length,
        ]),
      ]);
      const p = probe!.rows[0] as { had: number; guids: string[]; urls: string[]; generation: number; story_ids: string[]; item_ids: string[] };
      before = p.had === 1;
      const knownGuids = new Set(p.guids);
      const knownUrls = new Set(p.urls);
      const fresh = candidates.filter((i) => !knownGuids.has(items[i]!.guid) && !(items[i]!.canonicalUrl !== null && knownUrls.has(items[i]!.canonicalUrl!)));
      const storyIds = p.story_ids.map(Number);
      const itemIds = p.item_ids.map(Number);
      const deferred = stories.pending === true;
      if (fresh.length > 0 && !deferred) stories.sync?.(p.generation);
      // Provisional stories, oldest first (ties: feed order), as on SQLite; or none, pending the replay at
      // the end of the fetch, as on SQLite (the story ids taken above are then all given back)
      const byAge = [...fresh].sort((a, b) => items[a]!.publishedAt - items[b]!.publishedAt || a - b);
      const storyOf = new Map<number, { id: number | null; created: boolean }>();
      const created: [number, string, string, number, number][] = [];
      const createdAt = new Map<number, number>();
      const joins = new Map<number, { first: number; last: number }>();
      if (deferred) for (const i of byAge) storyOf.set(i, NO_STORY);
      else for (const i of byAge) {
        const it = items[i]!;
        let id = stories.find(it);
        const isNew = id === null;
        if (id === null) {
          id = storyIds[created.length]!;
          createdAt.set(id, created.length);
          created.push([id, stories.signature(it), it.title, it.publishedAt, it.publishedAt]);
        } else if (!stories.covers(id, it.publishedAt)) {
          const row = createdAt.get(id);
          if (row !== undefined) {
            // a story of this save: its row is written once, spanning its items
            created[row]![3] = Math.min(created[row]![3], it.publishedAt);
            created[row]![4] = Math.max(created[row]![4], it.publishedAt);
          } else {
            const j = joins.get(id);
            if (j) {
              j.first = Math.min(j.first, it.publishedAt);
              j.last = Math.max(j.last, it.publishedAt);
            } else joins.set(id, { first: it.publishedAt, last: it.publishedAt });
          }
        }
        stories.stored(id, it, isNew);
        storyOf.set(i, { id, created: isNew });
      }
      // items in feed order, with the ids taken for them in that order
      const idOf = new Map<number, number>(fresh.map((i, k) => [i, itemIds[k]!]));
      const itemRows = fresh.map((i) => {
        const it = items[i]!;
        return [idOf.get(i)!, it.guid, it.title, it.summary, it.link, it.canonicalUrl, it.author, it.source, it.sourceDomain, it.publishedAt, it.dateEstimated ? 1 : 0, it.sentiment, it.language, storyOf.get(i)!.id, it.authorEmail ?? null];
      });
      const slots = new Map<string, [number, number]>();
      for (const i of fresh) {
        const it = items[i]!;
        for (const name of it.topics) {
          const topicId = topicIds.get(name);
          if (topicId === undefined) continue;
          const slot = it.publishedAt - (it.publishedAt % QUARTER_MS);
          slots.set(`${topicId}:${slot}`, [topicId, slot]);
        }
      }
      const joinedOld = [...new Set(byAge.map((i) => storyOf.get(i)!).filter((s) => !s.created && s.id !== null).map((s) => s.id))];
      // 2. the stories and items, and what the counts and matches build on
      const out: Statement[] = [];
      if (created.length > 0) out.push(db.statement(NEW_STORIES, columns(created, 5)));
      if (joins.size > 0) out.push(db.statement(JOIN_STORIES, columns([...joins].map(([id, j]) => [id, j.first, j.last]), 3)));
      const at = { items: -1, held: -1, quarters: -1 };
      if (fresh.length > 0) {
        at.items = out.push(db.statement(NEW_ITEMS, [rec.feedId, rec.startedAt, rec.sentimentEngine ?? null, ...columns(itemRows, 15)])) - 1;
        at.held = out.push(db.statement(STORY_TOPICS_HELD, [joinedOld])) - 1;
        at.quarters = out.push(db.statement(QUARTERS_HELD, columns([...slots.values()], 2))) - 1;
      }
      const answers = out.length > 0 ? db.runAll(out) : [];
      if (fresh.length > 0) {
        // only what this save stored is matched and counted (the writer lock makes that all of them)
        const storedIds = new Set((answers[at.items]!.rows as { id: number }[]).map((r) => Number(r.id)));
        stored = new Map(fresh.filter((i) => storedIds.has(idOf.get(i)!)).map((i) => [i, idOf.get(i)!]));
        const held = new Set((answers[at.held]!.rows as { story_id: number; topic_id: number }[]).map((r) => `${r.story_id}:${r.topic_id}`));
        const quarters = new Map<string, Quarter>();
        for (const q of answers[at.quarters]!.rows as { topic_id: number; slot: number; stories: number; items: number; scored: number; sentiment_sum: number; sentiment_sq: number }[]) {
          quarters.set(`${q.topic_id}:${q.slot}`, { topicId: q.topic_id, slot: q.slot, stories: q.stories, items: q.items, scored: q.scored, sum: q.sentiment_sum, sq: q.sentiment_sq });
        }
        later.push(...this.matches(byAge, items, stored, storyOf, topicIds, held, quarters));
        const accounts: [number, number, string, number][] = [];
        for (const [i, itemId] of stored) for (const a of items[i]!.accounts ?? []) accounts.push([itemId, a.accountId, a.matchType, a.confidence]);
        if (accounts.length > 0) later.push(db.statement(NEW_ITEM_ACCOUNTS, columns(accounts, 4)));
        // (cannot happen under the writer lock) a story made for items not stored goes
        const kept = new Set([...stored.keys()].map((i) => storyOf.get(i)!.id));
        const orphans = created.map((c) => c[0]).filter((id) => !kept.has(id));
        if (orphans.length > 0) later.push(db.statement(DROP_STORIES, [orphans]));
      }
      if (created.length < storyIds.length || fresh.length < itemIds.length) {
        later.push(db.statement(GIVE_BACK, [storyIds[created.length] ?? storyIds.at(-1)! + 1, itemIds[fresh.length] ?? itemIds.at(-1)! + 1]));
      }
      if (stored.size > 0) {
        let earliest = Infinity;
        let latest = -Infinity;
        for (const i of stored.keys()) {
          earliest = Math.min(earliest, items[i]!.publishedAt);
          latest = Math.max(latest, items[i]!.publishedAt);
        }
        later.push(db.bind(REPLAY_PENDING_SQL, earliest, earliest, Math.max(0, latest - rec.startedAt)));
      }
    }
    const overflow = before && stored.size === items.length;
    later.push(db.bind(FETCH_LOG_SQL, ...fetchLogValues(rec, items.length, stored.size, overflow)));
    const [sql, values] = feedUpdate(rec);
    later.push(db.bind(sql, values));
    db.defer(later);
    return { seen: items.length - stored.size, new: stored.size, overflow };
  }

  /**
   * The topic matches of the stored items, oldest first (the first copy of a story in a topic is what volume
   * counts), and the quarter-hour counts they add up to, as SQLite's statements one by one would leave them.
   */
  private matches(
    byAge: number[],
    items: NonNullable<FetchRecord['items']>,
    stored: ReadonlyMap<number, number>,
    storyOf: ReadonlyMap<number, { id: number | null; created: boolean }>,
    topicIds: ReadonlyMap<string, number>,
    held: Set<string>,
    quarters: Map<string, Quarter>,
  ): Statement[] {
    const storyTopics: [number, number, number][] = [];
    const matches: [number, number, number, number | null, boolean][] = [];
    const matched = new Set<string>();
    const touched = new Map<string, Quarter>();
    for (const { it, itemId, storyId, topicId } of topicMatches(items, byAge, stored, storyOf, topicIds)) {
      // a topic named twice matches once
      if (matched.has(`${topicId}:${itemId}`)) continue;
      matched.add(`${topicId}:${itemId}`);
      // (an item with no story, pending the replay, counts as a story of its own until then)
      const pair = `${storyId}:${topicId}`;
      const first = storyId === null || !held.has(pair);
      if (first && storyId !== null) {
        held.add(pair);
        storyTopics.push([storyId, topicId, it.publishedAt]);
      }
      matches.push([topicId, it.publishedAt, itemId, it.sentiment, first]);
      const s = first && it.sentiment !== null ? it.sentiment : 0;
      const slot = it.publishedAt - (it.publishedAt % QUARTER_MS);
      const key = `${topicId}:${slot}`;
      const q = quarters.get(key);
      const scored = first && it.sentiment !== null ? 1 : 0;
      if (q) {
        q.stories += first ? 1 : 0;
        q.items += 1;
        q.scored += scored;
        q.sum = q.sum + s;
        q.sq = q.sq + s * s;
        touched.set(key, q);
      } else {
        const fresh = { topicId, slot, stories: first ? 1 : 0, items: 1, scored, sum: s, sq: s * s };
        quarters.set(key, fresh);
        touched.set(key, fresh);
      }
    }
    const db = this.pg;
    const out: Statement[] = [];
    if (storyTopics.length > 0) out.push(db.statement(NEW_STORY_TOPICS, columns(storyTopics, 3)));
    if (matches.length > 0) out.push(db.statement(NEW_MATCHES, columns(matches, 5)));
    if (touched.size > 0) out.push(db.statement(SET_QUARTERS, columns([...touched.values()].map((q) => [q.topicId, q.slot, q.stories, q.items, q.scored, q.sum, q.sq]), 7)));
    return out;
  }
}
