/**
 * The store's contract: what every backend does, the same way (one suite, run against SQLite and
 * PostgreSQL by contract.test.ts). A backend gives a fresh store, its connection for looking at tables,
 * and two hooks for what only its own SQL can do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '../../src/core/errors.js';
import type { EnrichedItem } from '../../src/core/types.js';
import { ReplayStream } from '../../src/enrich/stories.js';
import type { SqlDb } from '../../src/store/sqlite/part.js';
import { NO_STORIES, type Store, type StoryReplayer } from '../../src/store/store.js';

export const T = Date.UTC(2026, 10, 20, 9);

export function item(guid: string, over: Partial<EnrichedItem> = {}): EnrichedItem {
  return {
    guid,
    title: `Acme item ${guid}`,
    summary: '',
    link: `https://news.example/${guid}`,
    canonicalUrl: `https://news.example/${guid}`,
    author: null,
    source: 'News',
    sourceDomain: 'news.example',
    publishedAt: T,
    dateEstimated: false,
    sentiment: 0.1,
    language: 'en',
    topics: ['Acme'],
    ...over,
  };
}

export interface Backend {
  name: string;
  /** A new, empty store, and its connection. */
  open(): { store: Store; sql: SqlDb };
  /** Another connection to the same database (another process, another host). */
  reopen(store: Store): Store;
  /** Makes every later insert of an item with this guid fail (as a full disk would). */
  failInserting(sql: SqlDb, guid: string): void;
  /** Rows whose foreign keys point at nothing. */
  danglingReferences(sql: SqlDb): unknown[];
}

export function storeContract(backend: Backend): void {
  describe(`the store's contract on ${backend.name}`, () => {
    const opened: Store[] = [];
    afterEach(() => {
      while (opened.length) opened.pop()!.close();
    });

    function setup() {
      const { store, sql } = backend.open();
      opened.push(store);
      const [topic] = store.syncTopics([{ name: 'Acme', definition: 'd1' }]);
      const topicIds = new Map([['Acme', topic!.id]]);
      const [a, b] = store.ensureFeeds(['https://a.example/rss', 'https://b.example/rss'], T);
      const save = (feedId: number, items: EnrichedItem[]) =>
        store.saveFetch({ feedId, startedAt: T, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: '"v1"', items }, topicIds);
      return { store, sql, topicId: topic!.id, feedA: a!.id, feedB: b!.id, save };
    }

    describe('the newest items of a period, in a store mostly fetched before it', () => {
      const DAY = 86_400_000;
      const from = T - 7 * DAY;
      // a month of history fetched long before the period (so that the listing may look only at what was fetched since)
      function history() {
        const { store, feedA, feedB, topicId } = setup();
        const topicIds = new Map([['Acme', topicId]]);
        const fetchAt = (feedId: number, startedAt: number, items: EnrichedItem[]) =>
          store.saveFetch({ feedId, startedAt, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: null, items }, topicIds);
        fetchAt(feedA, T - 30 * DAY, Array.from({ length: 60 }, (_, i) => item(`old${i}`, { publishedAt: T - 31 * DAY + i * 60_000 })));
        return { store, fetchAt, feedA, feedB };
      }
      const guids = (rows: { link: string | null }[]) => rows.map((r) => r.link!.replace('https://news.example/', ''));

      it('lists them newest first: one fetched long ago but dated later, one published just before a late fetch, ties by id', () => {
        const { store, fetchAt, feedA, feedB } = history();
        // dated three days after its fetch, nine days ago: in the period, and newer than most
        fetchAt(feedB, T - 9 * DAY, [item('ahead', { publishedAt: T - 6 * DAY }), item('before', { publishedAt: T - 9 * DAY - 1000 })]);
        fetchAt(feedA, T - 2 * DAY, [item('tieA', { publishedAt: T - 3 * DAY }), item('d2', { publishedAt: T - 2 * DAY - 5000 })]);
        fetchAt(feedB, T - DAY, [item('tieB', { publishedAt: T - 3 * DAY }), item('d1', { publishedAt: T - DAY - 10 })]);
        // a feed fetched late: an item published just before the fetch, one early in the period, one before it
        fetchAt(feedA, T, [item('justBefore', { publishedAt: T - 1 }), item('early', { publishedAt: from + 1 }), item('tooOld', { publishedAt: from - 1 })]);
        const counted = { total: 0 };
        expect(guids(store.listItems({ from, to: T + 1, limit: 50, counted }))).toEqual(['justBefore', 'd1', 'd2', 'tieB', 'tieA', 'ahead', 'early']);
        expect(counted.total).toBe(7);
        // cut by the limit between the two ties: the later saved comes first
        expect(guids(store.listItems({ from, to: T + 1, limit: 4, counted }))).toEqual(['justBefore', 'd1', 'd2', 'tieB']);
        expect(counted.total).toBe(7);
        // a period that ends before the last fetches
        expect(guids(store.listItems({ from, to: T - 2 * DAY, limit: 2, counted }))).toEqual(['d2', 'tieB']);
        expect(counted.total).toBe(5);
      });

      it('finds an item dated far ahead of its fetch, whatever the lead', () => {
        const { store, fetchAt, feedB } = history();
        fetchAt(feedB, T - 20 * DAY, [item('farAhead', { publishedAt: T - DAY })]);
        const counted = { total: 0 };
        expect(guids(store.listItems({ from, to: T + 1, limit: 50, counted }))).toEqual(['farAhead']);
        expect(counted.total).toBe(1);
      });
    });

    it('full-text search reads what a user types the same way on every engine: -word, punctuation in words, accents, stray quotes', () => {
      const { store, sql, save, feedA } = setup();
      const titles = ['Acme Glide launch goes viral', 'Acme recalls robot vacuums', "Don't buy the C++ robot", 'Café Zürich opens', 'Globex earnings'];
      save(feedA, titles.map((title, k) => item(String(k + 1), { title })));
      store.updateSearchIndex();
      const find = (q: string) => [...store.searchIds(q)].map((id) => sql.prepare('SELECT guid FROM items WHERE id = ?').pluck().get(id)).sort();
      const cases: [string, string[]][] = [
        ['acme', ['1', '2']],
        ['acme -glide', ['2']],
        ['acme NOT glide', ['2']],
        ['acme -"robot vacuums"', ['1']],
        ['"robot vacuums" OR globex', ['2', '5']],
        ['robot*', ['2', '3']],
        ["don't", ['3']],
        ['c++ robot', ['3']],
        ['@acme glide', ['1']],
        ['cafe zurich', ['4']],
        ['(acme OR globex) -vacuums', ['1', '5']],
      ];
      for (const [q, want] of cases) expect([q, find(q)]).toEqual([q, want]);
      const unread: [string, string][] = [
        ['"', 'a " is not closed'],
        ['acme "glide', 'a " is not closed'],
        ['-glide', '-glide needs a term before it, as NOT does'],
        ['NOT glide', 'NOT needs a term before it'],
        ['""', '"" has no word in it'],
        ['acme OR', 'it ends with an operator'],
      ];
      for (const [q, why] of unread) {
        const err = (() => {
          try {
            store.searchIds(q);
          } catch (e) {
            return e as UsageError;
          }
          throw new Error(`${q}: read`);
        })();
        expect(err).toBeInstanceOf(UsageError);
        expect(err.message).toBe(`--search: cannot read "${q}" as a search (${why})`);
        expect(err.exitCode).toBe(2);
      }
    });

    it('re-fetching the same items never duplicates them', () => {
      const { store, sql, save, feedA, topicId } = setup();
      expect(save(feedA, [item('1'), item('2')])).toEqual({ new: 2, seen: 0, overflow: false });
      expect(save(feedA, [item('1'), item('2'), item('3')])).toEqual({ new: 1, seen: 2, overflow: false });
      expect(store.itemsBetween(topicId, 0, T + 1)).toHaveLength(3);
    });

    it('the same article under a new guid in one feed is one item; from another feed it is that feed\'s own item (canonical URL)', () => {
      const { store, sql, save, feedA, feedB, topicId } = setup();
      save(feedA, [item('1')]);
      expect(save(feedA, [item('changed-guid', { canonicalUrl: 'https://news.example/1' })])).toEqual({ new: 0, seen: 1, overflow: false });
      // another feed carrying the article does not make it vanish from that feed, nor stand in for it
      expect(save(feedB, [item('other-guid', { canonicalUrl: 'https://news.example/1', title: 'Made-up title' })])).toEqual({ new: 1, seen: 0, overflow: false });
      expect(save(feedB, [item('other-guid-2', { canonicalUrl: 'https://news.example/1' })])).toEqual({ new: 0, seen: 1, overflow: false });
      expect(store.itemsBetween(topicId, 0, T + 1).map((i) => i.title).sort()).toEqual(['Acme item 1', 'Made-up title']);
    });

    it('a baseline sample\'s titles are those of the same items, newest first, in the window and up to the limit', () => {
      const { store, save, feedA, topicId } = setup();
      save(feedA, [1, 2, 3, 4, 5].map((k) => item(String(k), { publishedAt: T - k * 60_000 })));
      const newest = (from: number, to: number, limit: number) => store.itemsBetween(topicId, from, to, limit).map((i) => i.title);
      expect(store.titlesBetween(topicId, T - 4 * 60_000, T, 2)).toEqual(['Acme item 1', 'Acme item 2']);
      expect(store.titlesBetween(topicId, T - 4 * 60_000, T, 2)).toEqual(newest(T - 4 * 60_000, T, 2));
      expect(store.titlesBetween(topicId, 0, T - 3 * 60_000 + 1, 800)).toEqual(['Acme item 3', 'Acme item 4', 'Acme item 5']);
      expect(store.titlesBetween(topicId, T, T + 1, 800)).toEqual([]);
    });

    it('a fetch repeating an item (same guid, or same article under another guid) stores it once; items keep the feed\'s order', () => {
      const { store, sql, save, feedA } = setup();
      const items = [
        item('b', { publishedAt: T - 1000 }),
        item('a', { publishedAt: T - 5000 }),
        item('b', { publishedAt: T - 9000, title: 'Acme item b, again' }),
        item('c', { canonicalUrl: 'https://news.example/a', publishedAt: T - 7000 }),
        item('d', { publishedAt: T - 3000 }),
      ];
      expect(save(feedA, items)).toEqual({ new: 3, seen: 2, overflow: false });
      expect(sql.prepare('SELECT guid FROM items ORDER BY id').pluck().all()).toEqual(['b', 'a', 'd']);
      // every stored item is in a story from the start
      expect(sql.prepare('SELECT count(*) FROM items WHERE story_id IS NULL').pluck().get()).toBe(0);
    });

    it('saves made together commit together, or not at all', () => {
      const { store, sql, save, feedA, feedB } = setup();
      store.together(() => {
        save(feedA, [item('1')]);
        save(feedB, [item('2')]);
      });
      expect(sql.prepare('SELECT count(*) FROM items').pluck().get()).toBe(2);
      backend.failInserting(sql, 'bad');
      expect(() =>
        store.together(() => {
          save(feedA, [item('3')]);
          save(feedB, [item('4'), item('bad')]);
        }),
      ).toThrow(StoreError);
      expect(sql.prepare('SELECT guid FROM items ORDER BY id').pluck().all()).toEqual(['1', '2']);
      expect(sql.prepare('SELECT count(*) FROM fetch_log').pluck().get()).toBe(2);
    });

    it('a save that fails among saves made together keeps any of them from being committed, even when its error is caught', () => {
      const { store, sql, save, feedA, feedB } = setup();
      backend.failInserting(sql, 'bad');
      expect(() =>
        store.together(() => {
          save(feedA, [item('1')]);
          // the bad item comes after its feed's first item, a story and a topic match are written
          expect(() => save(feedB, [item('2'), item('bad')])).toThrow(StoreError);
          // nor is a save after it (it fails at once)
          expect(() => save(feedA, [item('3')])).toThrow(StoreError);
        }),
      ).toThrow(StoreError);
      for (const table of ['items', 'stories', 'item_topics', 'story_topics', 'topic_quarters', 'fetch_log']) {
        expect(sql.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
      }
      // and the store goes on: the next saves are committed
      store.together(() => save(feedB, [item('2')]));
      expect(sql.prepare('SELECT guid FROM items').pluck().all()).toEqual(['2']);
    });

    it('flags a fetch that brings only unseen items from a feed that had items (it may be overflowing)', () => {
      const { store, sql, save, feedA, feedB } = setup();
      expect(save(feedA, [item('1'), item('2')]).overflow).toBe(false); // first fetch: nothing to compare with
      expect(save(feedA, [item('3'), item('4')]).overflow).toBe(true);
      expect(save(feedA, [item('4'), item('5')]).overflow).toBe(false);
      expect(save(feedB, []).overflow).toBe(false);
      const logged = sql.prepare('SELECT overflow FROM fetch_log ORDER BY id').pluck().all();
      expect(logged).toEqual([0, 1, 0, 0]);
    });

    it('reads from the fetch log what a week nobody fetched left out: each overflowing fetch, the feeds\' spans and items', () => {
      const { store, feedA, feedB, topicId } = setup();
      const topicIds = new Map([['Acme', topicId]]);
      const D = 86_400_000;
      const fetchAt = (feedId: number, startedAt: number, items: EnrichedItem[], status: 'ok' | 'failed' = 'ok') =>
        store.saveFetch({ feedId, startedAt, durationMs: 5, status, httpStatus: status === 'ok' ? 200 : 500, bytes: 100, error: status === 'ok' ? null : 'HTTP 500', etag: null, items }, topicIds);
      const items = (feed: string, from: number, n: number) => Array.from({ length: n }, (_, i) => item(`${feed}${from}-${i}`, { publishedAt: from + i * 3_600_000 }));
      // a fetched from T − 20d: daily to T − 10d, a failure at T − 5d, then at T only the day before it
      fetchAt(feedA, T - 20 * D, items('a', T - 22 * D, 40));
      fetchAt(feedA, T - 10 * D, items('a', T - 11 * D, 20).concat(items('a', T - 22 * D, 40).slice(-1)));
      fetchAt(feedA, T - 5 * D, [], 'failed');
      fetchAt(feedA, T, items('a', T - D, 24));
      // b: one fetch, and nothing of the topic in it (it is not the topic's feed)
      fetchAt(feedB, T - 15 * D, [item('b1', { publishedAt: T - 15 * D, topics: [] })]);
      expect(store.topicCoverage(topicId, T - 30 * D, T + D)).toEqual({
        gaps: [{ feedId: feedA, start: T - 10 * D, end: T - D }],
        feeds: [{ feedId: feedA, first: T - 22 * D, last: T, items: 60 }],
      });
      // a fetch log without such fetches in the period says nothing more
      expect(store.topicCoverage(topicId, T + D, T + 2 * D)).toEqual({ gaps: [], feeds: [] });
    });

    it('an old article a fetch brings alone before the rest does not date the feed\'s reading nor end its gap', () => {
      const { store, feedA, topicId } = setup();
      const topicIds = new Map([['Acme', topicId]]);
      const D = 86_400_000;
      const fetchAt = (startedAt: number, items: EnrichedItem[]) =>
        store.saveFetch({ feedId: feedA, startedAt, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: null, items }, topicIds);
      const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => item(`a${from}-${i}`, { publishedAt: from + i * 3_600_000 }));
      // a news search's answers, each with a piece from 2019 it still lists (new to the feed: another each time)
      fetchAt(T - 20 * D, items(T - 22 * D, 40).concat(item('old-1', { publishedAt: Date.UTC(2019, 4, 3) })));
      fetchAt(T - 10 * D, items(T - 11 * D, 20).concat(items(T - 22 * D, 40).slice(-1)));
      fetchAt(T, items(T - D, 24).concat(item('old-2', { publishedAt: Date.UTC(2019, 6, 1) })));
      // the feed was read from T − 22d (not since 2019), and nobody read it from T − 10d to T − 1d (the gap
      // ended in 2019, before it began, and was dropped: the week taken for a quiet one)
      expect(store.topicCoverage(topicId, T - 30 * D, T + D)).toEqual({
        gaps: [{ feedId: feedA, start: T - 10 * D, end: T - D }],
        feeds: [{ feedId: feedA, first: T - 22 * D, last: T, items: 60 }],
      });
    });

    it('a feed\'s gaps count for the topics it carries, asked topic after topic on one store, and again after a fetch', () => {
      const { store } = backend.open();
      opened.push(store);
      const [acme, beta] = store.syncTopics([
        { name: 'Acme', definition: 'd1' },
        { name: 'Beta', definition: 'b1' },
      ]);
      const topicIds = new Map([
        ['Acme', acme!.id],
        ['Beta', beta!.id],
      ]);
      const [a, b] = store.ensureFeeds(['https://a.example/rss', 'https://b.example/rss'], T);
      const D = 86_400_000;
      const fetchAt = (feedId: number, startedAt: number, items: EnrichedItem[]) =>
        store.saveFetch({ feedId, startedAt, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, etag: null, items }, topicIds);
      const items = (feed: string, from: number, n: number, topics: string[]) =>
        Array.from({ length: n }, (_, i) => item(`${feed}${from}-${i}`, { publishedAt: from + i * 3_600_000, topics }));
      // a carries Acme and overflows; b carries Beta and overflows; Beta is in no item of a, Acme in none of b
      fetchAt(a!.id, T - 20 * D, items('a', T - 21 * D, 10, ['Acme']));
      fetchAt(a!.id, T - 2 * D, items('a', T - 3 * D, 10, ['Acme']));
      fetchAt(b!.id, T - 19 * D, items('b', T - 20 * D, 10, ['Beta']));
      fetchAt(b!.id, T - D, items('b', T - 1.5 * D, 10, ['Beta']));
      const from = T - 30 * D;
      const to = T + D;
      const gapA = { feedId: a!.id, start: T - 20 * D, end: T - 3 * D };
      const gapB = { feedId: b!.id, start: T - 19 * D, end: T - 1.5 * D };
      const spanA = { feedId: a!.id, first: T - 21 * D, last: T - 2 * D };
      const spanB = { feedId: b!.id, first: T - 20 * D, last: T - D };
      for (let round = 0; round < 2; round++) {
        expect(store.topicCoverage(acme!.id, from, to)).toEqual({ gaps: [gapA], feeds: [{ ...spanA, items: 10 }] });
        expect(store.topicCoverage(beta!.id, from, to)).toEqual({ gaps: [gapB], feeds: [{ ...spanB, items: 10 }] });
        expect(store.overflowPeriods(acme!.id, from, to)).toEqual([{ feedUrl: 'https://a.example/rss', start: T - 20 * D, end: T - 2 * D }]);
        expect(store.overflowPeriods(beta!.id, from, to)).toEqual([{ feedUrl: 'https://b.example/rss', start: T - 19 * D, end: T - D }]);
      }
      // a now brings a Beta item too: a's gaps are Beta's as well (what was read before the fetch is not kept)
      fetchAt(a!.id, T - D / 2, [...items('a', T - 1.9 * D, 3, ['Acme']), item('a-beta', { publishedAt: T - D, topics: ['Beta'] })]);
      expect(store.overflowPeriods(beta!.id, from, to)).toEqual([
        { feedUrl: 'https://a.example/rss', start: T - 20 * D, end: T - 2 * D },
        { feedUrl: 'https://b.example/rss', start: T - 19 * D, end: T - D },
        { feedUrl: 'https://a.example/rss', start: T - 2 * D, end: T - D / 2 },
      ]);
      expect(store.topicCoverage(beta!.id, from, to)).toEqual({
        gaps: [gapA, gapB, { feedId: a!.id, start: T - 2 * D, end: T - 1.9 * D }],
        feeds: [
          { ...spanA, last: T - D / 2, items: 0 },
          { ...spanB, items: 0 },
        ],
      });
      expect(store.topicCoverage(acme!.id, from, to).gaps).toEqual([gapA, { feedId: a!.id, start: T - 2 * D, end: T - 1.9 * D }]);
      // Beta defined anew, matching b's items only: a carries it no more (its matches made again), nor Acme once
      // Acme matches nothing; a topic removed from the config takes nothing of another's along
      store.replaceTopicMatches(beta!.id, 'b2', [...store.itemTexts()].flat().filter((m) => m.feedUrl === 'https://b.example/rss'));
      expect(store.overflowPeriods(beta!.id, from, to)).toEqual([{ feedUrl: 'https://b.example/rss', start: T - 19 * D, end: T - D }]);
      expect(store.topicCoverage(beta!.id, from, to)).toEqual({ gaps: [gapB], feeds: [{ ...spanB, items: 10 }] });
      store.replaceTopicMatches(acme!.id, 'd2', []);
      expect(store.topicCoverage(acme!.id, from, to)).toEqual({ gaps: [], feeds: [] });
      expect(store.overflowPeriods(beta!.id, from, to)).toHaveLength(1);
    });

    it('counts per bucket with sentiment sums, for the topic only', () => {
      const { store, sql, save, feedA, topicId } = setup();
      const H = 3_600_000;
      save(feedA, [
        item('1', { publishedAt: T, sentiment: 0.5 }),
        item('2', { publishedAt: T + H, sentiment: -0.5 }),
        item('3', { publishedAt: T + 7 * H, sentiment: null }),
        item('4', { publishedAt: T, topics: [] }),
      ]);
      const buckets = store.bucketCounts(topicId, 0, T + 24 * H, 6 * H);
      expect(buckets).toEqual([
        { start: Date.UTC(2026, 10, 20, 6), count: 2, items: 2, scored: 2, sentimentSum: 0, sentimentSumSq: 0.5 },
        { start: Date.UTC(2026, 10, 20, 12), count: 1, items: 1, scored: 0, sentimentSum: 0, sentimentSumSq: 0 },
      ]);
      expect(store.firstItemAt(topicId)).toBe(T);
    });

    it('a failed fetch is logged and counted without touching the stored validators', () => {
      const { store, sql, save, feedA } = setup();
      save(feedA, [item('1')]);
      store.saveFetch({ feedId: feedA, startedAt: T + 1, durationMs: 3, status: 'failed', httpStatus: 500, bytes: null, error: 'HTTP 500' }, new Map());
      store.saveFetch({ feedId: feedA, startedAt: T + 2, durationMs: 3, status: 'failed', httpStatus: null, bytes: null, error: 'timed out' }, new Map());
      const [feed] = store.ensureFeeds(['https://a.example/rss'], T);
      expect(feed).toMatchObject({ etag: '"v1"', consecutiveFailures: 2 });
      const log = sql.prepare('SELECT status, error FROM fetch_log ORDER BY id').all();
      expect(log).toEqual([
        { status: 'ok', error: null },
        { status: 'failed', error: 'HTTP 500' },
        { status: 'failed', error: 'timed out' },
      ]);
    });

    it('re-matching a changed topic replaces its matches', () => {
      const { store, sql, save, feedA, topicId } = setup();
      save(feedA, [item('1'), item('2')]);
      const [row] = store.syncTopics([{ name: 'Acme', definition: 'd2' }]);
      expect(row!.changed).toBe(true);
      const all = [...store.itemTexts(1)].flat();
      expect(all).toHaveLength(2);
      store.replaceTopicMatches(topicId, 'd2', [all[0]!]);
      expect(store.itemsBetween(topicId, 0, T + 1)).toHaveLength(1);
      expect(store.syncTopics([{ name: 'Acme', definition: 'd2' }])[0]!.changed).toBe(false);
    });

    it('a topic left out of the config and then back has its matches redone (items stored meanwhile were not matched)', () => {
      const { store, save, feedA, topicId } = setup();
      const [, globex] = store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g1' }]);
      expect(globex!.changed).toBe(true);
      store.replaceTopicMatches(topicId, 'd1', []);
      store.replaceTopicMatches(globex!.id, 'g1', []);
      expect(store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g1' }]).map((r) => r.changed)).toEqual([false, false]);
      // Globex removed from the config: fetches go on without it
      expect(store.syncTopics([{ name: 'Acme', definition: 'd1' }]).map((r) => r.changed)).toEqual([false]);
      save(feedA, [item('1')]);
      const back = store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g1' }]);
      expect(back.map((r) => [r.id, r.changed])).toEqual([[topicId, false], [globex!.id, true]]);
    });

    it('a topic renamed in case only (acme to Acme) is the same topic: its id, its matches, nothing redone', () => {
      const { store, save, feedA, topicId } = setup();
      save(feedA, [item('1')]);
      store.replaceTopicMatches(topicId, 'd1', []);
      store.feedback.addEvents([{ topic: 'Acme', uid: null, start: T, end: T + 1, leadMs: 0, lagMs: 0, note: 'launch', categories: [], source: 'cli' }], T);
      const [renamed] = store.syncTopics([{ name: 'ACME', definition: 'd1' }]);
      expect(renamed).toEqual({ id: topicId, name: 'ACME', changed: false });
      // what is kept by the topic's name follows it (labels, events, silences)
      expect(store.feedback.events({ topics: ['ACME'] }).map((e) => e.note)).toEqual(['launch']);
      expect(store.topicNames().get(topicId)).toBe('ACME');
      expect([...store.topicNames().values()]).toEqual(['ACME']);
      // a later fetch stores items: still the one topic
      save(feedA, [item('2')]);
      expect(store.syncTopics([{ name: 'ACME', definition: 'd1' }])).toEqual([{ id: topicId, name: 'ACME', changed: false }]);
    });

    it('a topic two hosts define differently: from the second swap on, the row says the other definition', () => {
      const { store, topicId } = setup();
      store.replaceTopicMatches(topicId, 'd1', []);
      const swap = (def: string) => {
        const [row] = store.syncTopics([{ name: 'Acme', definition: def }]);
        if (row!.changed) store.replaceTopicMatches(topicId, def, []);
        return row;
      };
      // the first change is as an edit of the config: nothing to tell
      expect(swap('d2')).toEqual({ id: topicId, name: 'Acme', changed: true, was: 'd1' });
      expect(swap('d1')).toEqual({ id: topicId, name: 'Acme', changed: true, definedOtherwise: 'd2', was: 'd2' });
      expect(swap('d2')).toEqual({ id: topicId, name: 'Acme', changed: true, definedOtherwise: 'd1', was: 'd1' });
      // agreed again
      expect(swap('d2')).toEqual({ id: topicId, name: 'Acme', changed: false });
      // away from the config and back keeps what it knew
      store.syncTopics([]);
      expect(swap('d1')).toEqual({ id: topicId, name: 'Acme', changed: true, definedOtherwise: 'd2', was: 'd2' });
    });

    it('a topic renamed (topics rename) keeps its id, matches, moments, labels and events; a name another stored topic has is refused', () => {
      const { store, save, feedA, topicId } = setup();
      save(feedA, [item('1')]);
      const m = {
        topic: 'Acme', kind: 'volume-spike' as const, direction: 'up' as const, score: 9, pValue: 1e-9, start: T, peak: T, end: T + 7_200_000, bucketMs: 1,
        ongoing: false, stage: 'new' as const, firedAt: T + 1, alerts: 1, alertedAt: T + 1, storySeries: [9], hoursSinceOnset: 1, growth: null, observed: 9, expected: 1, totalStories: 9, totalItems: 9, expectedTotal: 1, sourceTypes: [], sentimentNow: null, sentimentBaseline: null, sentimentItems: 0,
        distinctSources: 1, topSources: [], topTerms: [], examples: [], caveats: [],
      };
      const id = store.saveMoments([{ topicId, moment: m }], T + 10)[0]!.id!;
      store.feedback.saveLabel(store.feedback.recordedMoment(id)!, 'real', { note: null, at: T + 20, source: 'cli' });
      store.feedback.addEvents([{ topic: 'Acme', uid: null, start: T, end: T + 1, leadMs: 0, lagMs: 0, note: 'launch', categories: [], source: 'cli' }], T);
      store.replaceTopicMatches(topicId, 'd1', [...store.itemTexts()].flat());
      const [, globex] = store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g1' }]);
      store.replaceTopicMatches(globex!.id, 'g1', []);
      expect(() => store.renameTopic('Acme', 'GLOBEX')).toThrow(StoreError);
      expect(store.renameTopic('acme', 'Acme Robotics')).toEqual({ id: topicId, was: 'Acme' });
      expect(store.topicNames()).toEqual(new Map([[topicId, 'Acme Robotics'], [globex!.id, 'Globex']]));
      expect(store.itemsBetween(topicId, 0, T + 1)).toHaveLength(1);
      expect(store.feedback.recordedMoment(id)!.topic).toBe('Acme Robotics');
      expect(store.feedback.labels(['Acme Robotics']).map((l) => [l.momentId, l.verdict])).toEqual([[id, 'real']]);
      expect(store.feedback.events({ topics: ['Acme Robotics'] }).map((e) => e.note)).toEqual(['launch']);
      expect(store.syncTopics([{ name: 'Acme Robotics', definition: 'd1' }, { name: 'Globex', definition: 'g1' }])[0]).toEqual({ id: topicId, name: 'Acme Robotics', changed: false });
      expect(store.renameTopic('Nothing', 'Else')).toBeNull();
    });

    it('a topic left out of a config that only read the store, then back, keeps its matches (no items were stored meanwhile: nothing to redo)', () => {
      const { store, save, feedA, topicId } = setup();
      save(feedA, [item('1')]);
      const [, globex] = store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g1' }]);
      store.replaceTopicMatches(topicId, 'd1', []);
      store.replaceTopicMatches(globex!.id, 'g1', []);
      // `moments --config other.yaml` without Globex, twice, then the team's config again
      store.syncTopics([{ name: 'Acme', definition: 'd1' }]);
      store.syncTopics([{ name: 'Acme', definition: 'd1' }]);
      expect(store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g1' }]).map((r) => r.changed)).toEqual([false, false]);
      // back with another definition: redone, as any changed topic
      store.syncTopics([{ name: 'Acme', definition: 'd1' }]);
      expect(store.syncTopics([{ name: 'Acme', definition: 'd1' }, { name: 'Globex', definition: 'g2' }]).map((r) => r.changed)).toEqual([false, true]);
    });

    it('remembers when a moment was first seen; lists those known by a given time', () => {
      const { store, topicId } = setup();
      const m = {
        topic: 'Acme', kind: 'volume-spike' as const, direction: 'up' as const, score: 9, pValue: 1e-9, start: T, peak: T, end: T + 1, bucketMs: 1,
        ongoing: true, stage: 'new' as const, firedAt: T + 1, alerts: 1, alertedAt: T + 1, storySeries: [9], hoursSinceOnset: 1, growth: null, observed: 9, expected: 1, totalStories: 9, totalItems: 9, expectedTotal: 1, sourceTypes: [], sentimentNow: null, sentimentBaseline: null, sentimentItems: 0,
        distinctSources: 1, topSources: [], topTerms: [], examples: [], caveats: [],
      };
      const [first] = store.saveMoments([{ topicId, moment: m }], T + 10);
      expect(first).toEqual({ id: expect.any(Number), firstSeenAt: T + 10, isNew: true });
      // the same moment seen again: the same id (what momentscan label takes)
      expect(store.saveMoments([{ topicId, moment: { ...m, score: 12 } }], T + 20)).toEqual([{ id: first!.id, firstSeenAt: T + 10, isNew: false }]);
      // a run at T + 100 reports one that starts at T + 50: not known at T + 20, nor at T + 60
      store.saveMoments([{ topicId, moment: { ...m, start: T + 50, peak: T + 50, end: T + 51 } }], T + 100);
      const starts = (knownBy?: number) => store.momentsSeenSince(0, knownBy).map((r) => r.moment.start);
      expect(starts().sort()).toEqual([T, T + 50]);
      expect(starts(T + 20)).toEqual([T]);
      expect(starts(T + 60)).toEqual([T]);
      expect(starts(T + 5)).toEqual([]);
      expect(starts(T + 100).sort()).toEqual([T, T + 50]);
    });

    it('planned events (re-imported by UID in place), verdicts on moments and the labels threshold learning reads', () => {
      const { store, topicId } = setup();
      const ev = { topic: 'Acme', uid: 'launch-1@example.com', start: T, end: T + 3_600_000, leadMs: 0, lagMs: 60_000, note: 'launch', categories: ['Acme', 'PR'], source: 'cal.ics' };
      const first = store.feedback.addEvents([ev, { ...ev, uid: null, topic: '*', note: 'by hand', categories: [], source: 'cli' }], T);
      expect(first).toMatchObject({ added: 2, replaced: 0 });
      // the calendar imported again: the same event, updated, keeps its id
      expect(store.feedback.addEvents([{ ...ev, note: 'launch (moved)' }], T + 1)).toEqual({ added: 0, replaced: 1, ids: [first.ids[0]] });
      expect(store.feedback.events({ topics: ['Acme'] }).map((e) => [e.topic, e.note, e.categories])).toEqual([
        ['Acme', 'launch (moved)', ['Acme', 'PR']],
        ['*', 'by hand', []],
      ]);
      // an event reaches as far as its lag
      expect(store.feedback.events({ from: T + 3_600_000 + 30_000 })).toHaveLength(2);
      expect(store.feedback.events({ from: T + 3_600_000 + 60_000 })).toHaveLength(0);
      expect(store.feedback.removeEvent(first.ids[1]!)).toBe(true);
      expect(store.feedback.removeEvent(first.ids[1]!)).toBe(false);

      const m = {
        topic: 'Acme', kind: 'volume-spike' as const, direction: 'up' as const, score: 9, pValue: 1e-9, start: T, peak: T, end: T + 7_200_000, bucketMs: 1,
        ongoing: false, stage: 'new' as const, firedAt: T + 1, alerts: 1, alertedAt: T + 1, storySeries: [9], hoursSinceOnset: 1, growth: null, observed: 9, expected: 1, totalStories: 9, totalItems: 9, expectedTotal: 1, sourceTypes: [], sentimentNow: null, sentimentBaseline: null, sentimentItems: 0,
        distinctSources: 1, topSources: [], topTerms: [], examples: [], caveats: [],
      };
      const id = store.saveMoments([{ topicId, moment: m }], T + 10)[0]!.id!;
      const saved = { id };
      expect(store.feedback.momentRowId(topicId, 'volume-spike', 'up', T)).toBe(saved.id);
      const recorded = store.feedback.recordedMoment(saved.id)!;
      expect(recorded).toMatchObject({ id: saved.id, topic: 'Acme', kind: 'volume-spike', direction: 'up', start: T, end: T + 7_200_000, score: 9 });
      expect(store.feedback.recordedMoment(saved.id + 1000)).toBeNull();
      store.feedback.saveLabel(recorded, 'planned', { note: 'the launch', at: T + 20, source: 'cli' });
      expect(store.feedback.verdicts([saved.id])).toEqual(new Map([[saved.id, 'planned']]));
      // watch's r/n replaces it
      store.feedback.saveVerdict({ momentId: saved.id, topic: 'Acme', kind: 'volume-spike', direction: 'up', start: T, verdict: 'noise', score: 9 }, T + 30);
      expect(store.feedback.labels(['Acme'])).toEqual([
        { momentId: saved.id, topic: 'Acme', kind: 'volume-spike', direction: 'up', start: T, end: T + 7_200_000, verdict: 'noise', note: null, at: T + 30, source: 'watch' },
      ]);
      expect(store.feedback.labels(['Other'])).toEqual([]);
      expect(store.feedback.momentCounts(0, T + 1)).toEqual(new Map([['Acme', { moments: 1, alerts: 1 }]]));
      // the same moment grown twice more: still one moment, three alerts
      store.saveMoments([{ topicId, moment: { ...m, alerts: 3, score: 12 } }], T + 50);
      expect(store.feedback.momentCounts(0, T + 1)).toEqual(new Map([['Acme', { moments: 1, alerts: 3 }]]));
      store.feedback.saveLabel(recorded, null, { note: null, at: T + 40, source: 'cli' });
      expect(store.feedback.labels()).toEqual([]);
    });

    it('two connections evaluating at once record a moment once, enqueue each alert once per channel, and lease each delivery to one of them', () => {
      const { store, topicId } = setup();
      const other = backend.reopen(store);
      opened.push(other);
      const m = {
        topic: 'Acme', kind: 'volume-spike' as const, direction: 'up' as const, score: 9, pValue: 1e-9, start: T, peak: T, end: T + 1, bucketMs: 1,
        ongoing: true, stage: 'new' as const, firedAt: T + 1, alerts: 1, alertedAt: T + 1, storySeries: [9], hoursSinceOnset: 1, growth: null, observed: 9, expected: 1, totalStories: 9, totalItems: 9, expectedTotal: 1, sourceTypes: [], sentimentNow: null, sentimentBaseline: null, sentimentItems: 0,
        distinctSources: 1, topSources: [], topTerms: [], examples: [], caveats: [],
      };
      const saved = [store, other].map((s, i) => s.saveMoments([{ topicId, moment: m }], T + 10 + i));
      expect(saved.map((r) => r[0]!.isNew)).toEqual([true, false]);
      const momentId = store.outbox.momentId('Acme', m.kind, m.direction, m.start)!;
      expect(other.outbox.momentId('Acme', m.kind, m.direction, m.start)).toBe(momentId);
      let n = 0;
      const newId = () => `msg_test_${n++}`;
      const row = (channel: string) => ({ momentId, alertNo: 1, channel, route: 0, topic: 'Acme', payload: '{}', eventAt: T, notBefore: T, silenced: false });
      const added = [store, other].map((s) => s.outbox.enqueue([row('desk'), row('pager')], T + 20, newId));
      expect(added.map((a) => a.map((r) => r.channel))).toEqual([['desk', 'pager'], []]);
      expect(added[0]!.map((r) => r.event)).toEqual(['moment.detected', 'moment.detected']);
      // both claim what is due: each delivery goes to one of them
      const takeAll = (pending: { id: string }[]) => ({ send: pending as never[], settle: [] });
      const first = store.outbox.claim(T + 30, 'run-a', T + 90, takeAll);
      const second = other.outbox.claim(T + 31, 'run-b', T + 90, takeAll);
      expect(first.map((r) => r.channel).sort()).toEqual(['desk', 'pager']);
      expect(second).toEqual([]);
      store.outbox.finish(first.map((r) => ({ id: r.id, outcome: 'sent' as const, at: T + 40, httpStatus: 200, error: null })), 'run-a');
      expect(other.outbox.list(0, 10).map((r) => r.status)).toEqual(['sent', 'sent']);
      expect(other.outbox.lastSent(0, 'desk')).toBe(T + 40);
    });

    it('two connections sending the digest of one period: one claims it; a dropped or stale claim gives it back; printed digests do not count', () => {
      const { store } = setup();
      const other = backend.reopen(store);
      opened.push(other);
      const H = 3_600_000;
      const period = { createdAt: T, periodStart: T - 24 * H, periodEnd: T, moments: 2 };
      const mine = store.claimDigest(period, T - H);
      expect(mine).toEqual(expect.any(Number));
      expect(other.claimDigest({ ...period, createdAt: T + 1 }, T + 1 - H)).toBeNull();
      // a claim is not a digest sent (nor one printed) until it is settled as sent
      expect(other.lastDigestEnd(true)).toBeNull();
      expect(other.lastDigestEnd(false)).toBeNull();
      store.settleDigest(mine!, null);
      const again = other.claimDigest({ ...period, createdAt: T + 2 }, T + 2 - H);
      expect(again).toEqual(expect.any(Number));
      other.settleDigest(again!, ['a@example.com']);
      expect(store.lastDigestEnd(true)).toBe(T);
      // the next day's: sent once; a claim left by a run that died holds only until its lease ends
      const next = { createdAt: T + 24 * H, periodStart: T, periodEnd: T + 24 * H, moments: 0 };
      expect(store.claimDigest(next, T + 23 * H)).toEqual(expect.any(Number));
      expect(other.claimDigest(next, T + 23 * H)).toBeNull();
      expect(other.claimDigest({ ...next, createdAt: T + 25 * H }, T + 24 * H)).toEqual(expect.any(Number));
      store.recordDigest({ createdAt: T + 26 * H, periodStart: T, periodEnd: T + 26 * H, sent: false, recipients: [], moments: 0 });
      expect(store.lastDigestEnd(false)).toBe(T + 26 * H);
      expect(store.lastDigestEnd(true)).toBe(T);
    });

    it("two hosts sending one day's digest: one claims the day for its recipients; the other learns when it went; other recipients, a dropped or stale claim, the next day are free", () => {
      const { store } = setup();
      const other = backend.reopen(store);
      opened.push(other);
      const H = 3_600_000;
      const day = { createdAt: T, periodStart: T - 31 * H, periodEnd: T - 7 * H, moments: 2, recipients: ['a@example.com', 'B@example.com'] };
      const mine = store.claimDayDigest(day, T - H);
      expect(mine).toEqual({ id: expect.any(Number) });
      // the other host, a moment later, to the same people in another order and case: being sent
      expect(other.claimDayDigest({ ...day, createdAt: T + 1, recipients: ['b@example.com', 'A@example.com'] }, T + 1 - H)).toEqual({
        taken: { at: T, sending: true, recipients: 'a@example.com, B@example.com' },
      });
      // to someone else: another digest
      const elsewhere = other.claimDayDigest({ ...day, createdAt: T + 2, recipients: ['c@example.com'] }, T + 2 - H);
      expect(elsewhere).toEqual({ id: expect.any(Number) });
      store.settleDigest((mine as { id: number }).id, ['a@example.com', 'B@example.com']);
      expect(other.claimDayDigest({ ...day, createdAt: T + 3 }, T + 3 - H)).toEqual({ taken: { at: T, sending: false, recipients: 'a@example.com, B@example.com' } });
      // a send that failed gives the day back
      other.settleDigest((elsewhere as { id: number }).id, null);
      expect(store.claimDayDigest({ ...day, createdAt: T + 4, recipients: ['c@example.com'] }, T + 4 - H)).toEqual({ id: expect.any(Number) });
      // a claim left by a run that died holds until its lease ends, and never the next day
      const next = { ...day, createdAt: T + 24 * H, periodStart: T - 7 * H, periodEnd: T + 17 * H };
      expect(store.claimDayDigest(next, T + 23 * H)).toEqual({ id: expect.any(Number) });
      expect(other.claimDayDigest({ ...next, createdAt: T + 24 * H + 1 }, T + 23 * H)).toMatchObject({ taken: { sending: true } });
      expect(other.claimDayDigest({ ...next, createdAt: T + 25 * H }, T + 24 * H)).toEqual({ id: expect.any(Number) });
      const after = { ...day, createdAt: T + 48 * H, periodStart: T + 17 * H, periodEnd: T + 41 * H };
      expect(other.claimDayDigest(after, T + 47 * H)).toEqual({ id: expect.any(Number) });
      // the day so far (--day today) of two hosts' crons a minute apart is one digest; a whole day is not that
      const today = { ...day, createdAt: T + 60 * H, periodStart: T + 41 * H, periodEnd: T + 60 * H };
      expect(store.claimDayDigest(today, T + 59 * H, [today.periodEnd - 120_000, today.periodEnd + 120_000])).toEqual({ id: expect.any(Number) });
      expect(other.claimDayDigest({ ...today, periodEnd: today.periodEnd + 60_000 }, T + 59 * H, [today.periodEnd - 60_000, today.periodEnd + 180_000])).toMatchObject({ taken: { sending: true } });
      expect(other.claimDayDigest({ ...today, periodEnd: T + 65 * H }, T + 59 * H, [T + 65 * H, T + 65 * H])).toEqual({ id: expect.any(Number) });
      // printed and --since last digests keep their meaning: a day's claim is not a digest sent until settled
      expect(store.lastDigestEnd(true)).toBe(T - 7 * H);
    });

    describe('replayed stories', () => {
      const HOUR = 3_600_000;
      const REPLAY = { windowMs: 48 * HOUR, memoryMs: 30 * 24 * HOUR };
      const replayer: StoryReplayer = (known) => new ReplayStream(known, { memoryMs: REPLAY.memoryMs });
      const title = 'Acme Robotics recalls 50,000 Glide robot vacuums';

      it('settles stories saved in arrival order into canonical ones: first copy, story_topics and quarter-hour counts', () => {
        const { store, sql, save, feedA, feedB, topicId } = setup();
        // the later copy arrives first; saved without clustering, each copy is a story of its own
        save(feedB, [item('late', { title: `${title} - Daily Ledger`, publishedAt: T, sentiment: -0.5 })]);
        save(feedA, [item('early', { title, publishedAt: T - 2 * HOUR, sentiment: 0.25 })]);
        expect(sql.prepare('SELECT replay_from FROM story_state').pluck().get()).toBe(T - 2 * HOUR);
        expect(store.bucketCounts(topicId, 0, T + 1, HOUR).reduce((n, b) => n + b.count, 0)).toBe(2);

        const summary = store.replayStories(replayer, REPLAY);
        expect(summary).toMatchObject({ from: T - 2 * HOUR, items: 2, moved: 1, storiesCreated: 0, storiesDropped: 1, firstsChanged: 1 });
        expect(sql.prepare('SELECT replay_from, generation FROM story_state').get()).toEqual({ replay_from: null, generation: 1 });
        const stories = sql.prepare('SELECT id, title, first_at AS firstAt, last_at AS lastAt FROM stories').all() as { id: number }[];
        expect(stories).toEqual([{ id: stories[0]!.id, title, firstAt: T - 2 * HOUR, lastAt: T }]);
        expect(new Set(store.itemsBetween(topicId, 0, T + 1).map((i) => i.storyId))).toEqual(new Set([stories[0]!.id]));
        expect(sql.prepare('SELECT story_id, topic_id, first_at FROM story_topics').raw().all()).toEqual([[stories[0]!.id, topicId, T - 2 * HOUR]]);
        expect(store.bucketCounts(topicId, 0, T + 1, HOUR).reduce((n, b) => n + b.count, 0)).toBe(1);
        // the early copy's tone is the story's
        expect(store.bucketCounts(topicId, T - 2 * HOUR, T + HOUR, HOUR)).toEqual([
          { start: T - 2 * HOUR, count: 1, items: 1, scored: 1, sentimentSum: 0.25, sentimentSumSq: 0.0625 },
          { start: T, count: 0, items: 1, scored: 0, sentimentSum: 0, sentimentSumSq: 0 },
        ]);
        expect(backend.danglingReferences(sql)).toEqual([]);
        // nothing new: nothing to do
        expect(store.replayStories(replayer, REPLAY)).toBeNull();
      });

      it('tells a story assigner the generation in each save, so it reloads once another fetch has replayed', () => {
        const { store, feedA, topicId } = setup();
        const seen: number[] = [];
        const assigner = { ...NO_STORIES, sync: (g: number) => void seen.push(g) };
        const save = (guid: string) =>
          store.saveFetch({ feedId: feedA, startedAt: T, durationMs: 1, status: 'ok', httpStatus: 200, bytes: 1, error: null, items: [item(guid)] }, new Map([['Acme', topicId]]), assigner);
        save('1');
        store.replayStories(replayer, REPLAY);
        save('2');
        save('2'); // nothing new: nothing to assign
        expect(seen).toEqual([0, 1]);
      });
    });
  });
}
