import { randomBytes } from 'node:crypto';
import type { DeliveryRow, DeliveryStatus, OutboxStore, SilenceRow, Store } from '../store/store.js';
import type { EventType, MomentRecord } from './types.js';

/**
 * The delivery outbox (the store's OutboxStore; tables: migration 12 in store/migrations.ts). Enqueueing is
 * idempotent (one row per moment alert and channel), and a run claims the rows it sends with a lease, so
 * two runs at once (on one host or several sharing a PostgreSQL store) never send the same row, and a run
 * killed mid-send leaves rows that the next run sends again after the lease (under the same id).
 */

export type { DeliveryStatus };

export interface NewDelivery {
  momentId: number;
  alertNo: number;
  channel: string;
  route: number;
  topic: string;
  payload: MomentRecord;
  eventAt: number;
  notBefore: number;
  /** Enqueue as silenced (a silence covers the topic): recorded, never sent. */
  silenced: boolean;
}

/** A delivery as the outbox holds it, its payload read. */
export type OutboxRow = Omit<DeliveryRow, 'event' | 'payload'> & { event: EventType; payload: MomentRecord };

/** `msg_` and 26 random base32 characters: unique across databases, so receivers can deduplicate by it. */
export function newMessageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(26);
  let s = 'msg_';
  for (const b of bytes) s += alphabet[b & 31];
  return s;
}

function rowOf(r: DeliveryRow): OutboxRow {
  return { ...r, event: r.event as EventType, payload: JSON.parse(r.payload) as MomentRecord };
}

/** The outbox as notify uses it: the store's (store/sqlite/outbox.ts), with payloads as moment records. */
export class Outbox {
  private readonly box: OutboxStore;
  constructor(store: Store) {
    this.box = store.outbox;
  }

  /** The stored moment's id (moments are recorded by evaluate before alerts are enqueued). */
  momentId(topic: string, kind: string, direction: string, start: number): number | null {
    return this.box.momentId(topic, kind, direction, start);
  }

  /** Whether the channel has had (or has coming) an alert of the moment. */
  announced(momentId: number, channel: string): boolean {
    return this.box.announced(momentId, channel);
  }

  /**
   * Adds deliveries, in one transaction; those already there (same moment alert and channel) are left
   * as they are (see OutboxStore.enqueue). Returns the rows added.
   */
  enqueue(rows: NewDelivery[], now: number): OutboxRow[] {
    return this.box.enqueue(rows.map((r) => ({ ...r, payload: JSON.stringify(r.payload) })), now, newMessageId).map(rowOf);
  }

  /**
   * Claims rows to send now, in one transaction: `pick` sees every pending row that is due and not
   * leased (oldest first) and returns those to send; they are leased to `token` until `leaseUntil`.
   * `settle` may mark rows silenced or failed on the way (their topic is silenced, their channel gone).
   */
  claim(
    now: number,
    token: string,
    leaseUntil: number,
    pick: (due: OutboxRow[], pending: OutboxRow[]) => { send: OutboxRow[]; settle: { id: string; status: DeliveryStatus; error: string | null }[] },
  ): OutboxRow[] {
    const parsed = new Map<string, OutboxRow>();
    const sent = this.box.claim(now, token, leaseUntil, (rows) => {
      const pending = rows.map(rowOf);
      for (const r of pending) parsed.set(r.id, r);
      const due = pending.filter((r) => r.nextAttemptAt <= now && r.notBefore <= now);
      const { send, settle } = pick(due, pending);
      return { send: send.map((r) => ({ ...r, payload: '' })), settle };
    });
    return sent.map((r) => parsed.get(r.id)!);
  }

  /** Records how a leased row went (only while the lease is still this run's). */
  finish(
    results: { id: string; outcome: 'sent' | 'retry' | 'failed' | 'released'; at: number; httpStatus: number | null; error: string | null; nextAttemptAt?: number }[],
    token: string,
  ): void {
    this.box.finish(results, token);
  }

  /** When a route last sent a message to a channel (for its minimum interval). */
  lastSent(route: number, channel: string): number | null {
    return this.box.lastSent(route, channel);
  }

  /** Deliveries created since `since`, newest first. */
  list(since: number, limit: number, status?: DeliveryStatus): OutboxRow[] {
    return this.box.list(since, limit, status).map(rowOf);
  }

  // -- endpoints gone (410) --

  /** The latest evaluation time a notify run queued the alerts up to (null: none yet). */
  evaluatedTo(): number | null {
    return this.box.evaluatedTo();
  }

  markEvaluated(at: number): void {
    this.box.markEvaluated(at);
  }

  goneSince(channel: string, endpoint: string): number | null {
    return this.box.goneSince(channel, endpoint);
  }

  markGone(channel: string, endpoint: string, at: number): void {
    this.box.markGone(channel, endpoint, at);
  }

  clearGone(channel: string): void {
    this.box.clearGone(channel);
  }

  // -- silences --

  addSilence(s: { topic: string; startsAt: number; endsAt: number; comment: string | null }, now: number): number {
    return this.box.addSilence(s, now);
  }

  silences(at: number | null): Silence[] {
    return this.box.silences(at).map(readableSilence);
  }

  removeSilence(id: number): boolean {
    return this.box.removeSilence(id);
  }
}

export type Silence = SilenceRow;

/**
 * The longest silence (`silence add --for`, `watch --mute-for`): 100 years. Longer ones ended past the last
 * time a date can hold, and every list of silences failed on them ('Invalid time value').
 */
export const MAX_SILENCE_MS = 36_500 * 86_400_000;

/** The latest time a Date holds (ms): any stored time past it reads as 'Invalid time value'. */
const MAX_DATE_MS = 8.64e15;

/**
 * A stored silence as the commands can show it, whatever its row holds: one stored before the 100-year cap
 * (`--for 999999999d`) or damaged ends 100 years after it began (in effect, never), a start or creation
 * time that is no time is the epoch. (Such a row broke `silence list`, watch and notify: 'Invalid time value'.)
 */
function readableSilence(s: Silence): Silence {
  const time = (v: unknown, or: number) => {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) && Math.abs(n) <= MAX_DATE_MS ? n : or;
  };
  const startsAt = time(s.startsAt, 0);
  const endsAt = Math.min(time(s.endsAt, Infinity), startsAt + MAX_SILENCE_MS);
  const createdAt = time(s.createdAt, startsAt);
  return startsAt === s.startsAt && endsAt === s.endsAt && createdAt === s.createdAt ? s : { ...s, startsAt, endsAt, createdAt };
}

/** Is the topic silenced at `at` (by its own silence or one for every topic, `*`)? */
export function silenced(silences: Silence[], topic: string, at: number): Silence | null {
  const t = topic.toLowerCase();
  return silences.find((s) => s.startsAt <= at && at < s.endsAt && (s.topic === '*' || s.topic.toLowerCase() === t)) ?? null;
}

/**
 * Until when the topic stays silenced from `at` on, through every silence of it (or of every topic) that
 * holds it, overlapping or back to back — not only the first found — and whether one of every topic (*) is
 * among those in force at `at`; null when it is not silenced at `at`.
 */
export function silencedUntil(silences: Silence[], topic: string, at: number): { until: number; byAll: boolean } | null {
  const t = topic.toLowerCase();
  const its = silences.filter((s) => s.startsAt < s.endsAt && (s.topic === '*' || s.topic.toLowerCase() === t));
  const now = its.filter((s) => s.startsAt <= at && at < s.endsAt);
  if (now.length === 0) return null;
  let until = Math.max(...now.map((s) => s.endsAt));
  for (let longer = true; longer; ) {
    longer = false;
    for (const s of its) {
      if (s.startsAt <= until && s.endsAt > until) {
        until = s.endsAt;
        longer = true;
      }
    }
  }
  return { until, byAll: now.some((s) => s.topic === '*') };
}
