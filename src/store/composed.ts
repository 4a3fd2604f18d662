/** The store's methods over its parts (sqlite/*.ts): what the SQLite and PostgreSQL stores share. */
import type { PackedBuckets } from '../core/buckets.js';
import type { Bucket, Moment, StoredItem } from '../core/types.js';
import type { FeedbackStore, FetchWriter, LeaseStore, ListItemsQuery, OutboxStore, SearchStore, Store as StoreApi } from './api.js';
import type {
  AccountImport,
  AccountMatchRow,
  AccountRecord,
  AccountRow,
  ImportResult,
  ItemAccount,
  MatchableAccountItem,
  MomentAccount,
  FeedHealth,
  FeedRow,
  FetchRecord,
  MatchableItem,
  ReplayOptions,
  ReplaySummary,
  SavedMoment,
  SaveResult,
  StoryAssigner,
  StoryReplayer,
  TopicCoverage,
  TopicRow,
} from './model.js';
import { createRequire } from 'node:module';
import { SqliteAccounts } from './sqlite/accounts.js';
import { SqliteCounts } from './sqlite/counts.js';
import type { SqliteDigests } from './sqlite/digests.js';
import { SqliteFeeds } from './sqlite/feeds.js';
import { SqliteItems } from './sqlite/items.js';
import { SqliteMoments } from './sqlite/moments.js';
import { SqlitePart, type Connection } from './sqlite/part.js';
import type { SqliteStories } from './sqlite/stories.js';
import { SqliteTopics } from './sqlite/topics.js';

/**
 * The parts most commands never call (stories, the fetch's writer, digests, search, outbox; feedback, which a
 * report reads for its labels: six modules and search-query.js, ~70 KB) are loaded when a store first uses
 * them, not by every command that opens one.
 * A method is synchronous, so they are loaded with require(), which loads an ES module since Node 20.19
 * (the same instance `import` gives). Where it cannot, or would not give the same instance (an older Node;
 * the sources as vitest runs them, .ts files require() cannot find; the build imported by vitest, whose
 * module instances are its own: a second copy of a part's module would have its own classes, its own
 * errors), they are all imported here, before any store opens, as before.
 */
interface Lazy {
  digests: typeof import('./sqlite/digests.js');
  feedback: typeof import('./sqlite/feedback.js');
  fetchWrite: typeof import('./sqlite/fetch-write.js');
  outbox: typeof import('./sqlite/outbox.js');
  search: typeof import('./sqlite/search.js');
  stories: typeof import('./sqlite/stories.js');
}
const LAZY: { [K in keyof Lazy]: string } = {
  digests: './sqlite/digests.js',
  feedback: './sqlite/feedback.js',
  fetchWrite: './sqlite/fetch-write.js',
  outbox: './sqlite/outbox.js',
  search: './sqlite/search.js',
  stories: './sqlite/stories.js',
};
const requireSync = ((): NodeJS.Require | null => {
  if ((process.features as { require_module?: boolean }).require_module !== true) return null;
  try {
    const req = createRequire(import.meta.url);
    return (req('./sqlite/part.js') as typeof import('./sqlite/part.js')).SqlitePart === SqlitePart ? req : null;
  } catch {
    return null;
  }
})();
const loaded: Partial<Lazy> = requireSync
  ? {}
  : Object.fromEntries(await Promise.all(Object.entries(LAZY).map(async ([k, spec]) => [k, await import(spec)] as const)));
function lazy<K extends keyof Lazy>(k: K): Lazy[K] {
  return (loaded[k] ??= requireSync!(LAZY[k]) as Lazy[K]);
}

/**
 * A store made of the parts in sqlite/ over one connection (SqlDb): each method is its part's, one
 * statement or one transaction. The SQLite store and the PostgreSQL one (pg/store.ts) are both this, each
 * with its own connection, and the PostgreSQL one with its own full-text search and change counter.
 */
export abstract class PartsStore implements StoreApi {
  private readonly feeds: SqliteFeeds;
  private readonly topics: SqliteTopics;
  private readonly items: SqliteItems;
  protected readonly counts: SqliteCounts;
  private readonly moments: SqliteMoments;
  private readonly accounts: SqliteAccounts;
  readonly leases: LeaseStore | null;
  // made when first used (LAZY above)
  private fetchesPart: FetchWriter | undefined;
  private storiesPart: SqliteStories | undefined;
  private digestsPart: SqliteDigests | undefined;
  private searchPart: SearchStore | undefined;
  private outboxPart: OutboxStore | undefined;
  private feedbackPart: FeedbackStore | undefined;
  private readonly makeFetches: ((c: Connection) => FetchWriter) | undefined;
  private readonly makeSearch: ((c: Connection) => SearchStore) | undefined;

  protected constructor(
    protected readonly conn: Connection,
    search?: (c: Connection) => SearchStore,
    leases?: (c: Connection) => LeaseStore,
    fetches?: (c: Connection) => FetchWriter,
  ) {
    const c = conn;
    this.feeds = new SqliteFeeds(c);
    this.topics = new SqliteTopics(c);
    this.items = new SqliteItems(c);
    this.counts = new SqliteCounts(c);
    this.moments = new SqliteMoments(c);
    this.accounts = new SqliteAccounts(c);
    this.leases = leases ? leases(c) : null;
    this.makeFetches = fetches;
    this.makeSearch = search;
  }

  private get fetches(): FetchWriter {
    return (this.fetchesPart ??= this.makeFetches ? this.makeFetches(this.conn) : new (lazy('fetchWrite').SqliteFetchWriter)(this.conn));
  }

  private get stories(): SqliteStories {
    return (this.storiesPart ??= new (lazy('stories').SqliteStories)(this.conn));
  }

  private get digests(): SqliteDigests {
    return (this.digestsPart ??= new (lazy('digests').SqliteDigests)(this.conn));
  }

  protected get search(): SearchStore {
    return (this.searchPart ??= this.makeSearch ? this.makeSearch(this.conn) : new (lazy('search').SqliteSearch)(this.conn));
  }

  get outbox(): OutboxStore {
    return (this.outboxPart ??= new (lazy('outbox').SqliteOutbox)(this.conn));
  }

  get feedback(): FeedbackStore {
    return (this.feedbackPart ??= new (lazy('feedback').SqliteFeedback)(this.conn));
  }

  /** Where it is: a file path, or a URL without its password. */
  get file(): string {
    return this.conn.file;
  }

  get readonly(): boolean {
    return this.conn.db.readonly;
  }

  abstract close(): void;

  /**
   * Runs `fn` in one transaction: the saves it makes are committed together, or not at all. Each is still
   * all-or-nothing: should one fail, none is committed, even if `fn` catches its error (Connection.batch).
   */
  together<T>(fn: () => T): T {
    const conn = this.conn;
    return conn.guard(() =>
      conn.db
        .transaction((): T => {
          const outer = conn.batch;
          const batch: NonNullable<typeof outer> = { failed: null };
          conn.batch = batch;
          try {
            const value = fn();
            if (batch.failed) throw batch.failed.err;
            return value;
          } finally {
            conn.batch = outer;
          }
        })
        .immediate(),
    );
  }

  // feeds
  ensureFeeds(urls: string[], now: number): FeedRow[] {
    return this.feeds.ensureFeeds(urls, now);
  }
  feedHealth(urls: string[], since: number, now: number): FeedHealth[] {
    return this.feeds.feedHealth(urls, since, now);
  }

  lastReadAt(urls: string[]): number | null {
    return this.feeds.lastReadAt(urls);
  }
  setFeedKinds(kinds: ReadonlyMap<string, string>): void {
    this.feeds.setFeedKinds(kinds);
  }

  // the fetch write
  saveFetch(rec: FetchRecord, topicIds: ReadonlyMap<string, number>, stories?: StoryAssigner): SaveResult {
    return this.fetches.saveFetch(rec, topicIds, stories);
  }

  // topics and matches
  syncTopics(defs: { name: string; definition: string }[]): TopicRow[] {
    return this.topics.syncTopics(defs);
  }
  renameTopic(from: string, to: string): { id: number; was: string } | null {
    return this.topics.renameTopic(from, to);
  }
  topicNames(): Map<number, string> {
    return this.topics.topicNames();
  }
  topicsMatchedSince(fetchedSince: number, publishedSince: number): string[] {
    return this.topics.topicsMatchedSince(fetchedSince, publishedSince);
  }
  itemTexts(pageSize?: number): Generator<MatchableItem[]> {
    return this.topics.itemTexts(pageSize);
  }
  replaceTopicMatches(topicId: number, definition: string, matches: MatchableItem[]): void {
    this.topics.replaceTopicMatches(topicId, definition, matches);
  }

  // items
  hasItems(): boolean {
    return this.items.hasItems();
  }
  firstItemAt(topicId: number): number | null {
    return this.items.firstItemAt(topicId);
  }
  firstItemTimes(topicId: number, n: number): number[] {
    return this.items.firstItemTimes(topicId, n);
  }
  itemsBetween(topicId: number, from: number, to: number, limit?: number): StoredItem[] {
    return this.items.itemsBetween(topicId, from, to, limit);
  }
  titlesBetween(topicId: number, from: number, to: number, limit: number): string[] {
    return this.items.titlesBetween(topicId, from, to, limit);
  }
  overflowPeriods(topicId: number, from: number, to: number): { feedUrl: string; start: number; end: number }[] {
    return this.items.overflowPeriods(topicId, from, to);
  }
  topicCoverage(topicId: number, from: number, to: number): TopicCoverage {
    return this.items.topicCoverage(topicId, from, to);
  }
  listItems(o: ListItemsQuery): (StoredItem & { topicIds: number[] })[] {
    return this.items.listItems(o);
  }

  listItemPages(o: ListItemsQuery, pageSize?: number): Iterable<(StoredItem & { topicIds: number[] })[]> {
    return this.items.listItemPages(o, pageSize);
  }
  itemsToRescore(engine: string, all: boolean, pageSize?: number): Generator<{ id: number; title: string; summary: string; language: string | null }[]> {
    return this.items.itemsToRescore(engine, all, pageSize);
  }
  saveSentiments(scores: { id: number; sentiment: number | null }[], engine: string): void {
    this.items.saveSentiments(scores, engine);
  }

  // bucket aggregates
  bucketCounts(topicId: number, from: number, to: number, bucketMs: number): Bucket[] {
    return this.counts.bucketCounts(topicId, from, to, bucketMs);
  }
  packedBucketCounts(topicId: number, from: number, to: number, bucketMs: number, shared = false): PackedBuckets {
    return this.counts.packedBucketCounts(topicId, from, to, bucketMs, shared);
  }
  topicTotals(): Map<number, { items: number; stories: number }> {
    return this.counts.topicTotals();
  }
  rebuildTopicCounts(): void {
    this.counts.rebuildTopicCounts();
  }
  dataVersion(): number {
    return this.counts.dataVersion();
  }
  engineState(topicId: number, key: string, atMost: number): { at: number; state: Uint8Array } | null {
    return this.counts.engineState(topicId, key, atMost);
  }
  saveEngineStates(states: { topicId: number; key: string; at: number; state: Uint8Array }[], readAt: number): boolean {
    return this.counts.saveEngineStates(states, readAt);
  }

  // stories
  recentStories(since: number, limit?: number): { id: number; signature: string; firstAt: number; lastAt: number }[] {
    return this.stories.recentStories(since, limit);
  }
  storyGeneration(): number {
    return this.stories.storyGeneration();
  }
  replayPending(): boolean {
    return this.stories.replayPending();
  }
  replayStories(replay: StoryReplayer, o: ReplayOptions): ReplaySummary | null {
    return this.stories.replayStories(replay, o);
  }
  replayStoriesHeard(replay: StoryReplayer, o: ReplayOptions, signal: AbortSignal): Promise<ReplaySummary | null | 'interrupted'> {
    return this.stories.replayStoriesHeard(replay, o, signal);
  }

  // moments
  saveMoments(moments: { topicId: number; moment: Moment }[], evaluatedAt: number): SavedMoment[] {
    return this.moments.saveMoments(moments, evaluatedAt);
  }
  forgetMoments(ids: number[]): void {
    this.moments.forgetMoments(ids);
  }
  momentsSeenSince(since: number, knownBy?: number): { id: number; topic: string; firstSeenAt: number; lastSeenAt: number; moment: Moment }[] {
    return this.moments.momentsSeenSince(since, knownBy);
  }
  lastMoments(): Map<number, { kind: string; direction: string; start: number; end: number; score: number }> {
    return this.moments.lastMoments();
  }

  // digests
  lastDigestEnd(sentOnly: boolean): number | null {
    return this.digests.lastDigestEnd(sentOnly);
  }
  recordDigest(d: { createdAt: number; periodStart: number; periodEnd: number; sent: boolean; recipients: string[]; moments: number }): void {
    this.digests.recordDigest(d);
  }
  claimDigest(d: { createdAt: number; periodStart: number; periodEnd: number; moments: number }, liveSince: number): number | null {
    return this.digests.claimDigest(d, liveSince);
  }
  claimDayDigest(d: { createdAt: number; periodStart: number; periodEnd: number; moments: number; recipients: string[] }, liveSince: number, endsIn?: readonly [number, number]) {
    return this.digests.claimDayDigest(d, liveSince, endsIn);
  }
  settleDigest(id: number, recipients: string[] | null): void {
    this.digests.settleDigest(id, recipients);
  }

  // search
  updateSearchIndex(): number {
    return this.search.updateSearchIndex();
  }
  searchIds(query: string): Set<number> {
    return this.search.searchIds(query);
  }

  // accounts
  accountRecords(): AccountRecord[] {
    return this.accounts.accountRecords();
  }
  listAccounts(): AccountRow[] {
    return this.accounts.listAccounts();
  }
  importAccounts(batch: AccountImport, o: { replace: boolean; now: number }): ImportResult {
    return this.accounts.importAccounts(batch, o);
  }
  removeAccounts(keys: string[]): { id: number; name: string }[] {
    return this.accounts.removeAccounts(keys);
  }
  accountMatchFingerprint(): string | null {
    return this.accounts.accountMatchFingerprint();
  }
  accountMatchInputs(pageSize?: number): Generator<MatchableAccountItem[]> {
    return this.accounts.accountMatchInputs(pageSize);
  }
  replaceAccountMatches(matches: AccountMatchRow[], fingerprint: string): void {
    this.accounts.replaceAccountMatches(matches, fingerprint);
  }
  itemAccounts(itemIds: readonly number[]): Map<number, ItemAccount[]> {
    return this.accounts.itemAccounts(itemIds);
  }
  topicAccounts(topicId: number, from: number, to: number): MomentAccount[] {
    return this.accounts.topicAccounts(topicId, from, to);
  }
}
