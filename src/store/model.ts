/**
 * What the store holds and hands out, whatever the backend: rows, the record of one fetch, the story
 * clustering's callbacks, and the canonical order of items. Pure: no database here.
 */
import type { EnrichedItem } from '../core/types.js';

export type { StoredItem } from '../core/types.js';

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
  /**
   * True when the story replay at the end of this run redoes the stories of every item saved with this
   * assigner (a fetch's): the store may then save them with no story, pending the replay, instead of a
   * provisional one (find, signature, stored and covers are not called). Each counts as a story of its
   * own until the replay.
   */
  readonly pending?: boolean;
}

/** One topic's counts for one quarter hour, as topic_quarters keeps them. */
export interface SlotCounts {
  stories: number;
  items: number;
  scored: number;
  sum: number;
  sq: number;
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
 * Clusters stored items, pushed one at a time in canonical order, after the stories founded before the
 * first of them (each with its span as of then). Per item: a known story's id, or -(k + 1) for the k-th
 * new story (k counts the new stories founded so far: a push that founds one returns the next k); after
 * a push that founds one, `signature` is its signature and `followUp` the story it follows up (a known
 * id or -(k + 1)), if any. A new story takes no item published more than `lifeMs` after its first, so a
 * caller can settle it once the items are past that: what a replay holds is bounded by a window of time,
 * not by the items.
 */
export interface StoryStream {
  push(item: ReplayItem): number;
  readonly signature: string;
  readonly followUp: number | null;
  readonly lifeMs: number;
  /** A story more than this before an item (after its last one) is out of that item's reach, even as one to follow up. */
  readonly windowMs: number;
}

/** What the clustering made of one batch of items (StoryBatches.receive). */
export interface StoryBatch {
  /** Per item, what StoryStream.push returned for it. */
  assigned: ArrayLike<number>;
  /** The items that founded a story: their index in the batch, and the story's signature and follow-up (StoryStream's). */
  founded: { index: number; signature: string; followUp: number | null }[];
}

/**
 * The clustering of a replay in another thread: batches of items (in canonical order, each after the
 * one before) are sent as the store reads them and received, in the order sent, as it needs them, so
 * that the matching of one batch runs while the store writes what the batch before it came to.
 */
export interface StoryBatches {
  readonly lifeMs: number;
  readonly windowMs: number;
  /** Hands a batch over; returns at once. */
  send(items: ReplayItem[]): void;
  /**
   * What the oldest batch sent and not yet received came to; waits for it, calling `idle` meanwhile (a short
   * piece of other work each call, false once it has none) while the answer is not there. Throws
   * StoryThreadError when the thread failed.
   */
  receive(idle?: () => boolean): StoryBatch;
  /** Ends the thread (also after a failure). */
  close(): void;
}

/** The replay's thread failed (an error in it, or it stopped answering): the replay is run again in this one. */
export class StoryThreadError extends Error {
  override name = 'StoryThreadError';
}

export type StoryReplayer = ((known: StoryRow[]) => StoryStream) & {
  /** The clustering in another thread, for a replay of about `items` items; null where that would not pay (few items, one core). */
  threaded?: (known: StoryRow[], items: number) => StoryBatches | null;
};

/** How a store replays: the story index's windows, and (for tests) how many items it reads at once. */
export interface ReplayOptions {
  windowMs: number;
  memoryMs: number;
  lifeMs?: number;
  /** Item ids read per pass (default 200,000) and items sorted and replayed per batch (default 5,000). */
  read?: { pass?: number; batch?: number };
}

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

/**
 * What the fetch log says of the feeds that carry a topic, for moments/coverage.ts: each fetch that found
 * only new items (overflow) and the stretch it missed — from the feed's fetch before it to the oldest item
 * it brought — and, when there is one, each feed's span (its first fetch's oldest item to its last
 * successful fetch) and its items of the topic in the 14 days before the first gap.
 */
export interface TopicCoverage {
  gaps: { feedId: number; start: number; end: number }[];
  feeds: { feedId: number; first: number | null; last: number | null; items: number }[];
}

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
  /**
   * The definition the stored matches were made with, when they were made with this one before it: another
   * host or config redid them with its own, and this run redoes them again (each run of either does).
   */
  definedOtherwise?: string;
  /** When changed: the definition the stored matches were made with (absent for a topic new to the database). */
  was?: string;
}

export interface SavedMoment {
  /** The moment's id in the database (what `momentscan label` takes); null when a read-only store has not recorded it. */
  id: number | null;
  firstSeenAt: number;
  /** Recorded by no evaluation before this one. */
  isNew: boolean;
}

/** An account as stored: the CRM's company, its names, domain, handles and contacts. */
export interface AccountRecord {
  id: number;
  name: string;
  /** Registrable domain (the merge key), or null. */
  domain: string | null;
  aliases: string[];
  handles: string[];
  /** The CRM's own id (HubSpot Record ID, Salesforce Id), where the import had one. */
  externalId: string | null;
  /** The CSV flavour it was last imported from (hubspot-companies, salesforce-accounts...). */
  origin: string;
  contacts: { email: string | null; name: string | null; handles: string[]; externalId: string | null }[];
}

/** An account for listing: how many stored items involve it, and the newest one's time. */
export interface AccountRow extends AccountRecord {
  items: number;
  lastItemAt: number | null;
}

export interface ImportResult {
  added: number;
  updated: number;
  contacts: number;
  /** Accounts removed first (--replace). */
  removed: number;
  /** Contacts not stored: linked only by the CRM id of a company no stored account has. */
  unlinked: { line: number | null; who: string; companyId: string }[];
  /**
   * Accounts an earlier contacts import made for a company not yet imported, joined now by the company (by
   * its CRM id, else its name): `name` as the contact gave it, `into` the company's account.
   */
  joined: { id: number; name: string; into: number; intoName: string }[];
}

/** An item's fields that account matching reads. */
export interface MatchableAccountItem {
  id: number;
  title: string;
  summary: string;
  link: string | null;
  sourceDomain: string | null;
  author: string | null;
  authorEmail: string | null;
}

export interface AccountMatchRow {
  itemId: number;
  accountId: number;
  matchType: string;
  confidence: number;
}

/** An account an item involves, and how. */
export interface ItemAccount {
  id: number;
  name: string;
  domain: string | null;
  matchType: string;
  confidence: number;
}

export type { AccountImport, MomentAccount } from '../core/types.js';
/** A notification delivery as the outbox stores it (notify/outbox.ts reads the payload, a moment's JSON record). */
export interface DeliveryRow {
  id: string;
  momentId: number;
  alertNo: number;
  channel: string;
  event: string;
  route: number;
  topic: string;
  payload: string;
  eventAt: number;
  createdAt: number;
  notBefore: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  httpStatus: number | null;
  error: string | null;
  sentAt: number | null;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'silenced';

/** A delivery to add: one moment alert (alertNo 1, 2…; 0 = it ended) on one channel. */
export interface NewDeliveryRow {
  momentId: number;
  alertNo: number;
  channel: string;
  route: number;
  topic: string;
  payload: string;
  eventAt: number;
  notBefore: number;
  /** Enqueue as silenced (a silence covers the topic): recorded, never sent. */
  silenced: boolean;
  /**
   * Enqueue as failed with this reason, never sent: an alert notify missed (the moment fired and was over
   * while notify was not running). Its `alertNo` is the alert's, negated, so it never counts as announced.
   */
  missed?: string;
}

export interface SilenceRow {
  id: number;
  topic: string;
  startsAt: number;
  endsAt: number;
  comment: string | null;
  createdAt: number;
}

/** A planned event (a launch, a campaign): moments overlapping it, widened by its lead and lag, are planned. */
export interface PlannedEvent {
  id: number;
  /** A topic's name, or * for every topic. */
  topic: string;
  /** The iCalendar UID it was imported with; null when added by hand. */
  uid: string | null;
  start: number;
  /** Exclusive. */
  end: number;
  leadMs: number;
  lagMs: number;
  note: string | null;
  categories: string[];
  /** `cli`, or the file it was imported from. */
  source: string;
  createdAt: number;
}

export type NewEvent = Omit<PlannedEvent, 'id' | 'createdAt'>;

export type Verdict = 'real' | 'noise' | 'planned';
export const VERDICTS: readonly Verdict[] = ['real', 'noise', 'planned'];

/** A person's verdict on a recorded moment (`momentscan label`, or r/n in `watch`). */
export interface Label {
  momentId: number;
  topic: string;
  kind: string;
  direction: string;
  /** The moment's start and end as recorded. */
  start: number;
  end: number;
  verdict: Verdict;
  note: string | null;
  /** When the verdict was given: threshold learning counts from then. */
  at: number;
  source: string;
}

/** A recorded moment as `label` finds it by id. */
export interface RecordedMoment {
  id: number;
  topic: string;
  kind: string;
  direction: string;
  start: number;
  end: number;
  score: number;
  detail: string;
  firstSeenAt: number;
}
