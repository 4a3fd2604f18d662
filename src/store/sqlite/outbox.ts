/**
 * The notification outbox's tables (migration 12): deliveries, endpoints gone, silences. Writes are
 * transactions: enqueueing is idempotent (one row per moment alert and channel, unique in the schema, so
 * two hosts enqueueing at once add it once), and a run claims the rows it sends with a lease, so two runs
 * at once never send the same row, and a run killed mid-send leaves rows that the next run sends again
 * after the lease (under the same id). What the rows mean is notify/outbox.ts's business.
 */
import type { OutboxStore } from '../api.js';
import type { DeliveryRow, DeliveryStatus, NewDeliveryRow, SilenceRow } from '../model.js';
import { SqlitePart } from './part.js';

const COLUMNS = `id, moment_id AS momentId, alert_no AS alertNo, channel, event, route, topic, payload, event_at AS eventAt,
  created_at AS createdAt, not_before AS notBefore, status, attempts, next_attempt_at AS nextAttemptAt,
  last_attempt_at AS lastAttemptAt, http_status AS httpStatus, error, sent_at AS sentAt`;

export class SqliteOutbox extends SqlitePart implements OutboxStore {
  momentId(topic: string, kind: string, direction: string, start: number): number | null {
    return this.guard(
      () =>
        (this.stmt('SELECT m.id FROM moments m JOIN topics t ON t.id = m.topic_id WHERE t.name = ? AND m.kind = ? AND m.direction = ? AND m.start_at = ?')
          .pluck()
          .get(topic, kind, direction, start) as number | undefined) ?? null,
    );
  }

  announced(momentId: number, channel: string): boolean {
    return this.guard(
      () => this.stmt("SELECT 1 FROM notify_outbox WHERE moment_id = ? AND channel = ? AND alert_no > 0 AND status <> 'silenced'").pluck().get(momentId, channel) !== undefined,
    );
  }

  enqueue(rows: NewDeliveryRow[], now: number, newId: () => string): DeliveryRow[] {
    return this.guard(() => {
      const prior = this.stmt("SELECT count(*) FROM notify_outbox WHERE moment_id = ? AND channel = ? AND alert_no > 0 AND status <> 'silenced'").pluck();
      const insert = this.stmt(
        `INSERT INTO notify_outbox (id, moment_id, alert_no, channel, event, route, topic, payload, event_at, created_at, not_before, status, next_attempt_at, error)
         VALUES (@id, @momentId, @alertNo, @channel, @event, @route, @topic, @payload, @eventAt, @now, @notBefore, @status, @now, @error)
         ON CONFLICT (moment_id, channel, alert_no) DO NOTHING`,
      );
      const get = this.stmt(`SELECT ${COLUMNS} FROM notify_outbox WHERE id = ?`);
      const tx = this.db.transaction(() => {
        const added: DeliveryRow[] = [];
        for (const r of rows) {
          const announced = (prior.get(r.momentId, r.channel) as number) > 0;
          let event: string;
          if (r.alertNo === 0) {
            if (!announced) continue;
            event = 'moment.ended';
          } else event = announced ? 'moment.grew' : 'moment.detected';
          const id = newId();
          const info = insert.run({
            id,
            momentId: r.momentId,
            alertNo: r.alertNo,
            channel: r.channel,
            event,
            route: r.route,
            topic: r.topic,
            payload: r.payload,
            eventAt: r.eventAt,
            now,
            notBefore: r.notBefore,
            status: r.silenced ? 'silenced' : r.missed ? 'failed' : 'pending',
            error: r.silenced ? null : (r.missed ?? null),
          });
          if (info.changes > 0) added.push(get.get(id) as DeliveryRow);
        }
        return added;
      });
      return tx.immediate();
    });
  }

  claim(
    now: number,
    token: string,
    leaseUntil: number,
    pick: (pending: DeliveryRow[]) => { send: DeliveryRow[]; settle: { id: string; status: DeliveryStatus; error: string | null }[] },
  ): DeliveryRow[] {
    return this.guard(() => {
      const tx = this.db.transaction(() => {
        const pending = this.stmt(
          `SELECT ${COLUMNS} FROM notify_outbox WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, rowid`,
        ).all(now) as DeliveryRow[];
        const { send, settle } = pick(pending);
        const mark = this.stmt('UPDATE notify_outbox SET status = ?, error = coalesce(?, error) WHERE id = ?');
        for (const s of settle) mark.run(s.status, s.error, s.id);
        const lease = this.stmt('UPDATE notify_outbox SET lease_until = ?, lease_token = ? WHERE id = ?');
        for (const r of send) lease.run(leaseUntil, token, r.id);
        return send;
      });
      return tx.immediate();
    });
  }

  finish(
    results: { id: string; outcome: 'sent' | 'retry' | 'failed' | 'released'; at: number; httpStatus: number | null; error: string | null; nextAttemptAt?: number }[],
    token: string,
  ): void {
    this.guard(() => {
      const sent = this.stmt(
        "UPDATE notify_outbox SET status = 'sent', sent_at = @at, attempts = attempts + 1, last_attempt_at = @at, http_status = @httpStatus, error = NULL, lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token",
      );
      const retry = this.stmt(
        'UPDATE notify_outbox SET attempts = attempts + 1, last_attempt_at = @at, http_status = @httpStatus, error = @error, next_attempt_at = @next, lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token',
      );
      const failed = this.stmt(
        "UPDATE notify_outbox SET status = 'failed', attempts = attempts + 1, last_attempt_at = @at, http_status = @httpStatus, error = @error, lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token",
      );
      const release = this.stmt('UPDATE notify_outbox SET lease_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token');
      this.db
        .transaction(() => {
          for (const r of results) {
            if (r.outcome === 'released') {
              release.run({ id: r.id, token });
              continue;
            }
            const p = { id: r.id, token, at: r.at, httpStatus: r.httpStatus, error: r.error, next: r.nextAttemptAt ?? r.at };
            if (r.outcome === 'sent') sent.run({ id: p.id, token, at: p.at, httpStatus: p.httpStatus });
            else if (r.outcome === 'retry') retry.run(p);
            else failed.run({ id: p.id, token, at: p.at, httpStatus: p.httpStatus, error: p.error });
          }
        })
        .immediate();
    });
  }

  lastSent(route: number, channel: string): number | null {
    return this.guard(
      () => (this.stmt("SELECT max(sent_at) FROM notify_outbox WHERE route = ? AND channel = ? AND status = 'sent'").pluck().get(route, channel) as number | null) ?? null,
    );
  }

  list(since: number, limit: number, status?: DeliveryStatus): DeliveryRow[] {
    return this.guard(
      () =>
        this.stmt(`SELECT ${COLUMNS} FROM notify_outbox WHERE created_at >= ? ${status ? 'AND status = ?' : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(
          ...(status ? [since, status, limit] : [since, limit]),
        ) as DeliveryRow[],
    );
  }

  // notify's last evaluation time is kept in notify_gone under a name no channel can have (a channel's
  // name starts with a letter or digit), so that no schema change was needed: `*evaluated`, gone_at = the time
  evaluatedTo(): number | null {
    return this.guard(() => (this.stmt("SELECT gone_at FROM notify_gone WHERE channel = '*evaluated'").pluck().get() as number | undefined) ?? null);
  }

  markEvaluated(at: number): void {
    this.guard(() =>
      this.stmt(
        "INSERT INTO notify_gone (channel, endpoint, gone_at) VALUES ('*evaluated', '*', ?) ON CONFLICT (channel) DO UPDATE SET gone_at = excluded.gone_at WHERE notify_gone.gone_at < excluded.gone_at",
      ).run(at),
    );
  }

  goneSince(channel: string, endpoint: string): number | null {
    return this.guard(() => (this.stmt('SELECT gone_at FROM notify_gone WHERE channel = ? AND endpoint = ?').pluck().get(channel, endpoint) as number | undefined) ?? null);
  }

  markGone(channel: string, endpoint: string, at: number): void {
    this.guard(() =>
      this.stmt('INSERT INTO notify_gone (channel, endpoint, gone_at) VALUES (?, ?, ?) ON CONFLICT (channel) DO UPDATE SET endpoint = excluded.endpoint, gone_at = excluded.gone_at').run(
        channel,
        endpoint,
        at,
      ),
    );
  }

  clearGone(channel: string): void {
    this.guard(() => this.stmt('DELETE FROM notify_gone WHERE channel = ?').run(channel));
  }

  addSilence(s: { topic: string; startsAt: number; endsAt: number; comment: string | null }, now: number): number {
    return this.guard(() =>
      Number(this.stmt('INSERT INTO notify_silences (topic, starts_at, ends_at, comment, created_at) VALUES (?, ?, ?, ?, ?)').run(s.topic, s.startsAt, s.endsAt, s.comment, now).lastInsertRowid),
    );
  }

  silences(at: number | null): SilenceRow[] {
    const sql = `SELECT id, topic, starts_at AS startsAt, ends_at AS endsAt, comment, created_at AS createdAt FROM notify_silences ${at === null ? '' : 'WHERE ends_at > ?'} ORDER BY starts_at, id`;
    return this.guard(() => (at === null ? this.stmt(sql).all() : this.stmt(sql).all(at)) as SilenceRow[]);
  }

  removeSilence(id: number): boolean {
    return this.guard(() => this.stmt('DELETE FROM notify_silences WHERE id = ?').run(id).changes > 0);
  }
}
