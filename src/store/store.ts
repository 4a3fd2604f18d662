import type { Bucket, EnrichedItem, Moment, StoredItem } from '../core/types.js';

export type { StoredItem } from '../core/types.js';
import { StoreError, UsageError } from '../core/errors.js';
import type Database from 'better-sqlite3';
import { BUCKET_WIDTH, packBuckets, type PackedBuckets, unpackBuckets } from '../core/buckets.js';
import { COUNTS_WEEK_MS, QUARTER_MS, TOPIC_QUARTERS_SELECT, openDatabase, wrapSqliteError, type DB, type OpenOptions } from './db.js';

export interface FeedRow {
  id: number;
  /** The URL as configured: the feed's identity. */
  url: string;
  /** Where it is fetched from: the URL, or where it moved to (permanent redirect). */
  fetchUrl: string;
  title: string | null;
  etag: string | null;
  lastModified: string | null;
  lastFetchedAt: number | null;
  lastSuccessAt: number | null;
  lastStatus: FetchStatus | null;
  lastError: string | null;
  consecutiveFailures: number;
  nextDueAt: number | null;
  retiredAt: number | null;
}

export type FetchStatus = 'ok' | 'not-modified' | 'failed';

/** What one fetch of one feed produced; saved in one transaction. */
export interface FetchRecord {
  feedId: number;
  startedAt: number;
  durationMs: number;
  status: FetchStatus;
  httpStatus: number | null;
  bytes: number | null;
  error: string | null;
  etag?: string | null;
  lastModified?: string | null;
  title?: string | null;
  siteLink?: string | null;
  items?: EnrichedItem[];
  /** Tries it took (retries of transient failures). */
  attempts?: number;
  /** Not to be fetched again before this time. */
  nextDueAt?: number | null;
  /** The feed moved permanently here: fetch it from there from now on. */
  movedTo?: string | null;
  /** 410 Gone: stop fetching it. */
  retire?: boolean;
  /** A note for the log (moved, retired...). */
  notice?: string | null;
  /** The sentiment engine (name/version) that scored the items. */
  sentimentEngine?: string;
}

/**
 * Puts new items into stories (near-duplicate headlines across sources are one story). Implemented by
 * the caller, which keeps the index of recent stories; the store writes what it decides.
 */
export interface StoryAssigner {
  /** The story a new item joins, or null to start a new one. */
  find(item: EnrichedItem): number | null;
  /** What near-duplicates are matched on, stored with a new story. */
  signature(item: EnrichedItem): string;
  /** The item is stored in this story (created for it, or joined). */
  stored(storyId: number, item: EnrichedItem, created: boolean): void;
  /** Does the story's stored time span already hold this time (so joining it changes nothing)? */
  covers(storyId: number, publishedAt: number): boolean;
  /**
   * Called at the start of each save that has items, inside its transaction, with the store's story
   * generation: an assigner that keeps stories in memory reloads them when it has changed (another
   * fetch replayed stories meanwhile, and the ids it holds may be gone).
   */
  sync?(generation: number): void;
}

/** A stored story as the clustering needs it. */
export interface StoryRow {
  id: number;
  /** The tokens of its first item's title, space-separated. */
  signature: string;
  firstAt: number;
  lastAt: number;
  /** The titles of its items (canonical order), for stories still in reach of the replayed items. */
  members?: string[];
  /** The canonical URLs of those items. */
  urls?: string[];
}

/** A stored item as a replay hands it to the clustering (in canonical order). */
export interface ReplayItem {
  /** The item's id, as a string. */
  key: string;
  title: string;
  /** Not used for matching: ''. */
  sourceKey: string;
  publishedAt: number;
  /** The canonical URL: items with the same one are one story (while it is open). */
  url: string | null;
}

/**
 * Clusters stored items, given in canonical order after the stories founded before the first of them
 * (each with its span as of then). Per item: a known story's id, or -(k + 1) for the k-th new story;
 * per new story, the item that founded it and its signature.
 */
export type StoryReplayer = (
  known: StoryRow[],
  items: ReplayItem[],
) => { story: number[]; founders: number[]; signatures: string[]; followUps?: (number | null)[] };

export interface ReplaySummary {
  /** Items published from here on were replayed. */
  from: number;
  items: number;
  /** Items whose story changed. */
  moved: number;
  storiesCreated: number;
  storiesDropped: number;
  /** Topic matches whose first-copy flag changed. */
  firstsChanged: number;
}

/** One topic's counts for one quarter hour, as topic_quarters keeps them. */
interface SlotCounts {
  stories: number;
  items: number;
  scored: number;
  sum: number;
  sq: number;
}

/** What a replay needs of a stored item. */
interface ReplayRow {
  id: number;
  publishedAt: number;
  title: string;
  url: string | null;
  guid: string;
  feedUrl: string;
  storyId: number | null;
}

/**
 * The canonical order of items: published time, then the canonical URL (or the guid when there is
 * none), the feed's configured URL and the guid. Never arrival order or row ids, which depend on which
 * feed finished first.
 */
export function canonicalOrder(
  a: { publishedAt: number; url: string | null; guid: string; feedUrl: string },
  b: { publishedAt: number; url: string | null; guid: string; feedUrl: string },
): number {
  if (a.publishedAt !== b.publishedAt) return a.publishedAt - b.publishedAt;
  return cmp(a.url ?? a.guid, b.url ?? b.guid) || cmp(a.feedUrl, b.feedUrl) || cmp(a.guid, b.guid);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every item is its own story (for callers that do not cluster). */
export const NO_STORIES: StoryAssigner = {
  find: () => null,
  signature: (it) => it.title.toLowerCase(),
  stored: () => undefined,
  covers: () => false,
};

export interface SaveResult {
  seen: number;
  new: number;
  /** Every item was new although the feed had items before: it may be dropping items between fetches. */
  overflow: boolean;
}

/** A feed's health, from its row and its fetch log. */
export interface FeedHealth extends FeedRow {
  fetches: number;
  notModified: number;
  failures: number;
  /** Items published per day over the last 7 days. */
  itemsPerDay: number;
  /** Total items stored from this feed. */
  items: number;
  /** Fetches in the window that returned only unseen items. */
  overflows: number;
}

/** What re-matching a topic needs of a stored item. */
export interface MatchableItem {
  id: number;
  guid: string;
  /** The canonical URL, or null. */
  url: string | null;
  title: string;
  summary: string;
  publishedAt: number;
  sentiment: number | null;
  language: string | null;
  storyId: number | null;
  feedUrl: string;
}

export interface TopicRow {
  id: number;
  name: string;
  /** The stored matches were made with another definition (or none): they must be redone. */
  changed: boolean;
}

export interface SavedMoment {
  firstSeenAt: number;
  /** First seen in this evaluation. */
  isNew: boolean;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

const FEED_COLUMNS = `SELECT id, url, coalesce(fetch_url, url) AS fetchUrl, title, etag, last_modified AS lastModified,
  last_fetched_at AS lastFetchedAt, last_success_at AS lastSuccessAt, last_status AS lastStatus, last_error AS lastError,
  consecutive_failures AS consecutiveFailures, next_due_at AS nextDueAt, retired_at AS retiredAt FROM feeds`;

/** topic_quarter_weeks holds little-endian float64s: read in place on such a machine (every usual one). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** A blob of float64s as a Float64Array (in place when aligned). */
function float64s(data: Buffer): Float64Array {
  const bytes = data.byteOffset % 8 === 0 ? data : new Uint8Array(data);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/** The SQLite store: every method is one statement or one immediate transaction. */
export class Store {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly db: DB,
    readonly file: string,
  ) {}

  /** Prepared once per connection: preparing costs more than running a small statement. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  static open(file: string, options: OpenOptions = {}): Store {
    return new Store(openDatabase(file, options), file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn`, turning SQLite errors into one-line StoreErrors naming the file. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (err && typeof err === 'object' && 'code' in err && String((err as { code: unknown }).code).startsWith('SQLITE')) {
        throw wrapSqliteError(err, this.file);
      }
      throw err;
    }
  }

  /**
   * Runs `fn` in one immediate transaction: the saves it makes (each still all-or-nothing, as a savepoint)
   * are committed together, or not at all.
   */
  together<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn).immediate());
  }

  /** Makes sure every URL has a feed row; returns the rows in the order given. */
  ensureFeeds(urls: string[], now: number): FeedRow[] {
    return this.guard(() => {
      const insert = this.stmt('INSERT INTO feeds (url, created_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING');
      const select = this.stmt(`${FEED_COLUMNS} WHERE url = ?`);
      const tx = this.db.transaction(() => urls.map((u) => {
        insert.run(u, now);
        return select.get(u) as FeedRow;
      }));
      return tx.immediate();
    });
  }

  /**
   * Saves one fetch: the log line, the feed's validators and health, and (for status ok) its items
   * with their topic matches, all in one immediate transaction: a crash keeps all of it or none.
   * An item already stored by this feed (same guid, or same canonical URL) is counted as seen. Another
   * feed's item with the same canonical URL is not: both are kept (one feed never hides another's
   * items), and the story replay puts them in one story.
   */
  saveFetch(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories: StoryAssigner = NO_STORIES): SaveResult {
    return this.guard(() => {
      const knownGuid = this.stmt('SELECT 1 FROM items WHERE feed_id = ? AND guid = ?').pluck();
      const knownUrl = this.stmt('SELECT 1 FROM items WHERE canonical_url = ? AND feed_id = ?').pluck();
      const insertItem = this.stmt(
        `INSERT INTO items (feed_id, guid, title, summary, link, canonical_url, author, source, source_domain,
                            published_at, date_estimated, fetched_at, sentiment, language, sentiment_engine, story_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      );
      const insertMatch = this.stmt(
        'INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      );
      const newStory = this.stmt('INSERT INTO stories (signature, title, first_at, last_at) VALUES (?, ?, ?, ?)');
      const dropStory = this.stmt('DELETE FROM stories WHERE id = ?');
      const joinStory = this.stmt('UPDATE stories SET first_at = min(first_at, ?), last_at = max(last_at, ?) WHERE id = ?');
      const storyTopic = this.stmt('INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      const generation = this.stmt('SELECT generation FROM story_state').pluck();
      const pending = this.stmt('UPDATE story_state SET replay_from = min(coalesce(replay_from, ?), ?), max_lead = max(max_lead, ?)');
      const log = this.stmt(
        `INSERT INTO fetch_log (feed_id, started_at, duration_ms, status, http_status, bytes, items_seen, items_new, error,
                                attempts, overflow, notice)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const quarter = this.stmt(
        `INSERT INTO topic_quarters (topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq) VALUES (?, ?, ?, 1, ?, ?, ?)
         ON CONFLICT (topic_id, slot) DO UPDATE SET stories = stories + excluded.stories, items = items + 1,
           scored = scored + excluded.scored, sentiment_sum = sentiment_sum + excluded.sentiment_sum,
           sentiment_sq = sentiment_sq + excluded.sentiment_sq`,
      );
      const hadItems = this.stmt('SELECT 1 FROM items WHERE feed_id = ? LIMIT 1').pluck();
      const tx = this.db.transaction((): SaveResult => {
        const items = rec.status === 'ok' ? (rec.items ?? []) : [];
        const before = items.length > 0 && hadItems.get(rec.feedId) !== undefined;
        // Which items are new: not stored already by this feed (its guid or the same article), nor
        // repeated within this fetch. Asked before anything is written, so that a new item is written
        // once, with its story, rather than updated afterwards.
        const fresh: number[] = [];
        const guids = new Set<string>();
        const urls = new Set<string>();
        items.forEach((it, i) => {
          if (guids.has(it.guid) || (it.canonicalUrl !== null && urls.has(it.canonicalUrl))) return;
          guids.add(it.guid);
          if (it.canonicalUrl !== null) urls.add(it.canonicalUrl);
          // (a feed with no items yet has no guid to repeat)
          if (before && knownGuid.get(rec.feedId, it.guid) !== undefined) return;
          if (before && it.canonicalUrl !== null && knownUrl.get(it.canonicalUrl, rec.feedId) !== undefined) return;
          fresh.push(i);
        });
        if (fresh.length > 0) stories.sync?.(generation.get() as number);
        // Provisional stories, oldest first (the wire copy of a story usually comes before its rewrites;
        // ties: feed order): replayStories() makes them independent of arrival order at the end of the fetch.
        const byAge = [...fresh].sort((a, b) => items[a]!.publishedAt - items[b]!.publishedAt || a - b);
        const storyOf = new Map<number, { id: number; created: boolean }>();
        for (const i of byAge) {
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
          );
          if (info.changes === 0) {
            // cannot happen after the checks above (this transaction is the only writer); a story made for it goes
            if (story.created) dropStory.run(story.id);
            continue;
          }
          itemIds.set(i, Number(info.lastInsertRowid));
        }
        // Topic matches oldest first: the first copy of a story in a topic is what volume counts.
        for (const i of byAge) {
          const itemId = itemIds.get(i);
          if (itemId === undefined) continue;
          const it = items[i]!;
          const storyId = storyOf.get(i)!.id;
          for (const name of it.topics) {
            const topicId = topicIds.get(name);
            if (topicId === undefined) continue;
            const first = storyTopic.run(storyId, topicId, it.publishedAt).changes;
            if (insertMatch.run(topicId, it.publishedAt, itemId, it.sentiment, first).changes === 0) continue;
            const s = first && it.sentiment !== null ? it.sentiment : 0;
            quarter.run(topicId, it.publishedAt - (it.publishedAt % QUARTER_MS), first, first && it.sentiment !== null ? 1 : 0, s, s * s);
          }
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
        log.run(
          rec.feedId, rec.startedAt, rec.durationMs, rec.status, rec.httpStatus, rec.bytes, items.length, stored, rec.error,
          rec.attempts ?? 1, overflow ? 1 : 0, rec.notice ?? null,
        );
        if (rec.status === 'failed') {
          this.stmt(
            `UPDATE feeds SET last_fetched_at = @at, last_status = 'failed', last_error = @error,
                    consecutive_failures = consecutive_failures + 1,
                    next_due_at = @nextDueAt,
                    retired_at = CASE WHEN @retire THEN @at ELSE retired_at END
             WHERE id = @id`,
          ).run({ at: rec.startedAt, error: rec.error, nextDueAt: rec.nextDueAt ?? null, retire: rec.retire ? 1 : 0, id: rec.feedId });
        } else {
          this.stmt(
            `UPDATE feeds SET last_fetched_at = @at, last_success_at = @at, last_status = @status, last_error = NULL,
                    consecutive_failures = 0, retired_at = NULL, next_due_at = @nextDueAt,
                    fetch_url = coalesce(@movedTo, fetch_url),
                    etag = CASE WHEN @status = 'ok' THEN @etag ELSE coalesce(@etag, etag) END,
                    last_modified = CASE WHEN @status = 'ok' THEN @lastModified ELSE coalesce(@lastModified, last_modified) END,
                    title = coalesce(@title, title), site_link = coalesce(@siteLink, site_link)
             WHERE id = @id`,
          ).run({
            at: rec.startedAt,
            status: rec.status,
            nextDueAt: rec.nextDueAt ?? null,
            movedTo: rec.movedTo ?? null,
            etag: rec.etag ?? null,
            lastModified: rec.lastModified ?? null,
            title: rec.title ?? null,
            siteLink: rec.siteLink ?? null,
            id: rec.feedId,
          });
        }
        return { seen: items.length - stored, new: stored, overflow };
      });
      return tx.immediate();
    });
  }

  /** Every feed's health over the fetch log since `since`, for the configured URLs (in that order). */
  feedHealth(urls: string[], since: number, now: number): FeedHealth[] {
    return this.guard(() => {
      const row = this.stmt(`${FEED_COLUMNS} WHERE url = ?`);
      const log = this.stmt(
        `SELECT count(*) AS fetches, total(status = 'not-modified') AS notModified, total(status = 'failed') AS failures,
                total(overflow) AS overflows
         FROM fetch_log WHERE feed_id = ? AND started_at >= ?`,
      );
      const items = this.stmt(
        'SELECT count(*) AS items, total(published_at >= ?) AS recent FROM items WHERE feed_id = ?',
      );
      const out: FeedHealth[] = [];
      for (const url of urls) {
        const f = row.get(url) as FeedRow | undefined;
        if (!f) continue;
        const l = log.get(f.id, since) as { fetches: number; notModified: number; failures: number; overflows: number };
        const i = items.get(now - 7 * 86_400_000, f.id) as { items: number; recent: number };
        out.push({ ...f, ...l, items: i.items, itemsPerDay: Math.round((i.recent / 7) * 10) / 10 });
      }
      return out;
    });
  }

  /** Records the configured topics; a topic whose definition changed is marked so its matches are redone. */
  syncTopics(defs: { name: string; definition: string }[]): TopicRow[] {
    return this.guard(() => {
      const select = this.stmt('SELECT id, definition FROM topics WHERE name = ?');
      const insert = this.stmt("INSERT INTO topics (name, definition) VALUES (?, '')");
      const tx = this.db.transaction(() =>
        defs.map((d) => {
          let row = select.get(d.name) as { id: number; definition: string } | undefined;
          if (!row) {
            insert.run(d.name);
            row = select.get(d.name) as { id: number; definition: string };
          }
          return { id: row.id, name: d.name, changed: row.definition !== d.definition };
        }),
      );
      return tx.immediate();
    });
  }

  /** Looks up topics by name without writing (for read-only commands); unknown names are left out. */
  topicIds(names: string[]): Map<string, number> {
    return this.guard(() => {
      const select = this.stmt('SELECT id FROM topics WHERE name = ?');
      const out = new Map<string, number>();
      for (const n of names) {
        const row = select.get(n) as { id: number } | undefined;
        if (row) out.set(n, row.id);
      }
      return out;
    });
  }

  /** All stored items' text, in id order, a page at a time (for re-matching a changed topic). */
  *itemTexts(pageSize = 5000): Generator<MatchableItem[]> {
    const page = this.stmt(
      `SELECT i.id, i.guid, i.canonical_url AS url, i.title, i.summary, i.published_at AS publishedAt, i.sentiment, i.language,
              i.story_id AS storyId, f.url AS feedUrl
       FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id > ? ORDER BY i.id LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = this.guard(() => page.all(after, pageSize) as MatchableItem[]);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  /**
   * Replaces a topic's matches and records the definition they were made with, in one transaction.
   * The earliest copy of each story (in canonical order) counts for volume.
   */
  replaceTopicMatches(topicId: number, definition: string, matches: MatchableItem[]): void {
    this.guard(() => {
      const insert = this.stmt('INSERT INTO item_topics (topic_id, published_at, item_id, sentiment, story_first) VALUES (?, ?, ?, ?, ?)');
      const storyTopic = this.stmt('INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      const tx = this.db.transaction(() => {
        this.stmt('DELETE FROM item_topics WHERE topic_id = ?').run(topicId);
        this.stmt('DELETE FROM story_topics WHERE topic_id = ?').run(topicId);
        const ordered = [...matches].sort(canonicalOrder);
        for (const m of ordered) {
          const first = m.storyId === null ? 1 : storyTopic.run(m.storyId, topicId, m.publishedAt).changes;
          insert.run(topicId, m.publishedAt, m.id, m.sentiment, first);
        }
        this.stmt('UPDATE topics SET definition = ? WHERE id = ?').run(definition, topicId);
        this.stmt('DELETE FROM topic_quarters WHERE topic_id = ?').run(topicId);
        this.stmt(`INSERT INTO topic_quarters ${TOPIC_QUARTERS_SELECT} WHERE topic_id = ? GROUP BY 1, 2`).run(topicId);
      });
      tx.immediate();
    });
  }

  /** Stories whose last copy is from `since` on: the index near-duplicates are matched against. */
  recentStories(since: number, limit = 200_000): { id: number; signature: string; firstAt: number; lastAt: number }[] {
    return this.guard(
      () =>
        this.stmt(
          `SELECT id, signature, first_at AS firstAt, last_at AS lastAt FROM stories WHERE last_at >= ? ORDER BY last_at DESC LIMIT ?`,
        ).all(since, limit) as { id: number; signature: string; firstAt: number; lastAt: number }[],
    );
  }

  /** The story generation: every replay bumps it (see StoryAssigner.sync). */
  storyGeneration(): number {
    return this.guard(() => this.stmt('SELECT generation FROM story_state').pluck().get() as number);
  }

  /**
   * Makes the stories of the items saved since the last replay what one pass over the stored items in
   * canonical order (canonicalOrder) makes of them, whatever order they arrived in, in one transaction:
   * items, stories, which copy of a story comes first in each topic, and the quarter-hour counts.
   *
   * Bounded: it replays the items published from the start of the hour of the earliest item saved since
   * the last replay (saveFetch notes it), and no earlier. Items before that keep their stories, and
   * the stories they founded are the known ones the replay starts from, each cut back to its items
   * before that time (its span from the items of the story window before it, which items it counted
   * per topic from story_topics). Writes only what changed; the items themselves are never touched
   * beyond their story. Returns null when nothing was waiting.
   */
  replayStories(replay: StoryReplayer, o: { windowMs: number; memoryMs: number; lifeMs?: number }): ReplaySummary | null {
    // Deleting a story makes SQLite look for items still in it, and items.story_id has no index (it would
    // cost every insert): a scan of every item per story dropped, minutes for a big first fetch. The
    // stories dropped here have no items by construction (every item of theirs was replayed and moved),
    // so foreign keys are off for this transaction. (A no-op inside an outer transaction: then it scans.)
    const enforced = this.db.pragma('foreign_keys', { simple: true }) === 1;
    if (enforced && !this.db.inTransaction) this.db.pragma('foreign_keys = OFF');
    try {
      return this.replayInTransaction(replay, o);
    } finally {
      if (enforced && !this.db.inTransaction) this.db.pragma('foreign_keys = ON');
    }
  }

  private replayInTransaction(replay: StoryReplayer, o: { windowMs: number; memoryMs: number; lifeMs?: number }): ReplaySummary | null {
    return this.guard(() =>
      this.db
        .transaction((): ReplaySummary | null => {
          const state = this.stmt('SELECT replay_from AS pending, max_lead AS lead FROM story_state').get() as { pending: number | null; lead: number };
          const pending = state.pending;
          if (pending === null) return null;
          // From the start of its hour (which starts a quarter too), so the quarter-hour counts from there on
          // are recomputed whole. (Slots are keyed by truncation, like everywhere else: up to 1970 slot k
          // holds (k - 15 min, k], and slot 0 the quarters either side of 0, so there a slot starts a ms
          // after the key before its own.)
          const hour = Math.floor(pending / HOUR) * HOUR;
          const from = hour > 0 ? hour : hour - QUARTER_MS + 1;
          const firstSlot = from - (from % QUARTER_MS); // the slot whose items start at `from`

          // The stories founded before `from`, in founding order, as they were then.
          const known = this.stmt(
            `SELECT id, signature, first_at AS firstAt, last_at AS lastAt FROM stories
             WHERE last_at >= ? AND first_at < ? ORDER BY first_at, signature, id`,
          ).all(Math.floor(from / DAY) * DAY - o.memoryMs, from) as StoryRow[];
          const storedLast = new Map<number, number>();
          const spanning = known.filter((s) => s.lastAt >= from);
          if (spanning.length > 0) {
            // a story with items on both sides has one within the window before `from` (each item joined
            // within the window of the one before it)
            const lastBefore = new Map(
              this.stmt(
                `SELECT story_id, max(published_at) FROM items
                 WHERE fetched_at >= ? AND published_at >= ? AND published_at < ? AND story_id IS NOT NULL GROUP BY story_id`,
              )
                .raw()
                .all(from - o.windowMs - state.lead, from - o.windowMs, from) as [number, number][],
            );
            for (const s of spanning) {
              storedLast.set(s.id, s.lastAt);
              s.lastAt = lastBefore.get(s.id) ?? s.firstAt;
            }
          }

          const feedUrls = new Map(this.stmt('SELECT id, url FROM feeds').raw().all() as [number, string][]);
          // The titles of the known stories an item from `from` on can still reach (joined, or followed
          // up): all their items are from `from - window - life` on (a story spans at most its life).
          const reachable = new Map(known.filter((s) => s.lastAt >= from - o.windowMs).map((s) => [s.id, s]));
          if (reachable.size > 0) {
            const reach = o.windowMs + (o.lifeMs ?? o.windowMs);
            const before = (
              this.stmt(
                'SELECT id, published_at, title, canonical_url, guid, feed_id, story_id FROM items WHERE fetched_at >= ? AND published_at >= ? AND published_at < ? AND story_id IS NOT NULL',
              )
                .raw()
                .all(from - reach - state.lead, from - reach, from) as [number, number, string, string | null, string, number, number][]
            )
              .filter((r) => reachable.has(r[6]))
              .map(([id, publishedAt, title, url, guid, feedId, storyId]): ReplayRow => ({ id, publishedAt, title, url, guid, feedUrl: feedUrls.get(feedId) ?? '', storyId }));
            before.sort(canonicalOrder);
            for (const r of before) {
              const s = reachable.get(r.storyId!)!;
              (s.members ??= []).push(r.title);
              if (r.url !== null) (s.urls ??= []).push(r.url);
            }
          }
          const rows = (
            // an item published from `from` on was fetched at most max_lead before it
            this.stmt('SELECT id, published_at, title, canonical_url, guid, feed_id, story_id FROM items WHERE fetched_at >= ? AND published_at >= ?')
              .raw()
              .all(from - state.lead, from) as [
              number, number, string, string | null, string, number, number | null,
            ][]
          ).map(([id, publishedAt, title, url, guid, feedId, storyId]): ReplayRow => ({ id, publishedAt, title, url, guid, feedUrl: feedUrls.get(feedId) ?? '', storyId }));
          rows.sort(canonicalOrder);
          const result = replay(known, rows.map((r) => ({ key: String(r.id), title: r.title, sourceKey: '', publishedAt: r.publishedAt, url: r.url })));
          if (result.story.length !== rows.length || result.signatures.length !== result.founders.length) {
            throw new Error(`story replay: ${result.story.length} assignments for ${rows.length} items`);
          }

          // Stories founded from `from` on, as stored (provisional ones included): each new story takes
          // over the one most of its items were in, so that few rows change; the rest are dropped.
          const replayed = new Map(
            (
              this.stmt(
                'SELECT id, signature, title, first_at AS firstAt, last_at AS lastAt FROM stories WHERE last_at >= ? AND first_at >= ?',
              ).all(from, from) as (StoryRow & { title: string })[]
            ).map((s) => [s.id, s]),
          );
          const founded = result.founders.length;
          const votes = Array.from({ length: founded }, () => new Map<number, number>());
          const lastOf = new Array<number>(founded);
          const knownLast = new Map<number, number>();
          rows.forEach((r, i) => {
            const s = result.story[i]!;
            if (s >= 0) {
              knownLast.set(s, r.publishedAt); // canonical order: the last one seen is the latest
              return;
            }
            lastOf[-s - 1] = r.publishedAt;
            if (r.storyId !== null && replayed.has(r.storyId)) votes[-s - 1]!.set(r.storyId, (votes[-s - 1]!.get(r.storyId) ?? 0) + 1);
          });
          const claimed = new Set<number>();
          const ids = new Array<number>(founded).fill(0);
          for (let k = 0; k < founded; k++) {
            let best = 0;
            let most = 0;
            for (const [id, n] of votes[k]!) {
              if (!claimed.has(id) && (n > most || (n === most && id < best))) {
                best = id;
                most = n;
              }
            }
            if (best !== 0) claimed.add((ids[k] = best));
          }
          // new stories none of whose items had a story to take over take one left over, if any
          const spare = [...replayed.keys()].filter((id) => !claimed.has(id)).sort((a, b) => a - b);
          const insertStory = this.stmt('INSERT INTO stories (signature, title, first_at, last_at) VALUES (?, ?, ?, ?)');
          const updateStory = this.stmt('UPDATE stories SET signature = ?, title = ?, first_at = ?, last_at = ? WHERE id = ?');
          let created = 0;
          for (let k = 0; k < founded; k++) {
            const founder = rows[result.founders[k]!]!;
            const signature = result.signatures[k]!;
            if (ids[k] === 0 && spare.length > 0) claimed.add((ids[k] = spare.pop()!));
            if (ids[k] === 0) {
              ids[k] = Number(insertStory.run(signature, founder.title, founder.publishedAt, lastOf[k]!).lastInsertRowid);
              created++;
              continue;
            }
            const had = replayed.get(ids[k]!)!;
            if (had.signature !== signature || had.title !== founder.title || had.firstAt !== founder.publishedAt || had.lastAt !== lastOf[k]) {
              updateStory.run(signature, founder.title, founder.publishedAt, lastOf[k]!, ids[k]!);
            }
          }
          // which story each new one follows up (its life over, an item went on with it)
          const setFollows = this.stmt('UPDATE stories SET follows_id = ? WHERE id = ? AND follows_id IS NOT ?');
          for (let k = 0; k < founded; k++) {
            const f = result.followUps?.[k] ?? null;
            const follows = f === null ? null : f >= 0 ? f : ids[-f - 1]!;
            setFollows.run(follows, ids[k]!, follows);
          }
          const storyOf = (i: number): number => {
            const s = result.story[i]!;
            return s >= 0 ? s : ids[-s - 1]!;
          };

          const moveItem = this.stmt('UPDATE items SET story_id = ? WHERE id = ?');
          let moved = 0;
          rows.forEach((r, i) => {
            const id = storyOf(i);
            if (r.storyId !== id) {
              moveItem.run(id, r.id);
              moved++;
            }
          });
          const setLast = this.stmt('UPDATE stories SET last_at = ? WHERE id = ?');
          const knownIds = new Set<number>();
          for (const s of known) {
            const joined = knownLast.get(s.id);
            const had = storedLast.get(s.id);
            if (joined === undefined && had === undefined) continue;
            knownIds.add(s.id);
            const want = Math.max(s.lastAt, joined ?? s.lastAt);
            if (want !== (had ?? s.lastAt)) setLast.run(want, s.id);
          }
          let dropped = 0;
          const dropStory = this.stmt('DELETE FROM stories WHERE id = ?');
          for (const id of spare) {
            dropStory.run(id); // its items have all moved: they are all from `from` on
            dropped++;
          }

          // Which topics each known story counted before `from` (its first items there stay first).
          const topicsOf = this.stmt('SELECT topic_id, first_at FROM story_topics WHERE story_id = ?').raw();
          const storedTopics = new Map<number, [number, number][]>();
          const counted = new Set<string>();
          for (const id of knownIds) {
            const list = topicsOf.all(id) as [number, number][];
            storedTopics.set(id, list);
            for (const [t, at] of list) if (at < from) counted.add(`${id} ${t}`);
          }

          // The topic matches of the replayed items, their first-copy flags in canonical order, and the quarter-hour counts.
          const topics = this.stmt('SELECT id FROM topics ORDER BY id').pluck().all() as number[];
          const matchesOf = new Map<number, [number, number, number, number | null][]>();
          const matchRows = this.stmt('SELECT item_id, topic_id, published_at, story_first, sentiment FROM item_topics WHERE topic_id = ? AND published_at >= ?').raw();
          for (const t of topics) {
            for (const [itemId, topicId, at, first, sentiment] of matchRows.all(t, from) as [number, number, number, number, number | null][]) {
              const list = matchesOf.get(itemId);
              if (list) list.push([topicId, at, first, sentiment]);
              else matchesOf.set(itemId, [[topicId, at, first, sentiment]]);
            }
          }
          const setFirst = this.stmt('UPDATE item_topics SET story_first = ? WHERE topic_id = ? AND published_at = ? AND item_id = ?');
          const firstIn = new Map<number, Map<number, number>>(); // story → topic → its first item's time, from the replay
          const slots = new Map<number, Map<number, SlotCounts>>(); // topic → quarter → counts
          let firstsChanged = 0;
          rows.forEach((r, i) => {
            const list = matchesOf.get(r.id);
            if (!list) return;
            const story = storyOf(i);
            for (const [topic, at, wasFirst, sentiment] of list) {
              const key = `${story} ${topic}`;
              const first = counted.has(key) ? 0 : 1;
              if (first) {
                counted.add(key);
                let m = firstIn.get(story);
                if (!m) firstIn.set(story, (m = new Map()));
                m.set(topic, at);
              }
              if (first !== wasFirst) {
                setFirst.run(first, topic, at, r.id);
                firstsChanged++;
              }
              let bySlot = slots.get(topic);
              if (!bySlot) slots.set(topic, (bySlot = new Map()));
              const q = at - (at % QUARTER_MS);
              let c = bySlot.get(q);
              if (!c) bySlot.set(q, (c = { stories: 0, items: 0, scored: 0, sum: 0, sq: 0 }));
              c.items++;
              if (first) {
                c.stories++;
                if (sentiment !== null) {
                  c.scored++;
                  c.sum += sentiment;
                  c.sq += sentiment * sentiment;
                }
              }
            }
          });

          // story_topics of every story the replay touched: what a known story counted before `from` stays.
          const putTopic = this.stmt(
            'INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT (story_id, topic_id) DO UPDATE SET first_at = excluded.first_at',
          );
          const dropTopic = this.stmt('DELETE FROM story_topics WHERE story_id = ? AND topic_id = ?');
          const touched = new Set<number>([...replayed.keys(), ...ids, ...knownIds]);
          for (const id of touched) {
            const want = new Map(firstIn.get(id));
            for (const [t, at] of storedTopics.get(id) ?? (topicsOf.all(id) as [number, number][])) {
              if (at < from && knownIds.has(id)) continue;
              if (want.get(t) === at) want.delete(t);
              else if (!want.has(t)) dropTopic.run(id, t);
            }
            for (const [t, at] of want) putTopic.run(id, t, at);
          }

          const slotRows = this.stmt(
            'SELECT slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE topic_id = ? AND slot >= ?',
          ).raw();
          const putSlot = this.stmt(
            `INSERT INTO topic_quarters (topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (topic_id, slot) DO UPDATE SET stories = excluded.stories, items = excluded.items, scored = excluded.scored,
               sentiment_sum = excluded.sentiment_sum, sentiment_sq = excluded.sentiment_sq`,
          );
          const dropSlot = this.stmt('DELETE FROM topic_quarters WHERE topic_id = ? AND slot = ?');
          for (const t of topics) {
            const want = new Map(slots.get(t));
            for (const [q, stories, items, scored, sum, sq] of slotRows.all(t, firstSlot) as [number, number, number, number, number, number][]) {
              const c = want.get(q);
              if (!c) {
                dropSlot.run(t, q);
                continue;
              }
              want.delete(q);
              if (c.stories !== stories || c.items !== items || c.scored !== scored || c.sum !== sum || c.sq !== sq) {
                putSlot.run(t, q, c.stories, c.items, c.scored, c.sum, c.sq);
              }
            }
            for (const [q, c] of want) putSlot.run(t, q, c.stories, c.items, c.scored, c.sum, c.sq);
          }

          this.stmt('UPDATE story_state SET replay_from = NULL, generation = generation + 1').run();
          return { from, items: rows.length, moved, storiesCreated: created, storiesDropped: dropped, firstsChanged };
        })
        .immediate(),
    );
  }

  /** Records what kind of source each feed is (google-news, reddit...). */
  setFeedKinds(kinds: ReadonlyMap<string, string>): void {
    this.guard(() => {
      const update = this.stmt('UPDATE feeds SET kind = ? WHERE url = ? AND kind <> ?');
      const tx = this.db.transaction(() => {
        for (const [url, kind] of kinds) update.run(kind, url, kind);
      });
      tx.immediate();
    });
  }

  /**
   * Per-bucket story counts and sentiment sums for a topic over [from, to); empty buckets are absent.
   * The same as grouping the topic's matches, cheaper: buckets of whole quarter hours (15m, 1h, 6h, 1d...)
   * are rolled up from the quarter-hour counts, and only what is not whole quarters comes from the matches:
   * the quarter holding `to` (so an evaluation time inside it sees only what was published by then), the
   * one holding `from` when it does not start there, and anything before 1970. Other sizes are grouped from
   * the matches.
   */
  bucketCounts(topicId: number, from: number, to: number, bucketMs: number): Bucket[] {
    return unpackBuckets(this.packedBucketCounts(topicId, from, to, bucketMs));
  }

  /** bucketCounts, packed (six numbers a bucket, no object each): what detection reads. */
  packedBucketCounts(topicId: number, from: number, to: number, bucketMs: number): PackedBuckets {
    return this.guard(() => {
      if (bucketMs % QUARTER_MS !== 0) return packBuckets(this.bucketsFromMatches(topicId, from, to, bucketMs));
      // The whole quarters in [from, to): [lo, cut). Slot k holds [k, k + 15 min) from k = 15 min on; slots
      // are keyed by truncation, so slot 0 also holds the quarter before 1970, and earlier ones (k - 15 min, k].
      const lo = Math.max(Math.ceil(from / QUARTER_MS) * QUARTER_MS, QUARTER_MS);
      const cut = Math.floor(to / QUARTER_MS) * QUARTER_MS;
      if (lo >= cut) return packBuckets(this.bucketsFromMatches(topicId, from, to, bucketMs));
      const head = from < lo ? packBuckets(this.bucketsFromMatches(topicId, from, lo, bucketMs)) : new Float64Array(0);
      const weeks = this.quarterWeeks(topicId, lo, cut);
      const tail = cut < to ? packBuckets(this.bucketsFromMatches(topicId, cut, to, bucketMs)) : new Float64Array(0);
      // at most a bucket per row: fill, then trim
      const out = new Float64Array(weeks.reduce((n, w) => n + w.length, head.length + tail.length));
      out.set(head);
      let end = head.length;
      // rows come in slot order: roll them up into buckets without a sort (the last bucket is out[c..c+5])
      let c = end - BUCKET_WIDTH;
      for (const rows of weeks) {
        for (let k = 0; k < rows.length; k += 6) {
          const q = rows[k]!;
          if (q < lo || q >= cut) continue;
          const start = q - (q % bucketMs);
          if (c < 0 || out[c] !== start) {
            c = end;
            end += BUCKET_WIDTH;
            out[c] = start; // the others are 0
          }
          for (let f = 1; f < 6; f++) out[c + f]! += rows[k + f]!;
        }
      }
      for (let k = 0; k < tail.length; k += BUCKET_WIDTH) {
        if (c >= 0 && out[c] === tail[k]) {
          for (let f = 1; f < BUCKET_WIDTH; f++) out[c + f]! += tail[k + f]!;
        } else {
          c = end;
          end += BUCKET_WIDTH;
          out.set(tail.subarray(k, k + BUCKET_WIDTH), c);
        }
      }
      return out.slice(0, end);
    });
  }

  /**
   * A topic's quarter-hour counts in the weeks that hold [lo, cut) (lo > 0; rows outside it included), in
   * slot order, as runs of six numbers: slot, stories, items, scored, sentiment sum, sum of squares. Read
   * from the cache in topic_quarter_weeks; weeks missing from it (written to since, or never read) are
   * computed from topic_quarters and cached, in one immediate transaction, so that no writer comes between
   * the read and the write. Only the weeks between the topic's first and last quarter in the range are
   * cached (a range of years holds a few weeks of data).
   */
  private quarterWeeks(topicId: number, lo: number, cut: number): Float64Array[] {
    const span = this.stmt('SELECT min(slot), max(slot) FROM topic_quarters WHERE topic_id = ? AND slot >= ? AND slot < ?')
      .raw()
      .get(topicId, lo, cut) as [number | null, number | null];
    if (span[0] === null || span[1] === null) return [];
    const first = Math.trunc(span[0] / COUNTS_WEEK_MS);
    const last = Math.trunc(span[1] / COUNTS_WEEK_MS);
    const cached = () =>
      this.stmt('SELECT week, data FROM topic_quarter_weeks WHERE topic_id = ? AND week >= ? AND week <= ? ORDER BY week')
        .raw()
        .all(topicId, first, last) as [number, Buffer][];
    const rowsOf = (from: number, to: number) =>
      this.stmt('SELECT slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE topic_id = ? AND slot >= ? AND slot < ? ORDER BY slot')
        .raw()
        .all(topicId, from, to) as number[][];
    const hit = cached();
    if (hit.length === last - first + 1) return hit.map(([, data]) => float64s(data));
    if (this.db.readonly || !LITTLE_ENDIAN) return [Float64Array.from(rowsOf(lo, cut).flat())];
    return this.db.transaction(() => {
      const have = new Map(cached()); // again, inside the write lock
      const missing: number[] = [];
      for (let w = first; w <= last; w++) if (!have.has(w)) missing.push(w);
      const fresh = new Map<number, number[]>(missing.map((w) => [w, []]));
      for (const row of rowsOf(missing[0]! * COUNTS_WEEK_MS, (missing[missing.length - 1]! + 1) * COUNTS_WEEK_MS)) {
        fresh.get(Math.trunc(row[0]! / COUNTS_WEEK_MS))?.push(...row);
      }
      const put = this.stmt('INSERT INTO topic_quarter_weeks (topic_id, week, data) VALUES (?, ?, ?)');
      const out: Float64Array[] = [];
      for (let w = first; w <= last; w++) {
        const data = have.get(w);
        if (data) out.push(float64s(data));
        else {
          const rows = Float64Array.from(fresh.get(w)!);
          put.run(topicId, w, Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
          out.push(rows);
        }
      }
      return out;
    }).immediate();
  }

  /**
   * A change counter for what other connections commit (PRAGMA data_version): unchanged between two reads
   * on this connection means nothing was written meanwhile but by this connection.
   */
  dataVersion(): number {
    return this.guard(() => this.db.pragma('data_version', { simple: true }) as number);
  }

  /** The latest engine state saved for a topic under `key` at or before `atMost` (see detectResumable), or null. */
  engineState(topicId: number, key: string, atMost: number): { at: number; state: Uint8Array } | null {
    return this.guard(() => {
      const row = this.stmt('SELECT at, state FROM engine_states WHERE topic_id = ? AND key = ? AND at <= ? ORDER BY at DESC LIMIT 1')
        .raw()
        .get(topicId, key, atMost) as [number, Buffer] | undefined;
      return row ? { at: row[0], state: row[1] } : null;
    });
  }

  /**
   * Saves engine states computed from counts read while dataVersion() was `readAt`; nothing when another
   * connection has written since (counts may have changed under them: the triggers could not drop these).
   * Keeps a topic's latest state per key, and its three keys saved last. False when nothing was saved.
   */
  saveEngineStates(states: { topicId: number; key: string; at: number; state: Uint8Array }[], readAt: number): boolean {
    if (states.length === 0 || this.db.readonly) return false;
    return this.guard(() =>
      this.db
        .transaction(() => {
          if (this.dataVersion() !== readAt) return false;
          const put = this.stmt('INSERT OR REPLACE INTO engine_states (topic_id, key, at, state) VALUES (?, ?, ?, ?)');
          const older = this.stmt('DELETE FROM engine_states WHERE topic_id = ? AND key = ? AND at < ?');
          const otherKeys = this.stmt(
            `DELETE FROM engine_states WHERE topic_id = @t AND rowid NOT IN
               (SELECT max(rowid) FROM engine_states WHERE topic_id = @t GROUP BY key ORDER BY max(rowid) DESC LIMIT 3)`,
          );
          for (const s of states) {
            put.run(s.topicId, s.key, s.at, s.state);
            older.run(s.topicId, s.key, s.at);
            otherKeys.run({ t: s.topicId });
          }
          return true;
        })
        .immediate(),
    );
  }

  private bucketsFromMatches(topicId: number, from: number, to: number, bucketMs: number): Bucket[] {
    return this.stmt(
      // CAST: a JS number is bound as REAL, and REAL division would not truncate to the bucket.
      `SELECT (CAST(published_at AS INTEGER) / CAST(@b AS INTEGER)) * CAST(@b AS INTEGER) AS start,
              total(story_first) AS count, count(*) AS items,
              total(story_first AND sentiment IS NOT NULL) AS scored,
              total(CASE WHEN story_first THEN sentiment END) AS sentimentSum,
              total(CASE WHEN story_first THEN sentiment * sentiment END) AS sentimentSumSq
       FROM item_topics WHERE topic_id = @t AND published_at >= @from AND published_at < @to
       GROUP BY 1 ORDER BY 1`,
    ).all({ b: bucketMs, t: topicId, from, to }) as Bucket[];
  }

  /** Whether the database holds any item at all (false until a fetch has stored one). */
  hasItems(): boolean {
    return this.guard(() => this.stmt('SELECT EXISTS (SELECT 1 FROM items)').pluck().get() === 1);
  }

  /** Per topic: items and stories matched (from the quarter-hour counts), for `topics` and `status`. */
  topicTotals(): Map<number, { items: number; stories: number }> {
    return this.guard(() => {
      const rows = this.stmt('SELECT topic_id AS id, total(items) AS items, total(stories) AS stories FROM topic_quarters GROUP BY topic_id').all() as { id: number; items: number; stories: number }[];
      return new Map(rows.map((r) => [r.id, { items: r.items, stories: r.stories }]));
    });
  }

  /** Per topic: the moment that ended last, as recorded by moments, scan or digest. */
  lastMoments(): Map<number, { kind: string; direction: string; start: number; end: number; score: number }> {
    return this.guard(() => {
      const rows = this.stmt(
        'SELECT topic_id AS id, kind, direction, start_at AS start, max(end_at) AS end, score FROM moments GROUP BY topic_id',
      ).all() as { id: number; kind: string; direction: string; start: number; end: number; score: number }[];
      return new Map(rows.map(({ id, ...m }) => [id, m]));
    });
  }

  /** Time of the topic's first stored item, or null. */
  firstItemAt(topicId: number): number | null {
    return this.guard(() => {
      const row = this.stmt('SELECT min(published_at) AS t FROM item_topics WHERE topic_id = ?').get(topicId) as { t: number | null };
      return row.t;
    });
  }

  /** A topic's items published in [from, to), newest first, at most `limit`. */
  itemsBetween(topicId: number, from: number, to: number, limit = 1000): StoredItem[] {
    return this.guard(
      () =>
        this
          .stmt(
            `SELECT i.id, i.title, i.summary, i.link, i.source, i.source_domain AS sourceDomain, f.url AS feedUrl,
                    f.kind AS feedKind, i.published_at AS publishedAt, i.sentiment, i.language, i.story_id AS storyId
             FROM item_topics t JOIN items i ON i.id = t.item_id JOIN feeds f ON f.id = i.feed_id
             WHERE t.topic_id = ? AND t.published_at >= ? AND t.published_at < ?
             ORDER BY t.published_at DESC LIMIT ?`,
          )
          .all(topicId, from, to, limit) as StoredItem[],
    );
  }

  /**
   * Periods when a feed carrying this topic may have dropped items: from the fetch before an
   * overflowing fetch to that fetch, for overflows logged in [from, to].
   */
  overflowPeriods(topicId: number, from: number, to: number): { feedUrl: string; start: number; end: number }[] {
    return this.guard(
      () =>
        this.stmt(
          `SELECT f.url AS feedUrl, l.started_at AS end,
                  coalesce((SELECT max(p.started_at) FROM fetch_log p
                            WHERE p.feed_id = l.feed_id AND p.started_at < l.started_at AND p.status <> 'failed'), l.started_at) AS start
           FROM fetch_log l JOIN feeds f ON f.id = l.feed_id
           WHERE l.overflow = 1 AND l.started_at >= ? AND l.started_at <= ?
             AND EXISTS (SELECT 1 FROM items i JOIN item_topics t ON t.item_id = i.id WHERE i.feed_id = l.feed_id AND t.topic_id = ?)
           ORDER BY l.started_at`,
        ).all(from, to, topicId) as { feedUrl: string; start: number; end: number }[],
    );
  }

  /**
   * Items published in [from, to), newest first (or by sentiment), at most `limit`; restricted to the
   * given topics when any are given. Each row says which of `topicIds` it matched.
   */
  listItems(o: {
    from: number;
    to: number;
    limit: number;
    topicIds?: number[];
    sort?: 'time' | 'sentiment' | 'sentiment-desc';
    /** Only these items (a full-text search's hits). */
    ids?: Set<number>;
    /** Set to how many items there are in all, past the limit. */
    counted?: { total: number };
  }): (StoredItem & { topicIds: number[] })[] {
    return this.guard(() => {
      const order =
        o.sort === 'sentiment' ? 'i.sentiment IS NULL, i.sentiment ASC, i.published_at DESC'
        : o.sort === 'sentiment-desc' ? 'i.sentiment IS NULL, i.sentiment DESC, i.published_at DESC'
        : 'i.published_at DESC, i.id DESC';
      const cols = `i.id, i.title, i.summary, i.link, i.source, i.source_domain AS sourceDomain, f.url AS feedUrl, f.kind AS feedKind,
                    i.published_at AS publishedAt, i.sentiment, i.language, i.story_id AS storyId`;
      const topics = o.topicIds ?? [];
      if (o.ids) {
        const ids = [...o.ids];
        if (ids.length === 0) return [];
        this.db.exec('CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)');
        this.db.exec('DELETE FROM search_hits');
        const add = this.db.prepare('INSERT INTO search_hits VALUES (?)');
        this.db.transaction(() => ids.forEach((id) => add.run(id)))();
      }
      const hits = o.ids ? ' AND i.id IN (SELECT id FROM temp.search_hits)' : '';
      const where =
        topics.length > 0
          ? `WHERE i.id IN (SELECT item_id FROM item_topics WHERE topic_id IN (${topics.map(() => '?').join(',')})
                            AND published_at >= ? AND published_at < ?)${hits}`
          : `WHERE i.published_at >= ? AND i.published_at < ?${hits}`;
      const params = [...topics, o.from, o.to];
      if (o.counted) o.counted.total = (this.db.prepare(`SELECT count(*) FROM items i ${where}`).pluck().get(...params) as number) ?? 0;
      const rows = this.db.prepare(`SELECT ${cols} FROM items i JOIN feeds f ON f.id = i.feed_id ${where} ORDER BY ${order} LIMIT ?`).all(...params, o.limit) as StoredItem[];
      if (rows.length === 0) return [];
      // which topics each listed item matched: one range scan per topic over the rows' time span
      const ids = new Set(rows.map((r) => r.id));
      // a loop, not Math.min(...): --all may list more rows than a call takes arguments
      let lo = Infinity;
      let hi = -Infinity;
      for (const r of rows) {
        if (r.publishedAt < lo) lo = r.publishedAt;
        if (r.publishedAt > hi) hi = r.publishedAt;
      }
      const matched = new Map<number, number[]>();
      const all = this.stmt('SELECT id FROM topics').pluck().all() as number[];
      const scan = this.stmt('SELECT item_id FROM item_topics WHERE topic_id = ? AND published_at >= ? AND published_at <= ?').pluck();
      for (const t of all) {
        for (const id of scan.all(t, lo, hi) as number[]) {
          if (ids.has(id)) matched.set(id, [...(matched.get(id) ?? []), t]);
        }
      }
      return rows.map((r) => ({ ...r, topicIds: matched.get(r.id) ?? [] }));
    });
  }

  /** Items to re-score: those scored by another engine (or all), a page at a time, by id. */
  *itemsToRescore(engine: string, all: boolean, pageSize = 5000): Generator<{ id: number; title: string; summary: string; language: string | null }[]> {
    const page = this.stmt(
      `SELECT id, title, summary, language FROM items
       WHERE id > ? AND (? OR sentiment_engine IS NULL OR sentiment_engine <> ?) ORDER BY id LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = this.guard(() => page.all(after, all ? 1 : 0, engine, pageSize) as { id: number; title: string; summary: string; language: string | null }[]);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** Saves new sentiment scores for items (and their topic matches) in one transaction. */
  saveSentiments(scores: { id: number; sentiment: number | null }[], engine: string): void {
    this.guard(() => {
      if (scores.length === 0) return;
      const item = this.stmt('UPDATE items SET sentiment = ?, sentiment_engine = ? WHERE id = ?');
      // one pass over the matches of the page's id range (item_topics is keyed by topic and time)
      const matches = this.stmt(
        `UPDATE item_topics SET sentiment = (SELECT i.sentiment FROM items i WHERE i.id = item_topics.item_id)
         WHERE item_id BETWEEN ? AND ?`,
      );
      const tx = this.db.transaction(() => {
        for (const s of scores) item.run(s.sentiment, engine, s.id);
        const ids = scores.map((s) => s.id);
        matches.run(Math.min(...ids), Math.max(...ids));
      });
      tx.immediate();
    });
  }

  /** Recomputes every topic's quarter-hour counts from the matches (after sentiments changed). */
  rebuildTopicCounts(): void {
    this.guard(() => {
      this.db.transaction(() => {
        // the caches go with them (the triggers would drop them row by row: this first makes that cheap)
        this.stmt('DELETE FROM topic_quarter_weeks').run();
        this.stmt('DELETE FROM engine_states').run();
        this.stmt('DELETE FROM topic_quarters').run();
        this.stmt(`INSERT INTO topic_quarters ${TOPIC_QUARTERS_SELECT} GROUP BY 1, 2`).run();
      }).immediate();
    });
  }

  /** Where the last digest ended (sent ones only when `sentOnly`), or null when there was none. */
  lastDigestEnd(sentOnly: boolean): number | null {
    return this.guard(() => {
      const row = this.stmt(`SELECT max(period_end) AS t FROM digests ${sentOnly ? 'WHERE sent = 1' : ''}`).get() as { t: number | null };
      return row.t;
    });
  }

  /** Records a digest (made, or sent by email). */
  recordDigest(d: { createdAt: number; periodStart: number; periodEnd: number; sent: boolean; recipients: string[]; moments: number }): void {
    this.guard(() => {
      this.stmt('INSERT INTO digests (created_at, period_start, period_end, sent, recipients, moments) VALUES (?, ?, ?, ?, ?, ?)').run(
        d.createdAt, d.periodStart, d.periodEnd, d.sent ? 1 : 0, d.recipients.join(', ') || null, d.moments,
      );
    });
  }

  /**
   * Moments reported before, last seen at or after `since`, with their stored detail (for "faded"); with
   * `knownBy`, only those first reported by then and starting by then (a run with a later --as-of may have
   * stored moments that had not happened yet at an earlier evaluation time).
   */
  momentsSeenSince(since: number, knownBy = Infinity): { topic: string; firstSeenAt: number; lastSeenAt: number; moment: Moment }[] {
    return this.guard(() =>
      (
        this.stmt(
          `SELECT t.name AS topic, m.first_seen_at AS firstSeenAt, m.last_seen_at AS lastSeenAt, m.detail
           FROM moments m JOIN topics t ON t.id = m.topic_id
           WHERE m.last_seen_at >= @since AND m.first_seen_at <= @knownBy AND m.start_at <= @knownBy ORDER BY m.score DESC`,
        ).all({ since, knownBy: Number.isFinite(knownBy) ? knownBy : Number.MAX_SAFE_INTEGER }) as { topic: string; firstSeenAt: number; lastSeenAt: number; detail: string }[]
      ).map((r) => {
        const moment = JSON.parse(r.detail) as Moment;
        // moments stored before alerts were counted alerted once, when they fired
        moment.alerts ??= 1;
        moment.alertedAt ??= moment.firedAt ?? moment.start;
        return { topic: r.topic, firstSeenAt: r.firstSeenAt, lastSeenAt: r.lastSeenAt, moment };
      }),
    );
  }

  /**
   * Brings the full-text index up to date: items are only ever added, so whatever has an id above the
   * last indexed one goes in. Done at search time, so ingest does not pay for it.
   */
  updateSearchIndex(): void {
    this.guard(() => {
      this.db.transaction(() => {
        const from = this.stmt('SELECT indexed_to FROM fts_state').pluck().get() as number;
        const to = (this.stmt('SELECT coalesce(max(id), 0) FROM items').pluck().get() as number) ?? 0;
        if (to <= from) return;
        this.stmt('INSERT INTO items_fts (rowid, title, summary) SELECT id, title, summary FROM items WHERE id > ? AND id <= ?').run(from, to);
        this.stmt('UPDATE fts_state SET indexed_to = ?').run(to);
      }).immediate();
    });
  }

  /** Ids of items whose title or summary match an FTS5 query (words, "phrases", OR, NOT, prefix*). */
  searchIds(query: string): Set<number> {
    return this.guard(() => {
      try {
        return new Set(this.stmt('SELECT rowid FROM items_fts WHERE items_fts MATCH ?').pluck().all(query) as number[]);
      } catch (err) {
        // a query FTS5 cannot read is the user's input, not a database fault
        if (err instanceof Error && (err as { code?: string }).code === 'SQLITE_ERROR') {
          throw new UsageError(`--search: cannot read "${query}" as a search (${err.message})`, {
            hint: 'use words, "quoted phrases", OR, NOT and prefix*',
          });
        }
        throw err;
      }
    });
  }

  /** Topic names by id, for every topic ever configured. */
  topicNames(): Map<number, string> {
    return this.guard(() => new Map((this.stmt('SELECT id, name FROM topics').all() as { id: number; name: string }[]).map((t) => [t.id, t.name])));
  }

  /** Upserts evaluated moments (keyed by topic, kind, direction, start); says which ones are new. */
  saveMoments(moments: { topicId: number; moment: Moment }[], evaluatedAt: number): SavedMoment[] {
    return this.guard(() => {
      const upsert = this.stmt(
        `INSERT INTO moments (topic_id, kind, direction, start_at, peak_at, end_at, score, detail, first_seen_at, last_seen_at)
         VALUES (@topicId, @kind, @direction, @start, @peak, @end, @score, @detail, @at, @at)
         ON CONFLICT (topic_id, kind, direction, start_at) DO UPDATE SET
           peak_at = excluded.peak_at, end_at = excluded.end_at, score = excluded.score, detail = excluded.detail,
           first_seen_at = min(first_seen_at, excluded.first_seen_at),
           last_seen_at = max(last_seen_at, excluded.last_seen_at)
         RETURNING first_seen_at AS firstSeenAt`,
      );
      const tx = this.db.transaction(() =>
        moments.map(({ topicId, moment }) => {
          const row = upsert.get({
            topicId,
            kind: moment.kind,
            direction: moment.direction,
            start: moment.start,
            peak: moment.peak,
            end: moment.end,
            score: moment.score,
            detail: JSON.stringify(moment),
            at: evaluatedAt,
          }) as { firstSeenAt: number };
          return { firstSeenAt: row.firstSeenAt, isNew: row.firstSeenAt === evaluatedAt };
        }),
      );
      return tx.immediate();
    });
  }
}
