/** Stored items: listing them, and their sentiment. */
import { HISTORY_LOOK, historyStart } from '../../core/history.js';
import type { StoredItem } from '../../core/types.js';
import type { ItemStore, ListItemsQuery } from '../api.js';
import type { TopicCoverage } from '../model.js';
import { SqlitePart } from './part.js';

/** A listed item: its row and the ids of the topics it matched. */
export type ListedItem = StoredItem & { topicIds: number[] };

/** Items read at once when listing: a page's rows are all that is held (beside the listed ids). */
const ITEM_PAGE = 1000;

/** A listed item's columns, read as an array (pagesOf), and the array's types. */
const ITEM_ROW = 'id, title, summary, link, source, source_domain, feed_id, published_at, sentiment, language, story_id';
type ItemRowArray = [number, string, string, string | null, string | null, string | null, number, number, number | null, string | null, number | null];

export class SqliteItems extends SqlitePart implements ItemStore {
  /** Whether the database holds any item at all (false until a fetch has stored one). */
  hasItems(): boolean {
    return this.guard(() => this.stmt('SELECT EXISTS (SELECT 1 FROM items)').pluck().get() === 1);
  }

  /** Time of the topic's first stored item, or null. */
  firstItemAt(topicId: number): number | null {
    return this.guard(() => {
      const row = this.stmt('SELECT min(published_at) AS t FROM item_topics WHERE topic_id = ?').get(topicId) as { t: number | null };
      return row.t;
    });
  }

  /** The publication times of a topic's first `n` items, oldest first. */
  firstItemTimes(topicId: number, n: number): number[] {
    return this.guard(() => this.stmt('SELECT published_at FROM item_topics WHERE topic_id = ? ORDER BY published_at LIMIT ?').pluck().all(topicId, n) as number[]);
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
   * The titles of the items itemsBetween gives (the same rows, in the same order), without the rest of each
   * row: a moment's baseline sample is read for its headline terms only, and reading 800 whole rows (and
   * their feeds) for each moment was a fifth of a 75-day backtest's time.
   */
  titlesBetween(topicId: number, from: number, to: number, limit: number): string[] {
    return this.guard(
      () =>
        this.stmt(
          `SELECT i.title FROM item_topics t JOIN items i ON i.id = t.item_id
           WHERE t.topic_id = ? AND t.published_at >= ? AND t.published_at < ?
           ORDER BY t.published_at DESC LIMIT ?`,
        )
          .pluck()
          .all(topicId, from, to, limit) as string[],
    );
  }

  /**
   * Periods when a feed carrying this topic may have dropped items: from the fetch before an
   * overflowing fetch to that fetch, for overflows logged in [from, to].
   */
  overflowPeriods(topicId: number, from: number, to: number): { feedUrl: string; start: number; end: number }[] {
    return this.guard(() => {
      const rows = this.stmt(
        `SELECT l.feed_id AS feedId, f.url AS feedUrl, l.started_at AS end,
                coalesce((SELECT max(p.started_at) FROM fetch_log p
                          WHERE p.feed_id = l.feed_id AND p.started_at < l.started_at AND p.status <> 'failed'), l.started_at) AS start
         FROM fetch_log l JOIN feeds f ON f.id = l.feed_id
         WHERE l.overflow = 1 AND l.started_at >= ? AND l.started_at <= ?
         ORDER BY l.started_at`,
      ).all(from, to) as { feedId: number; feedUrl: string; start: number; end: number }[];
      const carried = this.feedsCarrying(topicId, rows.map((r) => r.feedId));
      return rows.filter((r) => carried.has(r.feedId)).map(({ feedUrl, start, end }) => ({ feedUrl, start, end }));
    });
  }

  /**
   * The fetch log of the feeds that carry this topic, for fetches in [from, to] (see TopicCoverage). Only
   * the fetches that found nothing but new items are read unless there are some (a history fetched on time
   * has none): then each feed's span, and the topic's items per feed in the 14 days before the first gap.
   */
  topicCoverage(topicId: number, from: number, to: number): TopicCoverage {
    return this.guard(() => {
      // the overflowing fetches of the feeds that carry this topic, and the gap each opened (read once per
      // command, whatever the topic: see coverage())
      const cache = this.coverage();
      const fetches = this.overflowFetches(from, to);
      const carried = this.feedsCarrying(topicId, fetches.map((l) => l.feedId));
      const gaps = fetches
        .filter((l) => carried.has(l.feedId))
        .map((l) => cache.gap(l.feedId, l.startedAt))
        .filter((g) => g.end > g.start);
      if (gaps.length === 0) return { gaps: [], feeds: [] };
      const first = Math.min(...gaps.map((g) => g.start));
      const shares = this.stmt(
        `SELECT i.feed_id AS feedId, count(*) AS items FROM item_topics t JOIN items i ON i.id = t.item_id
         WHERE t.topic_id = ? AND t.published_at >= ? AND t.published_at < ? GROUP BY i.feed_id`,
      ).all(topicId, first - 14 * 86_400_000, first) as { feedId: number; items: number }[];
      const byFeed = new Map(shares.map((r) => [r.feedId, r.items]));
      for (const g of gaps) if (!byFeed.has(g.feedId)) byFeed.set(g.feedId, 0);
      const feeds = [...byFeed].map(([feedId, items]) => ({ feedId, items, ...cache.span(feedId) }));
      return { gaps, feeds };
    });
  }

  /**
   * What topicCoverage reads of the fetch log and the items that is the same for every topic — each
   * overflowing fetch's gap, each feed's span — kept while the fetch log has not grown (a command asks for
   * every topic: 100 topics read each gap 100 times, and the oldest item of a fetch is found among every
   * item fetched at that moment).
   */
  private coverage(): { gap(feedId: number, startedAt: number): { feedId: number; start: number; end: number }; span(feedId: number): { first: number | null; last: number | null } } {
    const lastId = (this.stmt('SELECT max(id) FROM fetch_log').pluck().get() as number | null) ?? 0;
    if (this.coverageCache?.lastId !== lastId) this.coverageCache = { lastId, gaps: new Map(), spans: new Map() };
    const { gaps, spans } = this.coverageCache;
    const before = this.stmt(`SELECT max(started_at) FROM fetch_log WHERE feed_id = ? AND started_at < ? AND status <> 'failed'`).pluck();
    // (items_fetched on (fetched_at, feed_id, published_at): a seek, since schema 19)
    // the oldest item a fetch brought, but for one that stands alone before the rest (a 2019 article a news
    // search still lists): it dated the feed's first reading, or the end of its gap, years back — a feed read
    // since 2019, a gap that ended before it began (dropped: a week nobody fetched taken for a quiet one)
    const times = this.stmt(`SELECT published_at FROM items WHERE fetched_at = ? AND feed_id = ? ORDER BY published_at LIMIT ${HISTORY_LOOK}`).pluck();
    const oldest = (fetchedAt: number | null, feedId: number): number | null => (fetchedAt === null ? null : historyStart((times.all(fetchedAt, feedId) as (number | string)[]).map(Number)));
    const span = this.stmt(
      `SELECT (SELECT min(l.started_at) FROM fetch_log l WHERE l.feed_id = ? AND l.status = 'ok') AS firstFetch,
              (SELECT max(l.started_at) FROM fetch_log l WHERE l.feed_id = ? AND l.status <> 'failed') AS last`,
    );
    return {
      gap(feedId, startedAt) {
        const key = `${feedId}:${startedAt}`;
        let g = gaps.get(key);
        if (!g) {
          g = { feedId, start: (before.get(feedId, startedAt) as number | null) ?? startedAt, end: oldest(startedAt, feedId) ?? startedAt };
          gaps.set(key, g);
        }
        return { ...g };
      },
      span(feedId) {
        let s = spans.get(feedId);
        if (!s) {
          const { firstFetch, last } = span.get(feedId, feedId) as { firstFetch: number | null; last: number | null };
          s = { first: oldest(firstFetch, feedId), last };
          spans.set(feedId, s);
        }
        return { ...s };
      },
    };
  }

  private coverageCache: {
    lastId: number;
    gaps: Map<string, { feedId: number; start: number; end: number }>;
    spans: Map<number, { first: number | null; last: number | null }>;
  } | null = null;

  /**
   * Of these feeds, those that brought at least one item of the topic: feed_topics, kept with the matches
   * (schema 19; it was one pass over every match of the topic, ~1 s a command on a million-item history).
   */
  private feedsCarrying(topicId: number, feedIds: number[]): Set<number> {
    if (feedIds.length === 0) return new Set();
    const carrying = new Set(this.stmt('SELECT feed_id FROM feed_topics WHERE topic_id = ?').pluck().all(topicId) as number[]);
    return new Set(feedIds.filter((f) => carrying.has(f)));
  }

  /** Overflowing fetches read so far, while the fetch log has not grown: one scan of it per command, not per topic. */
  private overflowCache: { lastId: number; from: number; rows: { feedId: number; startedAt: number }[] } | null = null;

  /** The fetches in [from, to] that brought only unseen items (fetch_log.overflow), oldest first. */
  private overflowFetches(from: number, to: number): { feedId: number; startedAt: number }[] {
    const lastId = (this.stmt('SELECT max(id) FROM fetch_log').pluck().get() as number | null) ?? 0;
    let c = this.overflowCache;
    if (!c || c.lastId !== lastId || c.from > from) {
      const rows = this.stmt('SELECT feed_id AS feedId, started_at AS startedAt FROM fetch_log WHERE overflow = 1 AND started_at >= ? ORDER BY started_at').all(from) as { feedId: number; startedAt: number }[];
      c = this.overflowCache = { lastId, from, rows };
    }
    return c.rows.filter((r) => r.startedAt <= to && r.startedAt >= from);
  }

  /**
   * Items published in [from, to), newest first (or by sentiment), at most `limit`; restricted to the
   * given topics when any are given. Each row says which of `topicIds` it matched.
   */
  listItems(o: ListItemsQuery): ListedItem[] {
    const out: ListedItem[] = [];
    for (const page of this.listItemPages(o)) for (const r of page) out.push(r);
    return out;
  }

  /**
   * listItems a page at a time, in the same order: the items' ids are sorted first (a number each: sorting
   * the whole rows, summaries and all, in a temporary B-tree was a third of the CPU of `items --all` and
   * most of its system time), then each page's rows are read by id. Sets `counted` before it returns.
   */
  listItemPages(o: ListItemsQuery, pageSize = ITEM_PAGE): Iterable<ListedItem[]> {
    const ids = this.guard(() => this.listedIds(o));
    return this.pagesOf(ids, (o.sort ?? 'time') === 'time', { from: o.from, to: o.to }, pageSize);
  }

  /** The ids listItems lists, in its order; `counted` set to how many there are past the limit. */
  private listedIds(o: ListItemsQuery): number[] {
    const order =
      o.sort === 'sentiment' ? 'i.sentiment IS NULL, i.sentiment ASC, i.published_at DESC'
      : o.sort === 'sentiment-desc' ? 'i.sentiment IS NULL, i.sentiment DESC, i.published_at DESC'
      : 'i.published_at DESC, i.id DESC';
    const topics = o.topicIds ?? [];
    if (o.ids) {
      const ids = [...o.ids];
      if (ids.length === 0) {
        if (o.counted) o.counted.total = 0;
        return [];
      }
      this.db.exec('CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)');
      this.db.exec('DELETE FROM search_hits');
      const add = this.db.prepare('INSERT INTO search_hits VALUES (?)');
      this.db.transaction(() => ids.forEach((id) => add.run(id)))();
    }
    const hits = o.ids ? ' AND i.id IN (SELECT id FROM search_hits)' : '';
    const since = topics.length === 0 && !o.ids ? this.fetchedSince(o.from) : null;
    const where =
      topics.length > 0
        ? `WHERE i.id IN (SELECT item_id FROM item_topics WHERE topic_id IN (${topics.map(() => '?').join(',')})
                          AND published_at >= ? AND published_at < ?)${hits}`
        : `WHERE ${since === null ? '' : 'i.fetched_at >= ? AND '}i.published_at >= ? AND i.published_at < ?${hits}`;
    const params = [...topics, ...(since === null ? [] : [since]), o.from, o.to];
    // no LIMIT clause for all of them: PostgreSQL refuses LIMIT -1 (`items --all` failed there)
    const cut = o.limit < 0 ? '' : ' LIMIT ?';
    const ids = this.db.prepare(`SELECT i.id FROM items i JOIN feeds f ON f.id = i.feed_id ${where} ORDER BY ${order}${cut}`).pluck().all(...params, ...(o.limit < 0 ? [] : [o.limit])) as number[];
    if (o.counted) {
      o.counted.total = o.limit < 0 ? ids.length : ((this.db.prepare(`SELECT count(*) FROM items i ${where}`).pluck().get(...params) as number) ?? 0);
    }
    return ids;
  }

  /**
   * A bound on fetch time for the items published from `from` on, when it leaves out most of the store, or
   * null. An item is never published more than max_lead after its fetch (story_state: every save raises it
   * to its items' lead, on both engines; the replay relies on it too), so those items were all fetched from
   * `from - max_lead` on. Items are numbered as they are saved, so the ones fetched since then are the
   * table's last rows: read through the fetched_at index, a week of a 90-day store of a million items is
   * counted in a third of a full scan's time. When they are a quarter of the store or more, reading them
   * by the index costs more than the scan (a whole 90-day store: ~1.1x): no bound. The count of them stops
   * at that quarter, and the store's size is its highest id (a little more than its count after deletions).
   */
  private fetchedSince(from: number): number | null {
    const lead = this.stmt('SELECT max_lead FROM story_state').pluck().get() as number | undefined;
    if (lead === undefined || lead === null) return null;
    const size = (this.stmt('SELECT max(id) FROM items').pluck().get() as number | null) ?? 0;
    const since = from - Number(lead);
    const cap = Math.floor(size / 4);
    // the first of them, by the index: one look-up rules out a wide period (no count of a quarter of the index)
    const first = this.stmt('SELECT id FROM items WHERE fetched_at >= ? ORDER BY fetched_at LIMIT 1').pluck().get(since) as number | undefined;
    if (first === undefined) return since;
    if (size - Number(first) >= cap) return null;
    const fetched = this.stmt('SELECT count(*) AS n, min(id) AS low FROM (SELECT id FROM items WHERE fetched_at >= ? LIMIT ?) AS s').get(since, cap) as { n: number; low: number };
    // and they lie in the table's last quarter (not so in a store whose ids do not follow fetch time: looked up
    // all over the table, a week's items cost twice the scan, cold)
    return Number(fetched.n) < cap && size - Number(fetched.low) < cap ? since : null;
  }

  /**
   * The rows of `ids`, in that order, a page at a time, each with the topics it matched. Listed by time, a
   * page's topics are one range scan per topic over the page's time span; in another order a page spans
   * the period, so the matches of the period's listed items are gathered once, by one scan per topic over
   * the period [from, to) (a list of topic ids per matched item: what memory grows with there, beside the ids).
   */
  private *pagesOf(ids: number[], byTime: boolean, period: { from: number; to: number }, pageSize: number): Generator<ListedItem[]> {
    if (ids.length === 0) return;
    const topicIds = this.guard(() => this.stmt('SELECT id FROM topics').pluck().all() as number[]);
    const scan = this.stmt('SELECT item_id FROM item_topics WHERE topic_id = ? AND published_at >= ? AND published_at <= ?').pluck();
    const matches = (wanted: Set<number>, lo: number, hi: number) => {
      const matched = new Map<number, number[]>();
      for (const t of topicIds) {
        for (const id of scan.all(t, lo, hi) as number[]) {
          if (!wanted.has(id)) continue;
          const list = matched.get(id);
          if (list) list.push(t);
          else matched.set(id, [t]);
        }
      }
      return matched;
    };
    let whole: Map<number, number[]> | null = null;
    // the rows as arrays, their feeds' url and kind from one read of the feeds, each row made here: joined to
    // feeds and made objects by the driver, they cost ~2 µs a row more (`items --csv --all`: a million rows)
    const feeds = this.guard(() => new Map((this.stmt('SELECT id, url, kind FROM feeds').raw().all() as [number, string, string][]).map((f) => [Number(f[0]), f])));
    for (let at = 0; at < ids.length; at += pageSize) {
      const pageIds = ids.slice(at, at + pageSize);
      yield this.guard(() => {
        const raw = this.stmt(`SELECT ${ITEM_ROW} FROM items WHERE id IN (${pageIds.map(() => '?').join(',')})`).raw().all(...pageIds) as ItemRowArray[];
        const byId = new Map<number, ListedItem>();
        for (const r of raw) {
          // (an item whose feed is not there, as the join left out)
          const f = feeds.get(Number(r[6]));
          if (!f) continue;
          byId.set(r[0], { id: r[0], title: r[1], summary: r[2], link: r[3], source: r[4], sourceDomain: r[5], feedUrl: f[1], feedKind: f[2], publishedAt: r[7], sentiment: r[8], language: r[9], storyId: r[10], topicIds: [] });
        }
        const rows: ListedItem[] = [];
        // (an item deleted since its id was listed is left out)
        for (const id of pageIds) {
          const r = byId.get(id);
          if (r) rows.push(r);
        }
        let matched = whole;
        if (byTime) {
          let lo = Infinity;
          let hi = -Infinity;
          for (const r of rows) {
            if (r.publishedAt < lo) lo = r.publishedAt;
            if (r.publishedAt > hi) hi = r.publishedAt;
          }
          matched = matches(new Set(pageIds), lo, hi);
        } else if (!matched) {
          matched = whole = matches(new Set(ids), period.from, period.to - 1);
        }
        // the row as read, with its topics added (not a copy: a spread-first literal costs ~13 µs a row)
        for (const r of rows) r.topicIds = matched.get(r.id) ?? [];
        return rows;
      });
    }
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
}
