/** The fetch write: one feed's fetch (log line, feed health, items, their stories and topic matches, the quarter-hour counts) in one transaction. */
import type { FetchWriter } from '../api.js';
import { QUARTER_MS } from '../db.js';
import type { EnrichedItem } from '../../core/types.js';
import { NO_STORIES, type FetchRecord, type SaveResult, type StoryAssigner } from '../model.js';
import { SqlitePart } from './part.js';

/** Where the story replay of a save's items starts, and how far to look back for items by fetch time. */
export const REPLAY_PENDING_SQL = 'UPDATE story_state SET replay_from = min(coalesce(replay_from, ?), ?), max_lead = max(max_lead, ?)';

/** The fetch log's line for one fetch. */
export const FETCH_LOG_SQL = `INSERT INTO fetch_log (feed_id, started_at, duration_ms, status, http_status, bytes, items_seen, items_new, error,
                                attempts, overflow, notice)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The feed's health after a failed fetch. */
export const FEED_FAILED_SQL = `UPDATE feeds SET last_fetched_at = @at, last_status = 'failed', last_error = @error,
                    consecutive_failures = consecutive_failures + 1,
                    next_due_at = @nextDueAt,
                    retired_at = CASE WHEN @retire THEN @at ELSE retired_at END
             WHERE id = @id`;

/** The feed's validators and health after a fetch that worked (ok, or not modified). */
export const FEED_FETCHED_SQL = `UPDATE feeds SET last_fetched_at = @at, last_success_at = @at, last_status = @status, last_error = NULL,
                    consecutive_failures = 0, retired_at = NULL, next_due_at = @nextDueAt,
                    fetch_url = coalesce(@movedTo, fetch_url),
                    etag = CASE WHEN @status = 'ok' THEN @etag ELSE coalesce(@etag, etag) END,
                    last_modified = CASE WHEN @status = 'ok' THEN @lastModified ELSE coalesce(@lastModified, last_modified) END,
                    title = coalesce(@title, title), site_link = coalesce(@siteLink, site_link)
             WHERE id = @id`;

/** The log line's values, in FETCH_LOG_SQL's order. */
export function fetchLogValues(rec: FetchRecord, seen: number, stored: number, overflow: boolean): unknown[] {
  return [rec.feedId, rec.startedAt, rec.durationMs, rec.status, rec.httpStatus, rec.bytes, seen, stored, rec.error, rec.attempts ?? 1, overflow ? 1 : 0, rec.notice ?? null];
}

/** The feed's update after the fetch: FEED_FAILED_SQL or FEED_FETCHED_SQL, and its named values. */
export function feedUpdate(rec: FetchRecord): [string, Record<string, unknown>] {
  if (rec.status === 'failed') return [FEED_FAILED_SQL, { at: rec.startedAt, error: rec.error, nextDueAt: rec.nextDueAt ?? null, retire: rec.retire ? 1 : 0, id: rec.feedId }];
  return [
    FEED_FETCHED_SQL,
    {
      at: rec.startedAt,
      status: rec.status,
      nextDueAt: rec.nextDueAt ?? null,
      movedTo: rec.movedTo ?? null,
      etag: rec.etag ?? null,
      lastModified: rec.lastModified ?? null,
      title: rec.title ?? null,
      siteLink: rec.siteLink ?? null,
      id: rec.feedId,
    },
  ];
}

/**
 * The items of a fetch that are not repeats within it, by index in feed order: the first of each guid, and
 * of each canonical URL (the store then asks which of these it has already).
 */
export function unrepeated(items: readonly EnrichedItem[]): number[] {
  const out: number[] = [];
  const guids = new Set<string>();
  const urls = new Set<string>();
  items.forEach((it, i) => {
    if (guids.has(it.guid) || (it.canonicalUrl !== null && urls.has(it.canonicalUrl))) return;
    guids.add(it.guid);
    if (it.canonicalUrl !== null) urls.add(it.canonicalUrl);
    out.push(i);
  });
  return out;
}

/**
 * The topic matches of a save's stored items (`stored`: item index → id), in the order they are written:
 * items oldest first (`byAge`; the first copy of a story in a topic is what volume counts), then the topics
 * as each item names them.
 */
export function* topicMatches<S extends number | null>(
  items: readonly EnrichedItem[],
  byAge: readonly number[],
  stored: ReadonlyMap<number, number>,
  storyOf: ReadonlyMap<number, { id: S }>,
  topicIds: ReadonlyMap<string, number>,
): Generator<{ it: EnrichedItem; itemId: number; storyId: S; topicId: number }> {
  for (const i of byAge) {
    const itemId = stored.get(i);
    if (itemId === undefined) continue;
    const it = items[i]!;
    const storyId = storyOf.get(i)!.id;
    for (const name of it.topics) {
      const topicId = topicIds.get(name);
      if (topicId !== undefined) yield { it, itemId, storyId, topicId };
    }
  }
}

/** An item saved with no story, pending the replay (StoryAssigner.pending). */
export const NO_STORY = { id: null, created: false } as const;

export class SqliteFetchWriter extends SqlitePart implements FetchWriter {
  /**
   * Saves one fetch: the log line, the feed's validators and health, and (for status ok) its items
   * with their topic matches, all in one immediate transaction: a crash keeps all of it or none. In
   * Store.together() it is part of that transaction, without a savepoint of its own (each copied every
   * page its save touched to the statement journal: a fifth of the save's CPU); should it fail, the
   * whole batch is rolled back (Connection.batch).
   * An item already stored by this feed (same guid, or same canonical URL) is counted as seen. Another
   * feed's item with the same canonical URL is not: both are kept (one feed never hides another's
   * items), and the story replay puts them in one story.
   */
  saveFetch(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories: StoryAssigner = NO_STORIES): SaveResult {
    return this.guard(() => {
      // one method run for every save (a closure made per save was a new function each time: V8 compiled it
      // again and again, ~14 times in a cold bench fetch, and ran it unoptimised in between)
      const save = (): SaveResult => this.saveNow(rec, topicIds, stories);
      // in Store.together(): no savepoint of its own, a failure fails the batch (Connection.batch)
      if (this.conn.batch === null) return this.db.transaction(save).immediate();
      return this.conn.failsBatch(() => (this.db.inTransaction ? save() : this.db.transaction(save).immediate()));
    });
  }

  /** saveFetch's work, in the transaction it runs in. */
  private saveNow(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories: StoryAssigner): SaveResult {
    const knownGuid = this.stmt('SELECT 1 FROM items WHERE feed_id = ? AND guid = ?').pluck();
    const knownUrl = this.stmt('SELECT 1 FROM items WHERE canonical_url = ? AND feed_id = ?').pluck();
    const insertItem = this.stmt(
      `INSERT INTO items (feed_id, guid, title, summary, link, canonical_url, author, source, source_domain,
                          published_at, date_estimated, fetched_at, sentiment, language, sentiment_engine, story_id, author_email)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    const insertMatch = this.stmt(
      'INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    // an account removed since the run began is no longer there to match: its rows are skipped
    const accountKnown = this.stmt('SELECT 1 FROM accounts WHERE id = ?').pluck();
    const insertAccount = this.stmt('INSERT INTO item_accounts (item_id, account_id, match_type, confidence) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const newStory = this.stmt('INSERT INTO stories (signature, title, first_at, last_at) VALUES (?, ?, ?, ?)');
    const dropStory = this.stmt('DELETE FROM stories WHERE id = ?');
    const joinStory = this.stmt('UPDATE stories SET first_at = min(first_at, ?), last_at = max(last_at, ?) WHERE id = ?');
    const storyTopic = this.stmt('INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    const generation = this.stmt('SELECT generation FROM story_state').pluck();
    const pending = this.stmt(REPLAY_PENDING_SQL);
    const log = this.stmt(FETCH_LOG_SQL);
    const quarter = this.stmt(
      `INSERT INTO topic_quarters (topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq) VALUES (?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (topic_id, slot) DO UPDATE SET stories = topic_quarters.stories + excluded.stories,
         items = topic_quarters.items + 1, scored = topic_quarters.scored + excluded.scored,
         sentiment_sum = topic_quarters.sentiment_sum + excluded.sentiment_sum,
         sentiment_sq = topic_quarters.sentiment_sq + excluded.sentiment_sq`,
    );
    const hadItems = this.stmt('SELECT 1 FROM items WHERE feed_id = ? LIMIT 1').pluck();
    const items = rec.status === 'ok' ? (rec.items ?? []) : [];
    const before = items.length > 0 && hadItems.get(rec.feedId) !== undefined;
    // Which items are new: not stored already by this feed (its guid or the same article), nor
    // repeated within this fetch. Asked before anything is written, so that a new item is written
    // once, with its story, rather than updated afterwards.
    // (a feed with no items yet has no guid to repeat)
    const fresh = unrepeated(items).filter((i) => {
      const it = items[i]!;
      if (before && knownGuid.get(rec.feedId, it.guid) !== undefined) return false;
      return !(before && it.canonicalUrl !== null && knownUrl.get(it.canonicalUrl, rec.feedId) !== undefined);
    });
    const deferred = stories.pending === true;
    if (fresh.length > 0 && !deferred) stories.sync?.(generation.get() as number);
    // Provisional stories, oldest first (the wire copy of a story usually comes before its rewrites;
    // ties: feed order): replayStories() makes them independent of arrival order at the end of the fetch.
    // Or none, when that replay covers every item of the run (a fetch's): an item then counts as a story
    // of its own until it (story_id NULL, first in each topic), as an item saved without stories does.
    const byAge = [...fresh].sort((a, b) => items[a]!.publishedAt - items[b]!.publishedAt || a - b);
    const storyOf = new Map<number, { id: number | null; created: boolean }>();
    if (deferred) for (const i of byAge) storyOf.set(i, NO_STORY);
    else for (const i of byAge) {
      const it = items[i]!;
      let id = stories.find(it);
      const created = id === null;
      if (id === null) id = Number(newStory.run(stories.signature(it), it.title, it.publishedAt, it.publishedAt).lastInsertRowid);
      else if (!stories.covers(id, it.publishedAt)) joinStory.run(it.publishedAt, it.publishedAt, id);
      stories.stored(id, it, created);
      storyOf.set(i, { id, created });
    }
    // Items in feed order (their ids keep it), each with its story.
    const itemIds = new Map<number, number>();
    for (const i of fresh) {
      const it = items[i]!;
      const story = storyOf.get(i)!;
      // positional parameters: binding an object by name costs more, per item
      const info = insertItem.run(
        rec.feedId, it.guid, it.title, it.summary, it.link, it.canonicalUrl, it.author, it.source, it.sourceDomain,
        it.publishedAt, it.dateEstimated ? 1 : 0, rec.startedAt, it.sentiment, it.language, rec.sentimentEngine ?? null, story.id,
        it.authorEmail ?? null,
      );
      if (info.changes === 0) {
        // cannot happen after the checks above (this transaction is the only writer); a story made for it goes
        if (story.created) dropStory.run(story.id!);
        continue;
      }
      const itemId = Number(info.lastInsertRowid);
      itemIds.set(i, itemId);
      if (it.accounts) for (const a of it.accounts) if (accountKnown.get(a.accountId) !== undefined) insertAccount.run(itemId, a.accountId, a.matchType, a.confidence);
    }
    // Topic matches oldest first: the first copy of a story in a topic is what volume counts.
    for (const { it, itemId, storyId, topicId } of topicMatches(items, byAge, itemIds, storyOf, topicIds)) {
      const first = storyId === null ? 1 : storyTopic.run(storyId, topicId, it.publishedAt).changes;
      if (insertMatch.run(topicId, it.publishedAt, itemId, it.sentiment, first).changes === 0) continue;
      const s = first && it.sentiment !== null ? it.sentiment : 0;
      quarter.run(topicId, it.publishedAt - (it.publishedAt % QUARTER_MS), first, first && it.sentiment !== null ? 1 : 0, s, s * s);
    }
    const stored = itemIds.size;
    if (stored > 0) {
      // where the replay of this fetch's stories starts, and how far to look back to find items by fetch time
      let earliest = Infinity;
      let latest = -Infinity;
      for (const i of itemIds.keys()) {
        earliest = Math.min(earliest, items[i]!.publishedAt);
        latest = Math.max(latest, items[i]!.publishedAt);
      }
      pending.run(earliest, earliest, Math.max(0, latest - rec.startedAt));
    }
    const overflow = before && stored === items.length;
    log.run(...fetchLogValues(rec, items.length, stored, overflow));
    const [sql, values] = feedUpdate(rec);
    this.stmt(sql).run(values);
    return { seen: items.length - stored, new: stored, overflow };
  }
}
