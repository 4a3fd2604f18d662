import type { ChannelConfig } from '../config/notify.js';
import type { DigestBucket, DigestModel } from '../render/digest.js';

/**
 * Notifications: moments sent to people as they happen, and digests. Every channel is a Sink: it turns
 * one or more alert events (or a digest) into its service's message and posts it. The outbox (outbox.ts)
 * decides what is sent when; sinks only send. A new kind of channel is one file in sinks/.
 */

export type EventType = 'moment.detected' | 'moment.grew' | 'moment.ended';

/** One alert of one moment, as it is delivered: the outbox row's id, type, time and the moment's record. */
export interface AlertEvent {
  /** The outbox id (`msg_...`): Standard Webhooks' `webhook-id`, stable across retries. */
  id: string;
  type: EventType | 'momentscan.test';
  /** When it alerted (or ended), epoch ms. */
  eventAt: number;
  /** The moment's JSON record (`moments --json`, schemaVersion first) as it stood at the alert. */
  data: MomentRecord;
  /**
   * For an email: the moment's chart as the digest draws it (several buckets to a bar for a long moment),
   * from the stored counts up to the alert; without it, the record's storySeries (its last 16 buckets).
   */
  chart?: { series: DigestBucket[]; seriesBucketMs?: number };
}

/** The fields of a moment's JSON record that messages show (the record carries more; see README "JSON fields"). */
export interface MomentRecord {
  schemaVersion: number;
  topic: string;
  kind: string;
  direction: string;
  score: number;
  attention: number;
  start: string;
  peak: string;
  end: string;
  ongoing: boolean;
  stage: string;
  bucket: string;
  observed: number;
  expected: number;
  ratio: number | null;
  totalStories: number;
  sentimentNow: number | null;
  sentimentBaseline: number | null;
  distinctSources: number;
  topSources: string[];
  sourceTypes: string[];
  topTerms: string[];
  examples: { title: string; link: string | null; source: string | null; publishedAt: string; sentiment: number | null }[];
  alerts: number;
  firedAt: string;
  alertedAt: string;
  /** Known accounts involved (absent in records queued before accounts existed). */
  accounts?: { id: number; name: string; domain: string | null; items: number; confidence: number }[];
  [key: string]: unknown;
}

export interface SendContext {
  /** Aborts at the run's overall deadline. */
  signal: AbortSignal;
  /** Per request. */
  timeoutMs: number;
  /** Real time now (the webhook timestamp). */
  now: number;
  /** The team's zone the messages' times are shown in (defaults.timeZone, --tz); absent: UTC. Webhook JSON stays UTC. */
  timeZone?: string;
}

export type SendOutcome =
  | { ok: true; status: number | null }
  | {
      ok: false;
      /** Worth another try later: timeouts, dropped connections, 408, 429, 5xx. */
      retryable: boolean;
      /** 410 Gone: the endpoint is retired; nothing more is sent to it. */
      gone?: boolean;
      status: number | null;
      /** One line, without the endpoint's secret parts. */
      error: string;
      /** The receiver asked to wait this long (Retry-After). */
      retryAfterMs?: number;
    };

/** Who a digest reached. */
export interface DigestReceipt {
  accepted: string[];
  /** Recipients the server refused (the others got it). */
  rejected: string[];
  /** Where it went, for people: `smtp://user@host:587`. */
  via: string;
}

export interface Sink {
  readonly channel: ChannelConfig;
  /** How many events one message may carry (a signed webhook: one per message). */
  readonly batch: number;
  /** Delivers alert events (at most `batch`) as one message; never throws: the outcome says what happened. */
  send(events: AlertEvent[], ctx: SendContext): Promise<SendOutcome>;
  /**
   * Delivers a digest as one message, for `digest --send` (email today). A digest is sent while someone or
   * cron waits, with no outbox to retry it: failing, it throws a MomentscanError saying what to do.
   * Sinks without it do not carry digests.
   */
  sendDigest?(model: DigestModel, ctx: { now: number }): Promise<DigestReceipt>;
}
