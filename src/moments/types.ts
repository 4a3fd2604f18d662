import type { Moment, StoredItem } from '../core/types.js';
import type { RankedMoment } from '../rank/rank.js';
import type { MomentNotes } from './notes.js';
import type { Threshold } from './thresholds.js';

export type { MomentNotes } from './notes.js';
export type { Adjustment, Threshold } from './thresholds.js';
import type { ItemAccount } from '../store/model.js';

/**
 * What the moments stage hands to render: a reported moment, the digest model, a topic's state. The
 * renderers re-export these types; they are defined here, where they are made.
 */

export interface MomentRow extends RankedMoment, MomentNotes {
  /** When this moment was first reported (the evaluation time of the first run that saw it). */
  firstSeenAt: number;
}

/** One bucket of a moment's volume chart. */
export interface DigestBucket {
  /** Bucket start, epoch ms UTC. */
  start: number;
  /** Stories in the bucket. */
  count: number;
  /** Mean sentiment of its scored stories, or null. */
  tone: number | null;
  /** The bucket is part of the moment (flagged run), not the lead-in before it. */
  inMoment: boolean;
}

export interface DigestMoment extends Moment, Partial<MomentNotes> {
  /** When momentscan first reported this moment. */
  firstSeenAt: number;
  /** The moment's buckets and a few before it, oldest first (empty when unknown). */
  series: DigestBucket[];
  /** How long each of `series`'s bars is, when a long moment has several buckets to a bar (else `bucketMs`). */
  seriesBucketMs?: number;
}

export interface DigestModel {
  /** The period covered: [periodStart, periodEnd]. */
  periodStart: number;
  periodEnd: number;
  /** Names of the topics looked at. */
  topics: string[];
  /** First reported within the period. */
  new: DigestMoment[];
  /** Still going at the end of the period, first reported before it. */
  ongoing: DigestMoment[];
  /** Reported before or during the period, no longer going at its end. */
  faded: DigestMoment[];
  /** When the digest was made (shown in its footer). */
  generatedAt: number;
  /** The zone its times are shown in (defaults.timeZone, --tz); absent: UTC. Its period is stored as UTC instants. */
  timeZone?: string;
  /** False when the database holds no items at all (nothing could be judged); absent: not known. */
  itemsStored?: boolean;
  /** Topics still learning at the end of the period: from when they are judged (null: no items yet); firstItemAt: none stored by then, the first from this time. */
  learning?: { topic: string; until: number | null; firstItemAt?: number }[];
  /**
   * When the configured feeds were last read, if that is well before the period's end (a fetch cron that
   * stopped, a laptop closed): what was published since is in no digest yet. Absent when they were read.
   */
  notFetchedSince?: number;
}

/** A configured topic as `momentscan topics` shows it. */
export interface TopicRow {
  name: string;
  /** The query in its canonical form; null for a topic of whole feeds. */
  query: string | null;
  feeds: number;
  /** The kinds of source its feeds are (google-news, reddit, rss...). */
  sources: string[];
  items: number;
  stories: number;
  firstItemAt: number | null;
  /** Judged from this time on; null while it has no items. */
  learningUntil: number | null;
  learning: boolean;
  lastMoment: { kind: string; direction: string; start: number; end: number; score: number } | null;
  /** The surprise its moments must reach to alert: the sensitivity's, moved by labels (moments/thresholds.ts). */
  threshold: Threshold;
  /** Verdicts given on its moments. */
  labels: { real: number; noise: number; planned: number };
}

export type FeedState = 'ok' | 'failing' | 'retired' | 'new';

/** A configured feed's health, as `momentscan feeds` reports it. */
export interface FeedHealthRow {
  url: string;
  fetchUrl: string;
  /** The config's title for it, else the feed's own. */
  title: string | null;
  /** The topics it is a feed of (none: a plain feed, matched against every topic). */
  topics: string[];
  state: FeedState;
  lastFetchedAt: number | null;
  lastSuccessAt: number | null;
  consecutiveFailures: number;
  /** Fetches in the window (30 days) and how many were answered 304 / failed. */
  fetches: number;
  notModifiedRatio: number | null;
  failures: number;
  itemsPerDay: number;
  items: number;
  overflows: number;
  error: string | null;
  nextDueAt: number | null;
}

/** A stored item as `momentscan items` lists it. */
export interface ItemRow extends StoredItem {
  /** Names of the topics it belongs to. */
  topics: string[];
  /** With --explain: per topic, the query terms it matched. */
  why: Record<string, string[]> | null;
  /** The known accounts it involves, and how (strongest first). */
  accounts: ItemAccount[];
}
