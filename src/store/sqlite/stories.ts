/** Stories: the index near-duplicates are matched against, and the replay that makes them independent of arrival order. */
import { withSmallHeap } from '../../core/heap.js';
import type { StoryStore } from '../api.js';
import { QUARTER_MS } from '../db.js';
import {
  canonicalOrder,
  StoryThreadError,
  type ReplayItem,
  type ReplayOptions,
  type ReplaySummary,
  type SlotCounts,
  type StoryBatch,
  type StoryBatches,
  type StoryReplayer,
  type StoryRow,
  type StoryStream,
} from '../model.js';
import { SqlitePart } from './part.js';

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

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Item ids a replay reads in one pass (each pass reads the items table's fetched range once). */
const REPLAY_PASS_ITEMS = 200_000;
/** Rows read by id in one statement. */
const ROWS_BY_ID = 500;
/** Items the replay sorts and takes at once. */
const REPLAY_BATCH = 5_000;
/**
 * The replay's item moves and first-copy flags held at most (~8–16 MB), to be written in key order: all of
 * the bench's 100,000 items (84,115 moves, 57,105 flags) at once. Written as found, or sorted 20,000 at a
 * time, every page of the items table was read and written again several times (more pages than the cache).
 */
const WRITES_HELD = 250_000;
/**
 * The held writes are written while the replay waits for its clustering's thread once this share of the
 * items it expects is booked, IDLE_ROWS at a time (~5 ms): one pass in key order, its pages each written
 * once more than when all are written at the end. The bench's cold fetch: the pass (~120,000 of its
 * ~171,000 writes) is written while the thread clusters the last quarter of the items.
 */
const IDLE_WRITES_FROM = 0.7;
const IDLE_ROWS = 2_000;

export class SqliteStories extends SqlitePart implements StoryStore {
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

  replayPending(): boolean {
    return this.guard(() => this.stmt('SELECT replay_from FROM story_state').pluck().get() != null);
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
  replayStories(replay: StoryReplayer, o: ReplayOptions): ReplaySummary | null {
    // Deleting a story makes SQLite look for items still in it, and items.story_id has no index (it would
    // cost every insert): a scan of every item per story dropped, minutes for a big first fetch. The
    // stories dropped here have no items by construction (every item of theirs was replayed and moved),
    // so foreign keys are off for this transaction. (A no-op inside an outer transaction: then it scans.)
    const enforced = this.db.pragma('foreign_keys', { simple: true }) === 1;
    if (enforced && !this.db.inTransaction) this.db.pragma('foreign_keys = OFF');
    try {
      // it makes a lot of garbage: a heap kept small (core/heap.ts) keeps the peak near what it holds
      return withSmallHeap(() => {
        try {
          return this.replayInTransaction(replay, o, true);
        } catch (err) {
          // the clustering's thread failed: its transaction is rolled back, and the replay runs again here
          if (!(err instanceof StoryThreadError)) throw err;
          return this.replayInTransaction(replay, o, false);
        }
      });
    } finally {
      if (enforced && !this.db.inTransaction) this.db.pragma('foreign_keys = ON');
    }
  }

  /**
   * replayStories, heard between its batches: the event loop turns after each (a signal's listener runs there,
   * where the synchronous replay left no moment for one), and once `signal` is aborted the replay's transaction
   * is rolled back and 'interrupted' returned: its items are replayed by the next fetch, as when the signal came
   * before it. On PostgreSQL too: PgDb.exec takes BEGIN IMMEDIATE, COMMIT and ROLLBACK as SQLite does.
   */
  async replayStoriesHeard(replay: StoryReplayer, o: ReplayOptions, signal: AbortSignal): Promise<ReplaySummary | null | 'interrupted'> {
    const enforced = this.db.pragma('foreign_keys', { simple: true }) === 1;
    if (enforced && !this.db.inTransaction) this.db.pragma('foreign_keys = OFF');
    try {
      try {
        return await this.replayHeard(replay, o, true, signal);
      } catch (err) {
        // the clustering's thread failed: its transaction is rolled back, and the replay runs again here
        if (!(err instanceof StoryThreadError)) throw err;
        return await this.replayHeard(replay, o, false, signal);
      }
    } finally {
      if (enforced && !this.db.inTransaction) this.db.pragma('foreign_keys = ON');
    }
  }

  private async replayHeard(replay: StoryReplayer, o: ReplayOptions, threads: boolean, signal: AbortSignal): Promise<ReplaySummary | null | 'interrupted'> {
    const steps = this.replaySteps(replay, o, threads);
    this.guard(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      for (;;) {
        // (each batch with a small heap, as replayStories runs all of them: core/heap.ts)
        const step = this.guard(() => withSmallHeap(() => steps.next()));
        if (step.done) {
          this.guard(() => this.db.exec('COMMIT'));
          return step.value;
        }
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) {
          steps.return(null);
          this.guard(() => this.db.exec('ROLLBACK'));
          return 'interrupted';
        }
      }
    } catch (err) {
      steps.return(null);
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private replayInTransaction(replay: StoryReplayer, o: ReplayOptions, threads: boolean): ReplaySummary | null {
    return this.guard(() =>
      this.db
        .transaction((): ReplaySummary | null => {
          const steps = this.replaySteps(replay, o, threads);
          for (;;) {
            const step = steps.next();
            if (step.done) return step.value;
          }
        })
        .immediate(),
    );
  }

  /**
   * The replay's work, in a transaction its caller holds: it pauses (yields) after each batch of items it
   * books, so that replayHeard can let a signal be heard there.
   */
  private *replaySteps(replay: StoryReplayer, o: ReplayOptions, threads: boolean): Generator<void, ReplaySummary | null> {
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
    // The items from `from` on, streamed through the replay in canonical order (readItems): what is held
    // at once is the stories of a window of time, never every item. A new story is settled (its id,
    // row, items and story_topics written) once the items are past its life, when no item can join it.
    // The clustering: in another thread when the replay is big enough for that to pay (its matching then
    // overlaps this thread's reading and writing: `take` sends a batch, and books the one before it),
    // as the first pass of item ids tells (start() is called with its size).
    let clustering: StoryBatches | null = null;
    // (the first call is with the first pass's count of items: what the replay expects to book, or its first 200,000)
    let expected = 0;
    const start = (items: number): StoryBatches => {
      if (clustering === null) expected = items;
      return (clustering ??= (threads && items > 0 ? replay.threaded?.(known, items) : null) ?? inThisThread(replay(known)));
    };
    const maxId = (this.stmt('SELECT coalesce(max(id), 0) FROM stories').pluck().get() as number) ?? 0;
    // which stored stories from `from` on a new one has taken over (one bit per story id)
    const claimed = new Uint8Array((maxId >> 3) + 1);
    const isClaimed = (id: number): boolean => id <= maxId && (claimed[id >> 3]! & (1 << (id & 7))) !== 0;
    const replayedRow = this.stmt('SELECT signature, title, first_at AS firstAt, last_at AS lastAt FROM stories WHERE id = ? AND first_at >= ? AND last_at >= ?');
    const topicsOf = this.stmt('SELECT topic_id, first_at FROM story_topics WHERE story_id = ?').raw();
    const insertStory = this.stmt('INSERT INTO stories (signature, title, first_at, last_at) VALUES (?, ?, ?, ?)');
    const putTopic = 'INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT (story_id, topic_id) DO UPDATE SET first_at = excluded.first_at';

    /** A known story the replay reached: which topics it counted (before `from`, then from the replay), when it first matched each. */
    interface KnownState { counted: Set<number>; firstIn: Map<number, number>; stored: [number, number][] }
    const knownState = new Map<number, KnownState>();
    const stateOf = (id: number): KnownState => {
      let st = knownState.get(id);
      if (!st) {
        const stored = topicsOf.all(id) as [number, number][];
        st = { counted: new Set(stored.filter(([, at]) => at < from).map(([t]) => t)), firstIn: new Map(), stored };
        knownState.set(id, st);
      }
      return st;
    };
    const knownLast = new Map<number, number>();

    /** A story founded by the replay: open (items may still join it) until settled (id ≠ 0). */
    interface NewStory {
      title: string;
      signature: string;
      /** The id of the story it follows up, if any. */
      followUp: number | null;
      firstAt: number;
      lastAt: number;
      id: number;
      /** Per stored story, how many of its items are in this one (the one it takes over). */
      votes: Map<number, number> | null;
      /** Its items: id and stored story id (0: none), in pairs. */
      items: number[] | null;
      counted: Set<number> | null;
      firstIn: Map<number, number> | null;
    }
    const stories = new Map<number, NewStory>(); // k → story, while it can be joined or followed up
    const open: NewStory[] = []; // not settled yet, in founding order
    let openHead = 0;
    let founded = 0;
    let created = 0;
    let moved = 0;
    let replayedItems = 0;

    // The items' new stories and the matches' first-copy flags, held and written in the order of their
    // keys rather than as found (canonical order: all over the tables' pages), WRITES_HELD at a time and
    // at the end. Nothing reads them back in this transaction: readItems reads an item before it is
    // booked, and each batch's matches (its own span of time) before they change.
    // (flat: item and story; topic, time, item and flag)
    let moves: number[] = [];
    let firsts: number[] = [];
    const inOrder = (n: number, before: (a: number, b: number) => number): Uint32Array => {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      return order.sort(before);
    };
    /** The writes held so far, taken in key order (the held lists start again). */
    interface Pass { moves: number[]; firsts: number[]; order: Uint32Array; firstsOrder: Uint32Array; at: number }
    const heldInOrder = (): Pass => {
      const m = moves;
      const f = firsts;
      moves = [];
      firsts = [];
      return {
        moves: m,
        firsts: f,
        order: inOrder(m.length / 2, (a, b) => m[2 * a]! - m[2 * b]!),
        firstsOrder: inOrder(f.length / 4, (a, b) => f[4 * a]! - f[4 * b]! || f[4 * a + 1]! - f[4 * b + 1]! || f[4 * a + 2]! - f[4 * b + 2]!),
        at: 0,
      };
    };
    const left = (p: Pass | null): number => (p === null ? 0 : p.order.length + p.firstsOrder.length - p.at);
    /** Writes up to `rows` of a pass's writes, in order; true once all are. */
    const write = (p: Pass, rows: number): boolean => {
      const nMoves = p.order.length;
      const end = Math.min(nMoves + p.firstsOrder.length, p.at + rows);
      for (; p.at < end; p.at++) {
        if (p.at < nMoves) {
          const i = p.order[p.at]!;
          this.later('UPDATE items SET story_id = ? WHERE id = ?', p.moves[2 * i + 1], p.moves[2 * i]);
        } else {
          const i = p.firstsOrder[p.at - nMoves]!;
          const f = p.firsts;
          this.later('UPDATE item_topics SET story_first = ? WHERE topic_id = ? AND published_at = ? AND item_id = ?', f[4 * i + 3], f[4 * i], f[4 * i + 1], f[4 * i + 2]);
        }
      }
      return p.at >= nMoves + p.firstsOrder.length;
    };
    // (a pass being written while this thread waits for the clustering: idle, below)
    let writing: Pass | null = null;
    const writeHeld = (): void => {
      if (writing !== null) write(writing, Infinity);
      writing = null;
      write(heldInOrder(), Infinity);
    };
    // (PostgreSQL's connection sends such writes with its next read already: held there, they would pile up)
    const holding = this.db.later === undefined ? WRITES_HELD : 1;
    const held = (): void => {
      if (moves.length / 2 + firsts.length / 4 + left(writing) >= holding) writeHeld();
    };
    const moveItem = (item: number, story: number): void => {
      moves.push(item, story);
      held();
    };

    const settle = (s: NewStory): void => {
      // it takes over the stored story (from `from` on, not yet taken) most of its items were in, so that few rows change
      let best = 0;
      let most = 0;
      let had: (StoryRow & { title: string }) | undefined;
      for (const [id, n] of s.votes!) {
        if (isClaimed(id) || !(n > most || (n === most && id < best))) continue;
        const row = replayedRow.get(id, from, from) as (StoryRow & { title: string }) | undefined;
        if (!row || id > maxId) continue;
        best = id;
        most = n;
        had = row;
      }
      let id = best;
      if (id !== 0) {
        claimed[id >> 3]! |= 1 << (id & 7);
        if (had!.signature !== s.signature || had!.title !== s.title || had!.firstAt !== s.firstAt || had!.lastAt !== s.lastAt) {
          this.later('UPDATE stories SET signature = ?, title = ?, first_at = ?, last_at = ? WHERE id = ?', s.signature, s.title, s.firstAt, s.lastAt, id);
        }
      } else {
        id = Number(insertStory.run(s.signature, s.title, s.firstAt, s.lastAt).lastInsertRowid);
        created++;
      }
      s.id = id;
      // which story it follows up (its life over, an item went on with it)
      this.later('UPDATE stories SET follows_id = ? WHERE id = ? AND follows_id IS DISTINCT FROM ?', s.followUp, id, s.followUp);
      const items = s.items!;
      for (let i = 0; i < items.length; i += 2) {
        if (items[i + 1] !== id) {
          moveItem(items[i]!, id);
          moved++;
        }
      }
      const want = new Map(s.firstIn!);
      if (best !== 0) {
        for (const [t, at] of topicsOf.all(id) as [number, number][]) {
          if (want.get(t) === at) want.delete(t);
          else if (!want.has(t)) this.later('DELETE FROM story_topics WHERE story_id = ? AND topic_id = ?', id, t);
        }
      }
      for (const [t, at] of want) this.later(putTopic, id, t, at);
      s.votes = s.items = s.counted = s.firstIn = null;
    };
    let sweptDay = -Infinity;
    /** Settles the stories no item from `t` on can join; forgets those no item from `t` on can follow up. */
    const settleBefore = (t: number): void => {
      while (openHead < open.length && open[openHead]!.firstAt + start(0).lifeMs < t) settle(open[openHead++]!);
      if (openHead > 1024 && openHead * 2 > open.length) {
        open.splice(0, openHead);
        openHead = 0;
      }
      const day = Math.floor(t / DAY) * DAY;
      if (day > sweptDay) {
        sweptDay = day;
        for (const [k, s] of stories) if (s.id !== 0 && s.lastAt < t - start(0).windowMs) stories.delete(k);
      }
    };

    // The topic matches of the replayed items, their first-copy flags in canonical order, and the quarter-hour counts.
    const topics = this.stmt('SELECT id FROM topics ORDER BY id').pluck().all() as number[];
    const matchRows = this.stmt('SELECT item_id, published_at, story_first, sentiment FROM item_topics WHERE topic_id = ? AND published_at >= ? AND published_at <= ?').raw();
    const slots = new Map<number, Map<number, SlotCounts>>(); // topic → quarter → counts
    let firstsChanged = 0;

    /** One batch of items in canonical order (every item published in its span), with what the clustering made of it. */
    const book = (rows: ReplayRow[], batch: StoryBatch): void => {
      const matchesOf = new Map<number, [number, number, number, number | null][]>();
      for (const t of topics) {
        for (const [itemId, at, first, sentiment] of matchRows.all(t, rows[0]!.publishedAt, rows[rows.length - 1]!.publishedAt) as [number, number, number, number | null][]) {
          const list = matchesOf.get(itemId);
          if (list) list.push([t, at, first, sentiment]);
          else matchesOf.set(itemId, [[t, at, first, sentiment]]);
        }
      }
      const assigned = batch.assigned;
      const foundedBy = new Map(batch.founded.map((f) => [f.index, f]));
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const t = r.publishedAt;
        settleBefore(t);
        const a = assigned[i]!;
        replayedItems++;
        let counted: Set<number>;
        let firstIn: Map<number, number>;
        if (a >= 0) {
          knownLast.set(a, t); // canonical order: the last one seen is the latest
          if (r.storyId !== a) {
            moveItem(r.id, a);
            moved++;
          }
          const st = stateOf(a);
          counted = st.counted;
          firstIn = st.firstIn;
        } else {
          const k = -a - 1;
          let s: NewStory | undefined;
          if (k === founded) {
            // the story it follows up is settled by now (its life is over), so its id is known
            const made = foundedBy.get(i)!;
            const f = made.followUp;
            const followUp = f === null || f >= 0 ? f : (stories.get(-f - 1)?.id ?? 0);
            if (followUp === 0) throw new Error(`story replay: item ${r.id} follows up a story not settled`);
            s = { title: r.title, signature: made.signature, followUp, firstAt: t, lastAt: t, id: 0, votes: new Map(), items: [], counted: new Set(), firstIn: new Map() };
            stories.set(k, s);
            open.push(s);
            founded++;
          } else {
            s = stories.get(k);
            if (!s || s.id !== 0) throw new Error(`story replay: item ${r.id} joined a story already settled`);
          }
          s.lastAt = t;
          if (r.storyId !== null) s.votes!.set(r.storyId, (s.votes!.get(r.storyId) ?? 0) + 1);
          s.items!.push(r.id, r.storyId ?? 0);
          counted = s.counted!;
          firstIn = s.firstIn!;
        }
        const list = matchesOf.get(r.id);
        if (!list) continue;
        for (const [topic, at, wasFirst, sentiment] of list) {
          const first = counted.has(topic) ? 0 : 1;
          if (first) {
            counted.add(topic);
            firstIn.set(topic, at);
          }
          if (first !== wasFirst) {
            firsts.push(topic, at, r.id, first);
            held();
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
      }
    };
    // While this thread waits for the clustering's answer: once IDLE_WRITES_FROM of the items expected are
    // booked, the writes held so far are written, in key order, a piece at a time (the answer is looked for
    // between pieces), so that after the last answer only the writes found since are left to do.
    let idlePass = false;
    const idle = (): boolean => {
      if (writing === null) {
        if (idlePass || replayedItems < IDLE_WRITES_FROM * expected || moves.length + firsts.length === 0) return false;
        idlePass = true;
        writing = heldInOrder();
        return true;
      }
      if (write(writing, IDLE_ROWS)) writing = null;
      return true;
    };
    // a batch is sent as soon as it is read, and booked once the next one is sent (or at the end)
    const sent: ReplayRow[][] = [];
    // (a pause after each batch booked: see replaySteps)
    const take = function* (rows: ReplayRow[]): Generator<void> {
      if (rows.length === 0) return;
      const stream = start(rows.length);
      stream.send(rows.map((r): ReplayItem => ({ key: String(r.id), title: r.title, sourceKey: '', publishedAt: r.publishedAt, url: r.url })));
      sent.push(rows);
      if (sent.length > 1) {
        book(sent.shift()!, stream.receive(idle));
        yield;
      }
    };
    try {
      yield* this.readItems(from, state.lead, feedUrls, take, o.read?.pass ?? REPLAY_PASS_ITEMS, o.read?.batch ?? REPLAY_BATCH, start);
      while (sent.length > 0) {
        book(sent.shift()!, start(0).receive(idle));
        yield;
      }
    } finally {
      (clustering as StoryBatches | null)?.close();
    }
    settleBefore(Infinity);
    writeHeld();

    const knownIds = new Set<number>();
    for (const s of known) {
      const joined = knownLast.get(s.id);
      const had = storedLast.get(s.id);
      if (joined === undefined && had === undefined) continue;
      knownIds.add(s.id);
      const want = Math.max(s.lastAt, joined ?? s.lastAt);
      if (want !== (had ?? s.lastAt)) this.later('UPDATE stories SET last_at = ? WHERE id = ?', want, s.id);
    }
    // story_topics of the known stories the replay touched: what one counted before `from` stays
    for (const id of knownIds) {
      const st = stateOf(id);
      const want = new Map(st.firstIn);
      for (const [t, at] of st.stored) {
        if (at < from) continue;
        if (want.get(t) === at) want.delete(t);
        else if (!want.has(t)) this.later('DELETE FROM story_topics WHERE story_id = ? AND topic_id = ?', id, t);
      }
      for (const [t, at] of want) this.later(putTopic, id, t, at);
    }
    // the stored stories from `from` on that no new one took over: all their items have moved
    let dropped = 0;
    const leftOver = this.stmt('SELECT id FROM stories WHERE id > ? AND id <= ? AND last_at >= ? AND first_at >= ? ORDER BY id LIMIT 4096').pluck();
    for (let after = 0; ; ) {
      const ids = leftOver.all(after, maxId, from, from) as number[];
      if (ids.length === 0) break;
      for (const id of ids) {
        if (isClaimed(id)) continue;
        this.later('DELETE FROM story_topics WHERE story_id = ?', id);
        this.later('DELETE FROM stories WHERE id = ?', id);
        dropped++;
      }
      after = ids[ids.length - 1]!;
    }

    const slotRows = this.stmt(
      'SELECT slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE topic_id = ? AND slot >= ?',
    ).raw();
    const putSlot = `INSERT INTO topic_quarters (topic_id, slot, stories, items, scored, sentiment_sum, sentiment_sq) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (topic_id, slot) DO UPDATE SET stories = excluded.stories, items = excluded.items, scored = excluded.scored,
         sentiment_sum = excluded.sentiment_sum, sentiment_sq = excluded.sentiment_sq`;
    for (const t of topics) {
      const want = new Map(slots.get(t));
      for (const [q, stories, items, scored, sum, sq] of slotRows.all(t, firstSlot) as [number, number, number, number, number, number][]) {
        const c = want.get(q);
        if (!c) {
          this.later('DELETE FROM topic_quarters WHERE topic_id = ? AND slot = ?', t, q);
          continue;
        }
        want.delete(q);
        if (c.stories !== stories || c.items !== items || c.scored !== scored || c.sum !== sum || c.sq !== sq) {
          this.later(putSlot, t, q, c.stories, c.items, c.scored, c.sum, c.sq);
        }
      }
      for (const [q, c] of want) this.later(putSlot, t, q, c.stories, c.items, c.scored, c.sum, c.sq);
    }

    this.later('UPDATE story_state SET replay_from = NULL, generation = generation + 1');
    return { from, items: replayedItems, moved, storiesCreated: created, storiesDropped: dropped, firstsChanged };
  }

  /**
   * Hands `take` every item published from `from` on, in canonical order, in batches that each hold every
   * item of the times they span. Bounded whatever the number of items: the ids are read in passes of at
   * most REPLAY_PASS_ITEMS (ordered by time and id, by the engine's own sort), the rows by id a few
   * thousand at a time, each batch sorted canonically, with the items of its last instant held back
   * for the next one (ties must be sorted together).
   */
  private *readItems(
    from: number,
    lead: number,
    feedUrls: Map<number, string>,
    take: (rows: ReplayRow[]) => Generator<void>,
    passItems: number,
    batch: number,
    firstPass: (ids: number) => void,
  ): Generator<void> {
    // an item published from `from` on was fetched at most max_lead before it
    const firstIds = this.stmt('SELECT id FROM items WHERE fetched_at >= ? AND published_at >= ? ORDER BY published_at, id LIMIT ?').pluck();
    const nextIds = this.stmt(
      'SELECT id FROM items WHERE fetched_at >= ? AND (published_at > ? OR (published_at = ? AND id > ?)) ORDER BY published_at, id LIMIT ?',
    ).pluck();
    const byId = this.stmt(
      `SELECT id, published_at, title, canonical_url, guid, feed_id, story_id FROM items WHERE id IN (${new Array<string>(ROWS_BY_ID).fill('?').join(', ')})`,
    ).raw();
    let pending: ReplayRow[] = [];
    let last: { publishedAt: number; id: number } | null = null;
    for (;;) {
      const ids = (last === null
        ? firstIds.all(from - lead, from, passItems)
        : nextIds.all(from - lead, last.publishedAt, last.publishedAt, last.id, passItems)) as number[];
      const end = ids.length < passItems;
      if (last === null) firstPass(ids.length);
      for (let i = 0; i < ids.length; i += ROWS_BY_ID) {
        const part = ids.slice(i, i + ROWS_BY_ID);
        const args = part.length === ROWS_BY_ID ? part : [...part, ...new Array<number>(ROWS_BY_ID - part.length).fill(0)];
        for (const [id, publishedAt, title, url, guid, feedId, storyId] of byId.all(...args) as [number, number, string, string | null, string, number, number | null][]) {
          pending.push({ id, publishedAt, title, url, guid, feedUrl: feedUrls.get(feedId) ?? '', storyId });
        }
        const lastPart = end && i + ROWS_BY_ID >= ids.length;
        if (pending.length < batch && !lastPart) continue;
        pending.sort(canonicalOrder);
        if (lastPart) {
          yield* take(pending);
          pending = [];
          continue;
        }
        // the items of the last instant so far may have more to come: held back
        const t = pending[pending.length - 1]!.publishedAt;
        let cut = pending.length;
        while (cut > 0 && pending[cut - 1]!.publishedAt === t) cut--;
        yield* take(pending.slice(0, cut));
        pending = pending.slice(cut);
      }
      if (end) break;
      const lastId = ids[ids.length - 1]!;
      const lastRow = pending.find((r) => r.id === lastId);
      if (!lastRow) throw new Error('story replay: lost its place');
      last = { publishedAt: lastRow.publishedAt, id: lastId };
    }
    if (pending.length > 0) yield* take(pending);
  }
}

/** The clustering in this thread: each batch is clustered as it is sent, in one tight loop (interleaved with the store's statements it ran at half the speed). */
export function inThisThread(stream: StoryStream): StoryBatches {
  const done: StoryBatch[] = [];
  let founded = 0;
  return {
    lifeMs: stream.lifeMs,
    windowMs: stream.windowMs,
    send(items) {
      const assigned = new Array<number>(items.length);
      const made: StoryBatch['founded'] = [];
      for (let i = 0; i < items.length; i++) {
        const a = (assigned[i] = stream.push(items[i]!));
        if (a === -(founded + 1)) {
          made.push({ index: i, signature: stream.signature, followUp: stream.followUp });
          founded++;
        }
      }
      done.push({ assigned, founded: made });
    },
    receive: () => done.shift()!,
    close: () => undefined,
  };
}
