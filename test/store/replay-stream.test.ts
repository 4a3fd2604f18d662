import { describe, expect, it } from 'vitest';
import type { EnrichedItem } from '../../src/core/types.js';
import { ReplayStream, replayStories } from '../../src/enrich/stories.js';
import { canonicalOrder, Store, type StoryReplayer } from '../../src/store/store.js';
import type { StoryBatches } from '../../src/store/model.js';
import { inThisThread } from '../../src/store/sqlite/stories.js';
import { rng } from '../helpers/rng.js';
import { tempDir } from '../helpers/tmp.js';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/cli.js';

// The story replay streams the items through a window (issue 15): it reads them in passes and batches and
// settles each new story once the items are past its life. Over items spanning more than the replay's
// memory (30 days) and the story window, with copies published at the same instant (ties split across
// batches), it must give what one pass over all the items at once gives, whatever the read sizes.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 6, 1);
const DAYS = 100;
const REPLAY = { windowMs: 48 * HOUR, memoryMs: 30 * DAY };
const replayer: StoryReplayer = (known) => new ReplayStream(known, { memoryMs: REPLAY.memoryMs });

const SUBJECTS = ['Acme Robotics', 'Northwind Airlines', 'Globex Energy', 'Initech Bank', 'Umbrella Pharma', 'Hooli Search', 'Stark Motors', 'Wayne Shipping'];
const EVENTS = ['recalls Glide vacuums over battery fires', 'cuts 4,000 jobs in restructuring', 'wins regulator approval for merger', 'shares fall after profit warning', 'names new chief executive'];
const FEEDS = ['https://a.example/rss', 'https://b.example/rss', 'https://c.example/rss'];

/** Every ~9 hours an event about a subject, copied by the feeds over the next two to four days (some at the same minute), rewritten now and then. */
function items(from: number, to: number, seed: number): { feed: number; item: EnrichedItem }[] {
  const rnd = rng(seed);
  const out: { feed: number; item: EnrichedItem }[] = [];
  let n = 0;
  for (let t = from; t < to; t += Math.floor(9 * HOUR * (0.5 + rnd()))) {
    const subject = SUBJECTS[Math.floor(rnd() * SUBJECTS.length)]!;
    const event = EVENTS[Math.floor(rnd() * EVENTS.length)]!;
    const copies = 2 + Math.floor(rnd() * 6);
    const span = (2 + rnd() * 2) * DAY;
    for (let c = 0; c < copies; c++) {
      const at = c === 0 ? t : t + Math.floor((rnd() * span) / (30 * 60_000)) * 30 * 60_000; // half hours: ties
      const title = c % 3 === 2 ? `${subject} ${event}, sources say` : c % 3 === 1 ? `${subject} ${event} - Daily Ledger` : `${subject} ${event}`;
      const guid = `g${seed}-${n++}`;
      out.push({
        feed: Math.floor(rnd() * FEEDS.length),
        item: {
          guid,
          title,
          summary: '',
          link: `https://news.example/${guid}`,
          canonicalUrl: rnd() < 0.1 && out.length > 0 ? out[out.length - 1]!.item.canonicalUrl : `https://news.example/${guid}`,
          author: null,
          source: 'News',
          sourceDomain: 'news.example',
          publishedAt: at,
          dateEstimated: false,
          sentiment: Math.round((rnd() - 0.5) * 100) / 100,
          language: 'en',
          topics: subject.startsWith('Acme') || subject.startsWith('Northwind') ? ['Acme'] : [],
        },
      });
    }
  }
  return out;
}

/**
 * A store with the items saved (each its own provisional story), in two fetches: the second adds items in
 * the middle of the first's. `built`: the store and replayer of the built code instead (with the story
 * replay's worker thread, which exists only there).
 */
function build(read?: { pass?: number; batch?: number }, built?: { Store: typeof Store; replayer: StoryReplayer }) {
  const store = (built?.Store ?? Store).open(path.join(tempDir(), 'm.db'));
  const [topic] = store.syncTopics([{ name: 'Acme', definition: 'd1' }]);
  const topicIds = new Map([['Acme', topic!.id]]);
  const feeds = store.ensureFeeds(FEEDS, START);
  const fetch = (list: { feed: number; item: EnrichedItem }[], at: number) => {
    for (let f = 0; f < FEEDS.length; f++) {
      const mine = list.filter((x) => x.feed === f).map((x) => x.item);
      store.saveFetch({ feedId: feeds[f]!.id, startedAt: at, durationMs: 5, status: 'ok', httpStatus: 200, bytes: 100, error: null, items: mine }, topicIds);
    }
    return store.replayStories(built?.replayer ?? replayer, { ...REPLAY, ...(read ? { read } : {}) });
  };
  const first = fetch(items(START, START + DAYS * DAY, 1), START + DAYS * DAY);
  const second = fetch(items(START + 60 * DAY, START + 64 * DAY, 2), START + DAYS * DAY + HOUR);
  return { store, first, second };
}

/** Stories as groups of item guids (with their span, title and the story they follow up), first copies, story_topics and quarter-hour counts. */
function snapshot(store: Store) {
  const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
  const guid = new Map(db.prepare('SELECT id, guid FROM items').raw().all() as [number, string][]);
  const members = new Map<number, string[]>();
  for (const [id, story] of db.prepare('SELECT id, story_id FROM items').raw().all() as [number, number][]) members.set(story, [...(members.get(story) ?? []), guid.get(id)!]);
  const stories = new Map(
    (db.prepare('SELECT id, title, first_at, last_at, follows_id FROM stories').raw().all() as [number, string, number, number, number | null][]).map(([id, ...rest]) => [id, rest]),
  );
  const name = (id: number | null): string => (id === null ? '-' : `[${members.get(id)?.sort().join(' ')}]`);
  return {
    stories: [...stories].map(([id, [title, first, last, follows]]) => `${name(id)} ${title} ${first} ${last} follows ${name(follows)}`).sort(),
    storyTopics: (db.prepare('SELECT story_id, topic_id, first_at FROM story_topics').raw().all() as [number, number, number][]).map(([s, t, at]) => `${name(s)} ${t} ${at}`).sort(),
    firsts: (db.prepare('SELECT item_id, story_first FROM item_topics').raw().all() as [number, number][]).map(([i, f]) => `${guid.get(i)} ${f}`).sort(),
    quarters: db.prepare('SELECT topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE items > 0 ORDER BY 1, 2').raw().all(),
    empty: db.prepare('SELECT count(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.story_id = s.id)').pluck().get(),
  };
}

describe('the story replay, streamed through a window', () => {
  it('over 100 days of items (more than its memory), read 37 at a time in batches of 11, gives what one pass over all of them gives', () => {
    const small = build({ pass: 37, batch: 11 });
    expect(small.first!.items).toBeGreaterThan(500);
    expect(small.second!.items).toBeGreaterThan(small.first!.items / 3); // from day 60 on, with the stories before as known ones
    const db = (small.store as unknown as { db: import('better-sqlite3').Database }).db;
    // one pass over every item in canonical order, all at once
    const rows = db
      .prepare('SELECT i.id, i.title, i.published_at AS publishedAt, i.canonical_url AS url, i.guid, f.url AS feedUrl, i.story_id AS story FROM items i JOIN feeds f ON f.id = i.feed_id')
      .all() as { id: number; title: string; publishedAt: number; url: string | null; guid: string; feedUrl: string; story: number }[];
    rows.sort(canonicalOrder);
    expect(rows[rows.length - 1]!.publishedAt - rows[0]!.publishedAt).toBeGreaterThan(90 * DAY);
    expect(new Set(rows.map((r) => r.publishedAt)).size).toBeLessThan(rows.length); // ties
    const pass = replayStories([], rows.map((r) => ({ key: String(r.id), title: r.title, sourceKey: '', publishedAt: r.publishedAt, url: r.url })), { memoryMs: REPLAY.memoryMs });
    const founderOf = (k: number) => rows[pass.founders[k]!]!.id;
    const storyOfFounder = new Map<number, number>(); // an item that founded a story in the pass → the stored story it is in
    rows.forEach((r, i) => {
      const k = -pass.story[i]! - 1;
      const founder = founderOf(k);
      if (!storyOfFounder.has(founder)) storyOfFounder.set(founder, r.story);
      expect(r.story, `item ${r.guid} (${r.title})`).toBe(storyOfFounder.get(founder));
    });
    expect(new Set(storyOfFounder.values()).size).toBe(pass.founders.length);
    expect(pass.founders.length).toBeGreaterThan(50);
    // follow-ups as well
    const follows = new Map(db.prepare('SELECT id, follows_id FROM stories').raw().all() as [number, number | null][]);
    const followed = pass.followUps.filter((f) => f !== null).length;
    expect(followed).toBeGreaterThan(0);
    pass.followUps.forEach((f, k) => {
      const story = storyOfFounder.get(founderOf(k))!;
      expect(follows.get(story)).toBe(f === null ? null : storyOfFounder.get(founderOf(-f - 1)));
    });
    // and the default read sizes (all in one batch here) store exactly the same
    const whole = build();
    expect(snapshot(small.store)).toEqual(snapshot(whole.store));
    expect(snapshot(small.store).empty).toBe(0);
    expect({ ...small.second, storiesCreated: 0, storiesDropped: 0 }).toEqual({ ...whole.second, storiesCreated: 0, storiesDropped: 0 });
  });
});

describe("the story replay's clustering in a worker thread", () => {
  it('writes what it holds while it waits for the thread, and stores the same', () => {
    // a thread that is never done before it is waited for: the replay's wait is all of its time
    let pieces = 0;
    const slow: StoryReplayer = Object.assign((known: Parameters<StoryReplayer>[0]) => replayer(known), {
      threaded: (known: Parameters<StoryReplayer>[0]): StoryBatches => {
        const inline = inThisThread(replayer(known));
        return {
          ...inline,
          receive(meanwhile) {
            while (meanwhile?.()) pieces++;
            return inline.receive();
          },
        };
      },
    });
    const inline = build({ batch: 50 });
    const other = build({ batch: 50 }, { Store, replayer: slow });
    expect(snapshot(other.store)).toEqual(snapshot(inline.store));
    expect(other.first).toEqual(inline.first);
    expect(other.second).toEqual(inline.second);
    // (each fetch's replay: its held writes in key order, then written)
    expect(pieces).toBeGreaterThanOrEqual(4);
  });

  // the built code (npm test builds it first): from the TypeScript sources there is no worker file
  const load = async () => ({
    Store: ((await import(pathToFileURL(path.join(ROOT, 'dist/store/store.js')).href)) as typeof import('../../src/store/store.js')).Store,
    storyAssigner: ((await import(pathToFileURL(path.join(ROOT, 'dist/ingest/stories.js')).href)) as typeof import('../../src/ingest/stories.js')).storyAssigner,
  });

  it('stores exactly what the replay in one thread stores, batch after batch (read 37 at a time in batches of 11)', async () => {
    const { Store: BuiltStore, storyAssigner } = await load();
    const threaded = storyAssigner({ minItems: 1 }).replay;
    // (a worker there is, on two cores or more)
    const probe = threaded.threaded!([], 1000);
    if (availableParallelism() >= 2) expect(probe).not.toBeNull();
    probe?.close();
    const inline = build({ pass: 37, batch: 11 });
    const other = build({ pass: 37, batch: 11 }, { Store: BuiltStore, replayer: threaded });
    expect(snapshot(other.store)).toEqual(snapshot(inline.store));
    expect(other.first).toEqual(inline.first);
    expect(other.second).toEqual(inline.second);
    expect(other.first!.items).toBeGreaterThan(500);
  }, 60_000);

  it('clusters in a thread started before the replay (its known stories sent to it then), storing the same; one not taken ends', async () => {
    const { Store: BuiltStore, storyAssigner } = await load();
    const assigner = storyAssigner({ minItems: 1 });
    const threaded = assigner.replay.threaded!;
    // each replay takes a thread started before it asks for one (the second with the first's stories known)
    let ahead = 0;
    let failed = 0;
    const replayer = Object.assign((known: Parameters<StoryReplayer>[0]) => assigner.replay(known), {
      threaded: (known: Parameters<StoryReplayer>[0], items: number) => {
        if (assigner.startThread(items)) ahead++;
        const thread = threaded(known, items);
        return (
          thread && {
            ...thread,
            receive: (meanwhile?: () => boolean) => {
              try {
                return thread.receive(meanwhile);
              } catch (err) {
                failed++;
                throw err;
              }
            },
          }
        );
      },
    });
    const inline = build({ pass: 37, batch: 11 });
    const other = build({ pass: 37, batch: 11 }, { Store: BuiltStore, replayer });
    expect(snapshot(other.store)).toEqual(snapshot(inline.store));
    expect(other.second).toEqual(inline.second);
    if (availableParallelism() < 2) return;
    expect([ahead, failed]).toEqual([2, 0]);
    // one started and never taken is ended by its owner
    const unused = assigner.startThread(1)!;
    const exited = new Promise((resolve) => unused.worker.once('exit', resolve));
    assigner.endThread();
    await expect(exited).resolves.toBe(0);
  }, 60_000);

  it('whose thread dies (a heap too small to load in) is run again in this thread, with the same result', async () => {
    const { Store: BuiltStore, storyAssigner } = await load();
    const dying = storyAssigner({ minItems: 1, stallMs: 1000, heap: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } }).replay;
    const inline = build({ batch: 500 });
    const other = build({ batch: 500 }, { Store: BuiltStore, replayer: dying });
    expect(snapshot(other.store)).toEqual(snapshot(inline.store));
    expect(other.second).toEqual(inline.second);
  }, 60_000);
});
