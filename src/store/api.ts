/**
 * The store as the stages see it: one interface per concern, and `Store`, all of them together. The
 * SQLite implementation is in sqlite/ (composed in store.ts); another backend (PostgreSQL) implements
 * the same interfaces. Every method is one statement or one transaction: all-or-nothing.
 */
import type { PackedBuckets } from '../core/buckets.js';
import type { Bucket, Moment, StoredItem } from '../core/types.js';
import type {
  AccountImport,
  AccountMatchRow,
  AccountRecord,
  AccountRow,
  ImportResult,
  ItemAccount,
  MatchableAccountItem,
  MomentAccount,
  DeliveryRow,
  DeliveryStatus,
  FeedHealth,
  FeedRow,
  FetchRecord,
  Label,
  MatchableItem,
  NewDeliveryRow,
  NewEvent,
  PlannedEvent,
  RecordedMoment,
  ReplayOptions,
  ReplaySummary,
  SavedMoment,
  SaveResult,
  SilenceRow,
  StoryAssigner,
  StoryReplayer,
  TopicCoverage,
  TopicRow,
  Verdict,
} from './model.js';

/** Feeds: their rows, kinds and health. */
export interface FeedStore {
  /** Makes sure every URL has a feed row; returns the rows in the order given. */
  ensureFeeds(urls: string[], now: number): FeedRow[];
  /** Every feed's health over the fetch log since `since`, for the configured URLs (in that order). */
  feedHealth(urls: string[], since: number, now: number): FeedHealth[];
  /** When any of these feeds was last read (a fetch that got an answer), or null: none ever was. */
  lastReadAt(urls: string[]): number | null;
  /** Records what kind of source each feed is (google-news, reddit...). */
  setFeedKinds(kinds: ReadonlyMap<string, string>): void;
}

/** The fetch write: one feed's fetch, all of it or none. */
export interface FetchWriter {
  saveFetch(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories?: StoryAssigner): SaveResult;
}

/** Topics and their matches. */
export interface TopicStore {
  /**
   * Records the configured topics; a topic whose definition changed is marked so its matches are redone.
   * A read-only store refuses a topic that is not there or is defined differently (StoreError).
   */
  syncTopics(defs: { name: string; definition: string }[]): TopicRow[];
  /**
   * Renames a stored topic with its history (`topics rename`), in one transaction; null when none of that name
   * is stored. Refused (StoreError, exit 2) when another stored topic has the new name in any case.
   */
  renameTopic(from: string, to: string): { id: number; was: string } | null;
  /** Topic names by id, for every topic ever configured. */
  topicNames(): Map<number, string>;
  /** Names of the topics matched to items fetched since `fetchedSince` and published since `publishedSince` (by any process). */
  topicsMatchedSince(fetchedSince: number, publishedSince: number): string[];
  /** All stored items' text, in id order, a page at a time (for re-matching a changed topic). */
  itemTexts(pageSize?: number): Generator<MatchableItem[]>;
  /** Replaces a topic's matches and records the definition they were made with. */
  replaceTopicMatches(topicId: number, definition: string, matches: MatchableItem[]): void;
}

/** Stored items: listing them, and their sentiment. */
export interface ItemStore {
  hasItems(): boolean;
  firstItemAt(topicId: number): number | null;
  /** The publication times of a topic's first `n` items, oldest first. */
  firstItemTimes(topicId: number, n: number): number[];
  itemsBetween(topicId: number, from: number, to: number, limit?: number): StoredItem[];
  /** The titles of the items itemsBetween gives, in its order: all a moment's baseline sample needs. */
  titlesBetween(topicId: number, from: number, to: number, limit: number): string[];
  overflowPeriods(topicId: number, from: number, to: number): { feedUrl: string; start: number; end: number }[];
  /** The fetch log of the topic's feeds for fetches in [from, to]: what moments/coverage.ts needs to find the periods nobody fetched. */
  topicCoverage(topicId: number, from: number, to: number): TopicCoverage;
  listItems(o: ListItemsQuery): (StoredItem & { topicIds: number[] })[];
  /** listItems a page at a time, in its order (`counted` is set before it returns): memory for a page, not the period. */
  listItemPages(o: ListItemsQuery, pageSize?: number): Iterable<(StoredItem & { topicIds: number[] })[]>;
  itemsToRescore(engine: string, all: boolean, pageSize?: number): Generator<{ id: number; title: string; summary: string; language: string | null }[]>;
  saveSentiments(scores: { id: number; sentiment: number | null }[], engine: string): void;
}

export interface ListItemsQuery {
  from: number;
  to: number;
  limit: number;
  topicIds?: number[];
  sort?: 'time' | 'sentiment' | 'sentiment-desc';
  /** Only these items (a full-text search's hits). */
  ids?: Set<number>;
  /** Set to how many items there are in all, past the limit. */
  counted?: { total: number };
}

/** Bucket aggregates: per-topic counts by time bucket, and the detection engine's saved states. */
export interface CountStore {
  bucketCounts(topicId: number, from: number, to: number, bucketMs: number): Bucket[];
  /** bucketCounts packed; `shared`: in memory a worker thread can share (a SharedArrayBuffer), not copied there after. */
  packedBucketCounts(topicId: number, from: number, to: number, bucketMs: number, shared?: boolean): PackedBuckets;
  topicTotals(): Map<number, { items: number; stories: number }>;
  rebuildTopicCounts(): void;
  /** A counter of what other connections commit: unchanged means nothing was written meanwhile. */
  dataVersion(): number;
  engineState(topicId: number, key: string, atMost: number): { at: number; state: Uint8Array } | null;
  saveEngineStates(states: { topicId: number; key: string; at: number; state: Uint8Array }[], readAt: number): boolean;
}

/** Stories: the index near-duplicates are matched against, and the replay in canonical order. */
export interface StoryStore {
  recentStories(since: number, limit?: number): { id: number; signature: string; firstAt: number; lastAt: number }[];
  storyGeneration(): number;
  /** Whether items saved by a fetch wait for their replay (one that has not run yet, or a crash left). */
  replayPending(): boolean;
  replayStories(replay: StoryReplayer, o: ReplayOptions): ReplaySummary | null;
  /** replayStories, a signal heard between its batches: 'interrupted' when it was, the replay rolled back (SQLite; on PostgreSQL, replayStories). */
  replayStoriesHeard(replay: StoryReplayer, o: ReplayOptions, signal: AbortSignal): Promise<ReplaySummary | null | 'interrupted'>;
}

/** Moments as evaluated and recorded. */
export interface MomentStore {
  /** Records evaluated moments; says which are new. A read-only store says so without recording. */
  saveMoments(moments: { topicId: number; moment: Moment }[], evaluatedAt: number): SavedMoment[];
  /**
   * Forgets moments a run recorded new and could not show (its output failed): the next run finds them new
   * again, and reports them as first seen. One that anything refers to by then (a label, a notification) stays.
   */
  forgetMoments(ids: number[]): void;
  momentsSeenSince(since: number, knownBy?: number): { id: number; topic: string; firstSeenAt: number; lastSeenAt: number; moment: Moment }[];
  lastMoments(): Map<number, { kind: string; direction: string; start: number; end: number; score: number }>;
}

/** Digests made and sent. */
export interface DigestStore {
  lastDigestEnd(sentOnly: boolean): number | null;
  recordDigest(d: { createdAt: number; periodStart: number; periodEnd: number; sent: boolean; recipients: string[]; moments: number }): void;
  /** Claims a period to send: an id, or null when a sent digest, or one being sent (claimed after `liveSince`), reaches past its start. */
  claimDigest(d: { createdAt: number; periodStart: number; periodEnd: number; moments: number }, liveSince: number): number | null;
  /** A claim sent (to these recipients) or dropped (null). */
  settleDigest(id: number, recipients: string[] | null): void;
}

/** Full-text search over titles and summaries. */
export interface SearchStore {
  /** Brings the index up to date; returns how many items it could not add (a read-only store adds none). */
  updateSearchIndex(): number;
  /** Ids of items whose title or summary match a query (words, "phrases", OR, NOT, prefix*). */
  searchIds(query: string): Set<number>;
}

/** Known accounts (CRM companies), their contacts, and which items involve them. */
export interface AccountStore {
  accountRecords(): AccountRecord[];
  listAccounts(): AccountRow[];
  importAccounts(batch: AccountImport, o: { replace: boolean; now: number }): ImportResult;
  removeAccounts(keys: string[]): { id: number; name: string }[];
  accountMatchFingerprint(): string | null;
  accountMatchInputs(pageSize?: number): Generator<MatchableAccountItem[]>;
  replaceAccountMatches(matches: AccountMatchRow[], fingerprint: string): void;
  itemAccounts(itemIds: readonly number[]): Map<number, ItemAccount[]>;
  topicAccounts(topicId: number, from: number, to: number): MomentAccount[];
}

/** The notification outbox, endpoints gone for good, and silences (sqlite/outbox.ts). */
export interface OutboxStore {
  /** The stored moment's id (moments are recorded by evaluate before alerts are enqueued). */
  momentId(topic: string, kind: string, direction: string, start: number): number | null;
  /** Whether the channel has had (or has coming) an alert of the moment. */
  announced(momentId: number, channel: string): boolean;
  /**
   * Adds deliveries, in one transaction; those already there (same moment alert and channel) are left as
   * they are. An alert is `moment.detected` on a channel that has had nothing of the moment yet,
   * `moment.grew` after that; an end (alertNo 0) is enqueued only where the moment was announced.
   * Returns the rows added.
   */
  enqueue(rows: NewDeliveryRow[], now: number, newId: () => string): DeliveryRow[];
  /**
   * Claims rows to send now, in one transaction: `pick` sees every pending row not leased (oldest first)
   * and returns those to send, leased to `token` until `leaseUntil`, and rows to mark on the way.
   */
  claim(
    now: number,
    token: string,
    leaseUntil: number,
    pick: (pending: DeliveryRow[]) => { send: DeliveryRow[]; settle: { id: string; status: DeliveryStatus; error: string | null }[] },
  ): DeliveryRow[];
  /** Records how a leased row went (only while the lease is still this run's). */
  finish(
    results: { id: string; outcome: 'sent' | 'retry' | 'failed' | 'released'; at: number; httpStatus: number | null; error: string | null; nextAttemptAt?: number }[],
    token: string,
  ): void;
  /** When a route last sent a message to a channel (for its minimum interval). */
  lastSent(route: number, channel: string): number | null;
  /** Deliveries created since `since`, newest first. */
  list(since: number, limit: number, status?: DeliveryStatus): DeliveryRow[];
  /** The latest evaluation time notify has queued alerts up to (null: notify never ran here). */
  evaluatedTo(): number | null;
  /** Records that notify queued the alerts up to `at` (kept when a later time is already recorded). */
  markEvaluated(at: number): void;
  goneSince(channel: string, endpoint: string): number | null;
  markGone(channel: string, endpoint: string, at: number): void;
  clearGone(channel: string): void;
  addSilence(s: { topic: string; startsAt: number; endsAt: number; comment: string | null }, now: number): number;
  /** Silences in force at `at` or later (all of them with null), by start. */
  silences(at: number | null): SilenceRow[];
  removeSilence(id: number): boolean;
}

/** Verdicts on moments (`momentscan label`, r/n in `watch`) and planned events (sqlite/feedback.ts). */
export interface FeedbackStore {
  momentRowId(topicId: number, kind: string, direction: string, start: number): number | null;
  verdicts(momentIds: number[]): Map<number, Verdict>;
  /** Records (or, with a null verdict, withdraws) a verdict on a recorded moment, with the moment as it stands (`watch`). */
  saveVerdict(v: { momentId: number; topic: string; kind: string; direction: string; start: number; verdict: Verdict | null; score: number }, now: number): void;
  /** Adds events in one transaction; an event with a UID updates the one stored with that UID and topic (an import run again), keeping its id. */
  addEvents(events: NewEvent[], now: number): { added: number; replaced: number; ids: number[] };
  /** Events reaching (with lead and lag) into [from, to), by start; with `topics`, theirs and every topic's (*). */
  events(o?: { topics?: string[]; from?: number; to?: number }): PlannedEvent[];
  removeEvent(id: number): boolean;
  /** A recorded moment by its id, null when there is none. */
  recordedMoment(id: number): RecordedMoment | null;
  momentIds(keys: { topicId: number; kind: string; direction: string; start: number }[]): (number | null)[];
  /** Records (or, with null, withdraws) a verdict on a recorded moment (`label`). */
  saveLabel(m: RecordedMoment, verdict: Verdict | null, o: { note: string | null; at: number; source: string }): void;
  /** Every verdict, oldest first; with `topics`, only theirs. */
  labels(topics?: string[]): Label[];
  /** Per topic, the recorded moments starting in [from, to) and the alerts they made (each fired once, then once per growth alert). */
  momentCounts(from: number, to: number): Map<string, { moments: number; alerts: number }>;
}

/** Leases for `fetch --worker` (pg/leases.ts): feeds and per-host request slots shared by workers on many hosts. */
export interface LeaseStore {
  /**
   * Claims up to `n` due feeds (see pg/leases.ts); `since`: none fetched since then (this run's start, so
   * that --force fetches each once); `retired`: retired feeds too (--force).
   */
  claimFeeds(urls: string[], dueBy: number, n: number, leaseMs: number, owner: string, o: { since: number; retired: boolean }): FeedRow[];
  releaseFeed(feedId: number, owner: string): void;
  /** Of these feeds, those claimed by a worker whose lease has not run out (on the server's clock): how many, by whom, until when. */
  claimedFeeds(urls: string[]): { feeds: number; owners: string[]; until: number | null };
  /**
   * Takes one of a host's request slots for one request, when the host's delay since the last request any
   * worker started there has passed: the slot, or how long to wait before asking again (see pg/leases.ts).
   */
  claimHostSlot(host: string, manners: { perHost: number; delayMs: number }, leaseMs: number, owner: string): { slot: number } | { waitMs: number };
  releaseHostSlot(host: string, slot: number, owner: string): void;
}

/** The whole store: what the stages and commands use. */
export interface Store extends FeedStore, FetchWriter, TopicStore, ItemStore, CountStore, StoryStore, MomentStore, DigestStore, SearchStore, AccountStore {
  /** Where it is (a file path, a connection string): for messages. */
  readonly file: string;
  /** Opened read-only: every write is refused. */
  readonly readonly: boolean;
  /** The notification outbox and silences. */
  readonly outbox: OutboxStore;
  /** Verdicts on moments. */
  readonly feedback: FeedbackStore;
  /** Leases for several fetch workers: only a store they can share (PostgreSQL) has them. */
  readonly leases: LeaseStore | null;
  /** Runs `fn` in one transaction: the saves it makes are committed together, or not at all. */
  together<T>(fn: () => T): T;
  /**
   * As together(), unless another process is writing at this moment (a store several processes share): then
   * null at once, without waiting for it.
   */
  tryTogether?<T>(fn: () => T, waitMs?: number): { value: T } | null;
  /** Sets the connection's page cache to `bytes` (a store that has one); null: back to its usual size. */
  pageCache?(bytes: number | null): void;
  /**
   * Reads the database file through a memory map of up to `bytes` (a store that has a file): for runs that
   * read far more than they write. What other connections commit is seen as without it.
   */
  mapReads?(bytes: number): void;
  close(): void;
}
