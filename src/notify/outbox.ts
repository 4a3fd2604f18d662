import { randomBytes } from 'node:crypto';
import type { DB } from '../store/db.js';
import { sqliteOf, type Store } from '../store/store.js';
import type { EventType, MomentRecord } from './types.js';

/**
 * The delivery outbox (tables: migration 12 in store/migrations.ts). Writes are immediate transactions: enqueueing
 * is idempotent (one row per moment alert and channel), and a run claims the rows it sends with a lease,
 * so two runs at once never send the same row, and a run killed mid-send leaves rows that the next run
 * sends again after the lease (under the same id).
 */

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'silenced';

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

export interface OutboxRow {
  id: string;
  momentId: number;
  alertNo: number;
  channel: string;
  event: EventType;
  route: number;
  topic: string;
  payload: MomentRecord;
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

/** `msg_` and 26 random base32 characters: unique across databases, so receivers can deduplicate by it. */
export function newMessageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(26);
  let s = 'msg_';
  for (const b of bytes) s += alphabet[b & 31];
  return s;
}

const COLUMNS = `id, moment_id AS momentId, alert_no AS alertNo, channel, event, route, topic, payload, event_at AS eventAt,
  created_at AS createdAt, not_before AS notBefore, status, attempts, next_attempt_at AS nextAttemptAt,
  last_attempt_at AS lastAttemptAt, http_status AS httpStatus, error, sent_at AS sentAt`;

function rowOf(r: Record<string, unknown>): OutboxRow {
  return { ...(r as unknown as OutboxRow), payload: JSON.parse(r.payload as string) as MomentRecord };
}

export class Outbox {
  private readonly db: DB;
  constructor(store: Store) {
    this.db = sqliteOf(store);
  }

  /** The stored moment's id (moments are recorded by evaluate before alerts are enqueued). */
  momentId(topic: string, kind: string, direction: string, start: number): number | null {
    const row = this.db
      .prepare('SELECT m.id FROM moments m JOIN topics t ON t.id = m.topic_id WHERE t.name = ? AND m.kind = ? AND m.direction = ? AND m.start_at = ?')
      .pluck()
      .get(topic, kind, direction, start) as number | undefined;
    return row ?? null;
  }

  /** Whether the channel has had (or has coming) an alert of the moment. */
  announced(momentId: number, channel: string): boolean {
    return this.db.prepare("SELECT 1 FROM notify_outbox WHERE moment_id = ? AND channel = ? AND alert_no > 0 AND status != 'silenced'").pluck().get(momentId, channel) !== undefined;
  }

  /**
   * Adds deliveries, in one transaction; those already there (same moment alert and channel) are left
   * as they are. An alert is `moment.detected` on a channel that has had nothing of the moment yet,
   * `moment.grew` after that; an end (alertNo 0) is enqueued only where the moment was announced.
   * Returns the rows added.
   */
  enqueue(rows: NewDelivery[], now: number): OutboxRow[] {
    const prior = this.db.prepare("SELECT count(*) FROM notify_outbox WHERE moment_id = ? AND channel = ? AND alert_no > 0 AND status != 'silenced'").pluck();
    const insert = this.db.prepare(
      `INSERT INTO notify_outbox (id, moment_id, alert_no, channel, event, route, topic, payload, event_at, created_at, not_before, status, next_attempt_at)
       VALUES (@id, @momentId, @alertNo, @channel, @event, @route, @topic, @payload, @eventAt, @now, @notBefore, @status, @now)
       ON CONFLICT (moment_id, channel, alert_no) DO NOTHING`,
    );
    const get = this.db.prepare(`SELECT ${COLUMNS} FROM notify_outbox WHERE id = ?`);
    const tx = this.db.transaction(() => {
      const added: OutboxRow[] = [];
      for (const r of rows) {
        const announced = (prior.get(r.momentId, r.channel) as number) > 0;
        let event: EventType;
        if (r.alertNo === 0) {
          if (!announced) continue;
          event = 'moment.ended';
        } else event = announced ? 'moment.grew' : 'moment.detected';
        const id = newMessageId();
        const info = insert.run({
          id,
          momentId: r.momentId,
          alertNo: r.alertNo,
          channel: r.channel,
          event,
          route: r.route,
          topic: r.topic,
          payload: JSON.stringify(r.payload),
          eventAt: r.eventAt,
          now,
          notBefore: r.notBefore,
          status: r.silenced ? 'silenced' : 'pending',
        });
        if (info.changes > 0) added.push(rowOf(get.get(id) as Record<string, unknown>));
      }
      return added;
    });
    return tx.immediate();
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
    const tx = this.db.transaction(() => {
      const pending = (
        this.db
          .prepare(`SELECT ${COLUMNS} FROM notify_outbox WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, rowid`)
          .all(now) as Record<string, unknown>[]
      ).map(rowOf);
      const due = pending.filter((r) => r.nextAttemptAt <= now && r.notBefore <= now);
      const { send, settle } = pick(due, pending);
      const mark = this.db.prepare('UPDATE notify_outbox SET status = ?, error = coalesce(?, error) WHERE id = ?');
      for (const s of settle) mark.run(s.status, s.error, s.id);
      const lease = this.db.prepare('UPDATE notify_outbox SET lease_until = ?, lease_token = ? WHERE id = ?');
      for (const r of send) lease.run(leaseUntil, token, r.id);
      return send;
    });
    return tx.immediate();
  }

  /** Records how a leased row went (only while the lease is still this run's). */
  finish(
    results: { id: string; outcome: 'sent' | 'retry' | 'failed' | 'released'; at: number; httpStatus: number | null; error: string | null; nextAttemptAt?: number }[],
    token: string,
  ): void {
    const sent = this.db.prepare(
      "UPDATE notify_outbox SET status = 'sent', sent_at = @at, attempts = attempts + 1, last_attempt_at = @at, http_status = @httpStatus, error = NULL, lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token",
    );
    const retry = this.db.prepare(
      'UPDATE notify_outbox SET attempts = attempts + 1, last_attempt_at = @at, http_status = @httpStatus, error = @error, next_attempt_at = @next, lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token',
    );
    const failed = this.db.prepare(
      "UPDATE notify_outbox SET status = 'failed', attempts = attempts + 1, last_attempt_at = @at, http_status = @httpStatus, error = @error, lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token",
    );
    const release = this.db.prepare('UPDATE notify_outbox SET lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token');
    this.db
      .transaction(() => {
        for (const r of results) {
          const p = { id: r.id, token, at: r.at, httpStatus: r.httpStatus, error: r.error, next: r.nextAttemptAt ?? r.at };
          if (r.outcome === 'sent') sent.run(p);
          else if (r.outcome === 'retry') retry.run(p);
          else if (r.outcome === 'failed') failed.run(p);
          else release.run({ id: r.id, token });
        }
      })
      .immediate();
  }

  /** When a route last sent a message to a channel (for its minimum interval). */
  lastSent(route: number, channel: string): number | null {
    return (this.db.prepare("SELECT max(sent_at) FROM notify_outbox WHERE route = ? AND channel = ? AND status = 'sent'").pluck().get(route, channel) as number | null) ?? null;
  }

  /** Deliveries created since `since`, newest first. */
  list(since: number, limit: number, status?: DeliveryStatus): OutboxRow[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM notify_outbox WHERE created_at >= ? ${status ? 'AND status = ?' : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
      .all(...(status ? [since, status, limit] : [since, limit])) as Record<string, unknown>[];
    return rows.map(rowOf);
  }

  // -- endpoints gone (410) --

  goneSince(channel: string, endpoint: string): number | null {
    return (this.db.prepare('SELECT gone_at FROM notify_gone WHERE channel = ? AND endpoint = ?').pluck().get(channel, endpoint) as number | undefined) ?? null;
  }

  markGone(channel: string, endpoint: string, at: number): void {
    this.db.prepare('INSERT INTO notify_gone (channel, endpoint, gone_at) VALUES (?, ?, ?) ON CONFLICT (channel) DO UPDATE SET endpoint = excluded.endpoint, gone_at = excluded.gone_at').run(channel, endpoint, at);
  }

  clearGone(channel: string): void {
    this.db.prepare('DELETE FROM notify_gone WHERE channel = ?').run(channel);
  }

  // -- silences --

  addSilence(s: { topic: string; startsAt: number; endsAt: number; comment: string | null }, now: number): number {
    return Number(
      this.db.prepare('INSERT INTO notify_silences (topic, starts_at, ends_at, comment, created_at) VALUES (?, ?, ?, ?, ?)').run(s.topic, s.startsAt, s.endsAt, s.comment, now)
        .lastInsertRowid,
    );
  }

  silences(at: number | null): Silence[] {
    const sql = `SELECT id, topic, starts_at AS startsAt, ends_at AS endsAt, comment, created_at AS createdAt FROM notify_silences ${at === null ? '' : 'WHERE ends_at > ?'} ORDER BY starts_at, id`;
    return (at === null ? this.db.prepare(sql).all() : this.db.prepare(sql).all(at)) as Silence[];
  }

  removeSilence(id: number): boolean {
    return this.db.prepare('DELETE FROM notify_silences WHERE id = ?').run(id).changes > 0;
  }
}

export interface Silence {
  id: number;
  topic: string;
  startsAt: number;
  endsAt: number;
  comment: string | null;
  createdAt: number;
}

/** Is the topic silenced at `at` (by its own silence or one for every topic, `*`)? */
export function silenced(silences: Silence[], topic: string, at: number): Silence | null {
  const t = topic.toLowerCase();
  return silences.find((s) => s.startsAt <= at && at < s.endsAt && (s.topic === '*' || s.topic.toLowerCase() === t)) ?? null;
}
