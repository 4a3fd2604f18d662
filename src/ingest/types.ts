export type FeedStatus = 'ok' | 'not-modified' | 'failed' | 'skipped';

/** The result of one feed in a fetch run, as reported. */
export interface FeedResult {
  /** The URL as configured. */
  url: string;
  /** Where it was fetched from (differs after a permanent redirect). */
  fetchUrl: string;
  title: string | null;
  status: FeedStatus;
  httpStatus: number | null;
  itemsSeen: number;
  itemsNew: number;
  bytes: number;
  durationMs: number;
  error: string | null;
  /** Tries it took; 0 when skipped. */
  attempts: number;
  /** Failed runs in a row, this one included. */
  consecutiveFailures: number;
  /** It has never been fetched successfully (this run included). */
  neverOk?: boolean;
  /** Every item was unseen although the feed had items before: it may drop items between fetches. */
  overflow: boolean;
  /** Why it was skipped, that it moved or was retired. */
  notice: string | null;
  /** Not fetched again before this time (null: next run). */
  nextDueAt: number | null;
  fetchedAt: number;
}

export interface FetchSummary {
  feeds: FeedResult[];
  interrupted: boolean;
  /** Interrupted before the story replay: the new items' stories are put together by the next fetch. */
  replayLeft?: boolean;
  /** Interrupted during the story replay (rolled back, left to the next fetch): every feed due was fetched. */
  replayInterrupted?: boolean;
  /** Failed runs in a row that make a warning. */
  warnAfter: number;
  /**
   * A database shared by a team (PostgreSQL): topics other processes matched new items to in the last day
   * that this config lacks (its new items are not matched to them).
   */
  topicsElsewhere?: string[];
  /**
   * Topics whose stored matches another host (or config) made with another definition, this config's before
   * it: this run redid them with its own, and the next run of the other will again.
   */
  topicsDefinedOtherwise?: { name: string; here: string; there: string }[];
}
