/** Moments as evaluated and recorded. */
import type { Moment } from '../../core/types.js';
import type { MomentStore } from '../api.js';
import type { SavedMoment } from '../model.js';
import { SqlitePart } from './part.js';

export class SqliteMoments extends SqlitePart implements MomentStore {
  /** Upserts evaluated moments (keyed by topic, kind, direction, start); says which ones are new. */
  saveMoments(moments: { topicId: number; moment: Moment }[], evaluatedAt: number): SavedMoment[] {
    if (this.db.readonly) return this.seenMoments(moments, evaluatedAt);
    return this.recordMoments(moments, evaluatedAt);
  }

  /** What recordMoments would say, without recording (a read-only store). */
  private seenMoments(moments: { topicId: number; moment: Moment }[], evaluatedAt: number): SavedMoment[] {
    return this.guard(() => {
      const seen = this.stmt('SELECT id, first_seen_at AS at FROM moments WHERE topic_id = ? AND kind = ? AND direction = ? AND start_at = ?');
      return moments.map(({ topicId, moment }) => {
        const row = seen.get(topicId, moment.kind, moment.direction, moment.start) as { id: number; at: number } | undefined;
        const firstSeenAt = Math.min(row?.at ?? evaluatedAt, evaluatedAt);
        return { id: row?.id ?? null, firstSeenAt, isNew: row === undefined };
      });
    });
  }

  private recordMoments(moments: { topicId: number; moment: Moment }[], evaluatedAt: number): SavedMoment[] {
    return this.guard(() => {
      const upsert = this.stmt(
        `INSERT INTO moments (topic_id, kind, direction, start_at, peak_at, end_at, score, detail, first_seen_at, last_seen_at)
         VALUES (@topicId, @kind, @direction, @start, @peak, @end, @score, @detail, @at, @at)
         ON CONFLICT (topic_id, kind, direction, start_at) DO UPDATE SET
           peak_at = excluded.peak_at, end_at = excluded.end_at, score = excluded.score, detail = excluded.detail,
           first_seen_at = min(moments.first_seen_at, excluded.first_seen_at),
           last_seen_at = max(moments.last_seen_at, excluded.last_seen_at)
         RETURNING id, first_seen_at AS firstSeenAt`,
      );
      // whether a run recorded it before this one (whatever its evaluation time: --as-of runs may share one)
      const seen = this.stmt('SELECT 1 FROM moments WHERE topic_id = ? AND kind = ? AND direction = ? AND start_at = ?');
      const tx = this.db.transaction(() =>
        moments.map(({ topicId, moment }) => {
          const before = seen.get(topicId, moment.kind, moment.direction, moment.start) !== undefined;
          const row = upsert.get({
            topicId,
            kind: moment.kind,
            direction: moment.direction,
            start: moment.start,
            peak: moment.peak,
            end: moment.end,
            score: moment.score,
            detail: JSON.stringify(moment),
            at: evaluatedAt,
          }) as { id: number; firstSeenAt: number };
          return { id: row.id, firstSeenAt: row.firstSeenAt, isNew: !before };
        }),
      );
      return tx.immediate();
    });
  }

  forgetMoments(ids: number[]): void {
    if (ids.length === 0 || this.db.readonly) return;
    this.guard(() => {
      const forget = this.stmt(
        `DELETE FROM moments WHERE id = ? AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.moment_id = moments.id)
           AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.moment_id = moments.id)`,
      );
      this.db.transaction(() => ids.forEach((id) => forget.run(id))).immediate();
    });
  }

  /**
   * Moments reported before, last seen at or after `since`, with their stored detail (for "faded"); with
   * `knownBy`, only those first reported by then and starting by then (a run with a later --as-of may have
   * stored moments that had not happened yet at an earlier evaluation time).
   */
  momentsSeenSince(since: number, knownBy = Infinity): { id: number; topic: string; firstSeenAt: number; lastSeenAt: number; moment: Moment }[] {
    return this.guard(() =>
      (
        this.stmt(
          `SELECT m.id, t.name AS topic, m.first_seen_at AS firstSeenAt, m.last_seen_at AS lastSeenAt, m.detail
           FROM moments m JOIN topics t ON t.id = m.topic_id
           WHERE m.last_seen_at >= @since AND m.first_seen_at <= @knownBy AND m.start_at <= @knownBy ORDER BY m.score DESC`,
        ).all({ since, knownBy: Number.isFinite(knownBy) ? knownBy : Number.MAX_SAFE_INTEGER }) as { id: number; topic: string; firstSeenAt: number; lastSeenAt: number; detail: string }[]
      ).map((r) => {
        const moment = JSON.parse(r.detail) as Moment;
        // moments stored before alerts were counted alerted once, when they fired
        moment.alerts ??= 1;
        moment.alertedAt ??= moment.firedAt ?? moment.start;
        return { id: r.id, topic: r.topic, firstSeenAt: r.firstSeenAt, lastSeenAt: r.lastSeenAt, moment };
      }),
    );
  }

  /** Per topic: the moment that ended last, as recorded by moments, scan or digest. */
  lastMoments(): Map<number, { kind: string; direction: string; start: number; end: number; score: number }> {
    return this.guard(() => {
      // each topic's moment with the latest end (the earliest recorded of those that end together)
      const rows = this.stmt(
        `SELECT m.topic_id AS id, m.kind, m.direction, m.start_at AS start, m.end_at AS end, m.score FROM moments m
         WHERE m.id = (SELECT l.id FROM moments l WHERE l.topic_id = m.topic_id ORDER BY l.end_at DESC, l.id LIMIT 1)`,
      ).all() as { id: number; kind: string; direction: string; start: number; end: number; score: number }[];
      return new Map(rows.map(({ id, ...m }) => [id, m]));
    });
  }
}
