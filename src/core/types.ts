/** Shared data shapes passed between the pipeline stages. Times are epoch milliseconds, UTC. */

/** One item as read from a feed, cleaned and normalised, before it is stored. */
export interface ParsedItem {
  /** Stable id: the feed's guid/id, else the link, else a hash of title and date. */
  guid: string;
  /** Plain text, entities decoded, whitespace collapsed, control characters removed. */
  title: string;
  /** Plain text reduced from the summary/description/content (HTML stripped), possibly empty. */
  summary: string;
  /** Absolute URL, resolved against the feed's URL and unwrapped from redirectors (Google Alerts, Bing, Google News), or null. */
  link: string | null;
  /** The link without fragment and tracking parameters (utm_*, fbclid, gclid...), or null. */
  canonicalUrl: string | null;
  author: string | null;
  /** The author's e-mail address where the feed gives one (RSS `<author>`), lower case; absent otherwise. */
  authorEmail?: string;
  /** Publisher name where the feed says it (RSS `<source>`, Google News " - Outlet" suffix), else null. */
  source: string | null;
  /** Host name of the publisher (the `<source url>` if present, else the link's host, without `www.`). */
  sourceDomain: string | null;
  /** Publication time, epoch ms UTC. When the feed gives none, the fetch time. */
  publishedAt: number;
  /** True when publishedAt is the fetch time because the feed gave no usable date. */
  dateEstimated: boolean;
}

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

export interface ParsedFeed {
  title: string | null;
  /** The site link the feed declares, or null. */
  link: string | null;
  format: FeedFormat;
  items: ParsedItem[];
  /** RSS <ttl>: how long the publisher says the feed may be cached, or null. */
  ttlMs: number | null;
  /** The language the feed declares (RSS <language>, JSON Feed language), as written, or null. */
  language: string | null;
}

/** An item once enriched: sentiment in [-1, 1] (null when unscorable) and the topics it matches. */
export interface EnrichedItem extends ParsedItem {
  sentiment: number | null;
  /** ISO 639-1, or null when it could not be told. */
  language: string | null;
  topics: string[];
  /** The known accounts (CRM companies) it involves, and how (enrich/accounts.ts); absent when none are known. */
  accounts?: { accountId: number; matchType: string; confidence: number }[];
}

/** An item as read back from the store, for explanations and listings. */
export interface StoredItem {
  id: number;
  title: string;
  summary: string;
  link: string | null;
  source: string | null;
  sourceDomain: string | null;
  feedUrl: string;
  /** The kind of source the feed is (google-news, reddit, hackernews, mastodon, rss...). */
  feedKind: string;
  publishedAt: number;
  sentiment: number | null;
  language: string | null;
  storyId: number | null;
}

/** Per topic, per time bucket: what the detector works on. */
export interface Bucket {
  /** Bucket start, epoch ms UTC, aligned to the bucket size. */
  start: number;
  /** Stories in the bucket (each story counted once, at its first copy): what volume is. */
  count: number;
  /** Items in the bucket, every copy of a story included (echo). */
  items?: number;
  /** Stories with a sentiment score. */
  scored: number;
  /** Sum of sentiment scores and of their squares, over the scored stories. */
  sentimentSum: number;
  sentimentSumSq: number;
  /** Distinct sources in the bucket (not required by the detector; 0 when unknown). */
  sources?: number;
}

/** A known account (a CRM company) a moment's items involve. */
export interface MomentAccount {
  id: number;
  name: string;
  domain: string | null;
  /** The moment's items that involve it. */
  items: number;
  /** The strongest of those items' matches (0–1). */
  confidence: number;
}

export type MomentKind = 'volume-spike' | 'sentiment-shift';
export type MomentDirection = 'up' | 'down' | 'negative' | 'positive';
export type MomentStage = 'new' | 'rising' | 'peaked' | 'fading';

export interface MomentExample {
  title: string;
  link: string | null;
  source: string | null;
  publishedAt: number;
  sentiment: number | null;
}

/** A detected moment, before and after explanation. */
export interface Moment {
  topic: string;
  kind: MomentKind;
  direction: MomentDirection;
  /** Surprise at the peak bucket: -log10 of the tail probability, capped. Comparable across topics. */
  score: number;
  /** Tail probability of the peak bucket under the baseline. */
  pValue: number;
  /** First flagged bucket's start, peak bucket's start, end of the last flagged bucket (exclusive). */
  start: number;
  peak: number;
  end: number;
  bucketMs: number;
  /** The last flagged bucket is the bucket containing the evaluation time (or the one just before). */
  ongoing: boolean;
  /**
   * Where it is in its life at the evaluation time: `new` (just began), `rising` (its latest bucket is its
   * strongest), `peaked` (still going, past its strongest bucket), `fading` (no longer flagged).
   */
  stage: MomentStage;
  /** When a run would first have reported it: the end of its first flagged bucket. */
  firedAt: number;
  /**
   * How many times it has alerted by the evaluation time: once when it fired, and again each time a
   * bucket's stories (scored stories, for a tone shift) reached twice its peak when it last alerted.
   */
  alerts: number;
  /** When it last alerted (firedAt, or the end of the bucket where it last doubled). */
  alertedAt: number;
  /** Stories per bucket from a few buckets before the moment to its end (for a sparkline). */
  storySeries: number[];
  /** Hours from the moment's start to the evaluation time. */
  hoursSinceOnset: number;
  /** The latest bucket's stories (or tone shift) over the one before it within the moment; null for a one-bucket moment. */
  growth: number | null;
  /** Items in the peak bucket, and how many the baseline expected there. */
  observed: number;
  expected: number;
  /** Stories over the whole moment, and how many the baseline expected over it. */
  totalStories: number;
  expectedTotal: number;
  /** Items over the whole moment, every copy of a story included: totalItems / totalStories is the echo. */
  totalItems: number;
  /** Mean sentiment over the moment's items and over the baseline, and how many items were scored. */
  sentimentNow: number | null;
  sentimentBaseline: number | null;
  sentimentItems: number;
  /** Filled in by explain(). */
  distinctSources: number;
  topSources: string[];
  /** Kinds of source carrying it (news, reddit, hackernews, mastodon, web), most items first. */
  sourceTypes: string[];
  topTerms: string[];
  examples: MomentExample[];
  /** Known accounts its items involve, most items first (filled in where the store is at hand; absent: none). */
  accounts?: MomentAccount[];
  /** Reasons to read the numbers with care (a feed that may have dropped items around then...). */
  caveats: string[];
}

/** What one CSV file of accounts or contacts brings: accounts keyed by `key` (domain, or name:…), and contacts pointing at them. */
export interface AccountImport {
  origin: string;
  accounts: {
    key: string;
    name: string;
    /** The normalised name (core/names.ts): the merge key of an account without a domain. */
    nameKey: string;
    domain: string | null;
    aliases: string[];
    handles: string[];
    externalId: string | null;
    /** The flavour its CRM id is of, where the file says (momentscan's own `accounts list --csv`); else the batch's. */
    origin?: string;
    /** Made from a contact's company or e-mail domain: joins an account already stored without renaming it. */
    fromContact?: boolean;
  }[];
  contacts: {
    accountKey: string | null;
    accountExternalId: string | null;
    email: string | null;
    name: string | null;
    handles: string[];
    externalId: string | null;
    /** The file's line it was read from (said when it cannot be stored). */
    line?: number;
  }[];
}
