import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingest } from '../../src/ingest/run.js';
import { parseConfigText } from '../../src/config/load.js';
import { replayStories } from '../../src/enrich/stories.js';
import { SqliteStore, Store, canonicalOrder } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

// Stories are a function of the stored items, not of how they came in (issue 11): the bundled sample
// fetched in one go, or in two fetches (the first seeing only part of the feeds, or only their older
// items, as an hourly cron job would), or after a fetch that died between its saves and its replay,
// ends in the same stories, first copies and quarter-hour counts; and those are what one pass over all the
// items in canonical order makes of them.

const SAMPLE = path.join(import.meta.dirname, '../../fixtures/sample');
const NOW = Date.parse('2026-11-20T12:00:00Z');
const FEEDS = ['acme-news.rss.xml', 'acme-reddit.atom.xml', 'northwind-news.rss.xml', 'northwind-reddit.atom.xml', 'globex-news.rss.xml', 'initech-news.rss.xml', 'techwire.rss.xml'];
const sampleYaml = readFileSync(path.join(SAMPLE, 'momentscan.yaml'), 'utf8');

/** The sample's feeds as they looked at `asOf` (items published before it; null: all of them); feeds not in `only` empty. */
function writeFeeds(dir: string, asOf: number | null, only: string[] = FEEDS): void {
  mkdirSync(path.join(dir, 'feeds'), { recursive: true });
  for (const file of FEEDS) {
    const xml = readFileSync(path.join(SAMPLE, 'feeds', file), 'utf8');
    const kept = xml.replace(/<(item|entry)>[\s\S]*?<\/\1>\s*/g, (block) => {
      if (!only.includes(file)) return '';
      if (asOf === null) return block;
      const date = /<(?:pubDate|published)>([^<]+)</.exec(block);
      return date && Date.parse(date[1]!) < asOf ? block : '';
    });
    writeFileSync(path.join(dir, 'feeds', file), kept);
  }
}

function open(dir: string) {
  const config = parseConfigText(`${sampleYaml}\nfetch: { retries: 0 }\n`, path.join(dir, 'momentscan.yaml'));
  const store = Store.open(path.join(dir, 'm.db'));
  return { store, fetch: () => ingest(config, store, { now: () => NOW, concurrency: 4 }) };
}

/** Stories, first copies and quarter-hour counts, keyed by what identifies them in any database (not row ids). */
function snapshot(store: SqliteStore) {
  const db = store.db;
  const items = db
    .prepare(`SELECT i.id, i.story_id AS story, coalesce(i.canonical_url, substr(f.url, instr(f.url, 'feeds/')) || ' ' || i.guid) AS key FROM items i JOIN feeds f ON f.id = i.feed_id`)
    .all() as { id: number; story: number; key: string }[];
  const stories = new Map(
    (db.prepare('SELECT id, signature, title, first_at AS firstAt, last_at AS lastAt FROM stories').all() as { id: number; signature: string; title: string; firstAt: number; lastAt: number }[]).map(
      (s) => [s.id, `${s.firstAt} ${s.lastAt} ${s.signature} | ${s.title}`],
    ),
  );
  const keyOf = new Map(items.map((i) => [i.id, i.key]));
  const members = new Map<number, string[]>();
  for (const i of items) members.set(i.story, [...(members.get(i.story) ?? []), i.key]);
  const storyName = (id: number) => `${stories.get(id)} [${members.get(id)!.sort().join(' ')}]`;
  const storyTopics = (db.prepare('SELECT story_id AS story, topic_id AS topic, first_at AS firstAt FROM story_topics').all() as { story: number; topic: number; firstAt: number }[])
    .map((r) => `${storyName(r.story)} ${r.topic} ${r.firstAt}`)
    .sort();
  const firsts = (db.prepare('SELECT topic_id AS topic, item_id AS item, story_first AS first FROM item_topics').all() as { topic: number; item: number; first: number }[])
    .map((r) => `${r.topic} ${keyOf.get(r.item)} ${r.first}`)
    .sort();
  const hours = db.prepare('SELECT topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE items > 0 ORDER BY 1, 2').raw().all();
  const pending = db.prepare('SELECT replay_from FROM story_state').pluck().get();
  return { stories: [...members.keys()].map(storyName).sort(), storyTopics, firsts, hours, pending, items: items.length };
}

describe('stories are a function of the items (replayed in canonical order at the end of each fetch)', () => {
  let single: string;
  let once: ReturnType<typeof open>;
  let reference: ReturnType<typeof snapshot>;
  beforeAll(async () => {
    single = mkdtempSync(path.join(os.tmpdir(), 'momentscan-test-'));
    writeFeeds(single, null);
    once = open(single);
    await once.fetch();
    reference = snapshot(once.store);
  });
  afterAll(() => {
    once?.store.close();
    if (single) rmSync(single, { recursive: true, force: true });
  });

  it('one fetch: every story is what one pass over all items in canonical order makes of it', () => {
    const ref = reference;
    expect(ref.items).toBe(1904);
    expect(ref.pending).toBeNull();
    const rows = once.store.db
      .prepare(
        `SELECT i.id, i.title, i.published_at AS publishedAt, i.canonical_url AS url, i.guid, f.url AS feedUrl, i.story_id AS story
         FROM items i JOIN feeds f ON f.id = i.feed_id`,
      )
      .all() as { id: number; title: string; publishedAt: number; url: string | null; guid: string; feedUrl: string; story: number }[];
    rows.sort(canonicalOrder);
    const pass = replayStories([], rows.map((r) => ({ key: String(r.id), title: r.title, sourceKey: '', publishedAt: r.publishedAt })), { memoryMs: 30 * 86_400_000 });
    const founder = (i: number) => rows[pass.founders[-pass.story[i]! - 1]!]!.id;
    const stored = new Map<number, number>(); // stored story → its first item in the pass
    rows.forEach((r, i) => {
      if (!stored.has(r.story)) stored.set(r.story, founder(i));
      expect(founder(i), `item ${r.id} (${r.title})`).toBe(stored.get(r.story));
    });
    expect(new Set(stored.values()).size).toBe(stored.size);
    // topic_quarters is what the matches add up to
    const counts = once.store.db
      .prepare(
        `SELECT topic_id, (published_at / 900000) * 900000 AS slot, total(story_first), count(*), total(story_first AND sentiment IS NOT NULL)
         FROM item_topics GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .raw()
      .all();
    expect(ref.hours.map((h) => (h as number[]).slice(0, 5))).toEqual(counts);
  });

  it.each([
    ['the first fetch saw the Acme and wire feeds only', { asOf: null, only: ['acme-news.rss.xml', 'acme-reddit.atom.xml', 'techwire.rss.xml'] }],
    ['the first fetch saw the feeds as they were on 2026-11-18 13:00 (inside the Acme spike)', { asOf: Date.parse('2026-11-18T13:00:00Z'), only: FEEDS }],
    ['the first fetch saw the Northwind and Globex feeds as they were on 2026-11-10', { asOf: Date.parse('2026-11-10T00:00:00Z'), only: ['northwind-news.rss.xml', 'northwind-reddit.atom.xml', 'globex-news.rss.xml'] }],
  ])('two fetches end where one does: %s', async (_what, first) => {
    const dir = tempDir();
    const { store, fetch } = open(dir);
    writeFeeds(dir, first.asOf, first.only);
    await fetch();
    const between = snapshot(store);
    expect(between.items).toBeGreaterThan(0);
    expect(between.items).toBeLessThan(1904);
    writeFeeds(dir, null);
    await fetch();
    expect(snapshot(store)).toEqual(reference);
  });

  /**
   * What a crash between the saves and the replay leaves: provisional stories, and where to replay from. Here,
   * a first fetch (with its replay), then the saves of a second one of `feeds`, arrival order and all, without its replay.
   */
  async function crashedBeforeReplay(feeds: string[]) {
    const dir = tempDir();
    const { store, fetch } = open(dir);
    writeFeeds(dir, Date.parse('2026-11-18T20:00:00Z'), ['acme-reddit.atom.xml', 'techwire.rss.xml', 'globex-news.rss.xml']);
    await fetch();
    const replay = vi.spyOn(SqliteStore.prototype, 'replayStories').mockImplementation(() => null);
    writeFeeds(dir, null, feeds);
    const second = await fetch();
    replay.mockRestore();
    expect(snapshot(store).pending).not.toBeNull();
    return { dir, store, fetch, second };
  }

  it('a fetch that died after its saves and before its replay is made good by the next one', async () => {
    const { dir, store, fetch, second } = await crashedBeforeReplay(['acme-news.rss.xml', 'acme-reddit.atom.xml', 'techwire.rss.xml', 'globex-news.rss.xml']);
    // Until then a fetch's new items have no story: each counts as a story of its own in every topic it
    // matches (volume reads more stories than the replay will leave), and the quarter-hour counts add up.
    const fresh = second.feeds.reduce((n, f) => n + f.itemsNew, 0);
    expect(fresh).toBeGreaterThan(100);
    const db = store.db;
    expect(db.prepare('SELECT count(*) FROM items WHERE story_id IS NULL').pluck().get()).toBe(fresh);
    expect(db.prepare('SELECT count(*) FROM item_topics m JOIN items i ON i.id = m.item_id WHERE i.story_id IS NULL AND m.story_first = 0').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM item_topics m JOIN items i ON i.id = m.item_id WHERE i.story_id IS NULL').pluck().get()).toBeGreaterThan(50);
    const added = db.prepare('SELECT topic_id, (published_at / 900000) * 900000, total(story_first), count(*) FROM item_topics GROUP BY 1, 2 ORDER BY 1, 2').raw().all();
    expect(db.prepare('SELECT topic_id, slot, stories, items FROM topic_quarters WHERE items > 0 ORDER BY 1, 2').raw().all()).toEqual(added);
    writeFeeds(dir, null);
    await fetch();
    expect(snapshot(store)).toEqual(reference);
  });

  it('a replay a crash left pending is done by the next fetch even when it reads no feed', async () => {
    const { store, fetch } = await crashedBeforeReplay(FEEDS);
    expect(store.replayPending()).toBe(true);
    // every feed retired (410 Gone): the next fetch skips them all, and loads no parser; the replay still runs
    store.db.prepare('UPDATE feeds SET retired_at = ?').run(NOW);
    const third = await fetch();
    expect(third.feeds.map((f) => f.status)).toEqual(FEEDS.map(() => 'skipped'));
    expect(store.replayPending()).toBe(false);
    expect(snapshot(store)).toEqual(reference);
  });

  it('a replay that fails changes nothing (one transaction) and is done by the next fetch', async () => {
    const dir = tempDir();
    const { store, fetch } = open(dir);
    writeFeeds(dir, null, ['acme-news.rss.xml', 'acme-reddit.atom.xml']);
    await fetch();
    writeFeeds(dir, null);
    // A replay that fails at its very last write (a disk error, say), with the rest written by then.
    store.db.exec(`CREATE TEMP TRIGGER fail BEFORE UPDATE ON story_state WHEN NEW.replay_from IS NULL BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    let during: ReturnType<typeof snapshot> | undefined;
    const real = SqliteStore.prototype.replayStories;
    const replay = vi.spyOn(SqliteStore.prototype, 'replayStories').mockImplementation(function (this: SqliteStore, replayer, o) {
      return real.call(
        this,
        (known) => {
          during = snapshot(this); // what the saves left, before the replay writes anything
          return replayer(known);
        },
        o,
      );
    });
    await expect(fetch()).rejects.toThrow(/disk on fire/);
    replay.mockRestore();
    store.db.exec('DROP TRIGGER fail');
    const after = snapshot(store);
    expect(after.items).toBe(1904); // every feed was saved before
    expect(after.pending).not.toBeNull();
    expect(after).toEqual(during);
    expect(after).not.toEqual({ ...reference, pending: after.pending }); // the replay had work to do
    await fetch();
    expect(snapshot(store)).toEqual(reference);
  });
});
