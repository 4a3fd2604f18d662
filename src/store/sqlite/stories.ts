/** Stories: the index near-duplicates are matched against, and the replay that makes them independent of arrival order. */
import { withSmallHeap } from '../../core/heap.js';
import type { StoryStore } from '../api.js';
import { QUARTER_MS } from '../db.js';
import { canonicalOrder, type ReplaySummary, type SlotCounts, type StoryReplayer, type StoryRow } from '../model.js';
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
      // it makes a lot of garbage: a heap kept small (core/heap.ts) keeps the peak near what it holds
      return withSmallHeap(() => this.replayInTransaction(replay, o));
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
              this.later('UPDATE stories SET signature = ?, title = ?, first_at = ?, last_at = ? WHERE id = ?', signature, founder.title, founder.publishedAt, lastOf[k]!, ids[k]!);
            }
          }
          // which story each new one follows up (its life over, an item went on with it)
          for (let k = 0; k < founded; k++) {
            const f = result.followUps?.[k] ?? null;
            const follows = f === null ? null : f >= 0 ? f : ids[-f - 1]!;
            this.later('UPDATE stories SET follows_id = ? WHERE id = ? AND follows_id IS DISTINCT FROM ?', follows, ids[k]!, follows);
          }
          const storyOf = (i: number): number => {
            const s = result.story[i]!;
            return s >= 0 ? s : ids[-s - 1]!;
          };

          let moved = 0;
          rows.forEach((r, i) => {
            const id = storyOf(i);
            if (r.storyId !== id) {
              this.later('UPDATE items SET story_id = ? WHERE id = ?', id, r.id);
              moved++;
            }
          });
          const knownIds = new Set<number>();
          for (const s of known) {
            const joined = knownLast.get(s.id);
            const had = storedLast.get(s.id);
            if (joined === undefined && had === undefined) continue;
            knownIds.add(s.id);
            const want = Math.max(s.lastAt, joined ?? s.lastAt);
            if (want !== (had ?? s.lastAt)) this.later('UPDATE stories SET last_at = ? WHERE id = ?', want, s.id);
          }
          let dropped = 0;
          for (const id of spare) {
            this.later('DELETE FROM stories WHERE id = ?', id); // its items have all moved: they are all from `from` on
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
                this.later('UPDATE item_topics SET story_first = ? WHERE topic_id = ? AND published_at = ? AND item_id = ?', first, topic, at, r.id);
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
          const putTopic = 'INSERT INTO story_topics (story_id, topic_id, first_at) VALUES (?, ?, ?) ON CONFLICT (story_id, topic_id) DO UPDATE SET first_at = excluded.first_at';
          const touched = new Set<number>([...replayed.keys(), ...ids, ...knownIds]);
          for (const id of touched) {
            const want = new Map(firstIn.get(id));
            for (const [t, at] of storedTopics.get(id) ?? (topicsOf.all(id) as [number, number][])) {
              if (at < from && knownIds.has(id)) continue;
              if (want.get(t) === at) want.delete(t);
              else if (!want.has(t)) this.later('DELETE FROM story_topics WHERE story_id = ? AND topic_id = ?', id, t);
            }
            for (const [t, at] of want) this.later(putTopic, id, t, at);
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
          return { from, items: rows.length, moved, storiesCreated: created, storiesDropped: dropped, firstsChanged };
        })
        .immediate(),
    );
  }
}
