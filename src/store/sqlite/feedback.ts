import type { FeedbackStore } from '../api.js';
import type { Label, NewEvent, PlannedEvent, RecordedMoment, Verdict } from '../model.js';
import { SqlitePart } from './part.js';

interface EventRow {
  id: number;
  topic: string;
  uid: string | null;
  starts_at: number;
  ends_at: number;
  lead_ms: number;
  lag_ms: number;
  note: string | null;
  categories: string | null;
  source: string;
  created_at: number;
}

const eventOf = (r: EventRow): PlannedEvent => ({
  id: r.id,
  topic: r.topic,
  uid: r.uid,
  start: r.starts_at,
  end: r.ends_at,
  leadMs: r.lead_ms,
  lagMs: r.lag_ms,
  note: r.note,
  categories: r.categories ? r.categories.split(',') : [],
  source: r.source,
  createdAt: r.created_at,
});

/** People's verdicts on moments (migrations 15, 16) and planned events (16). */
export class SqliteFeedback extends SqlitePart implements FeedbackStore {
  momentRowId(topicId: number, kind: string, direction: string, start: number): number | null {
    return this.momentIds([{ topicId, kind, direction, start }])[0]!;
  }

  verdicts(momentIds: number[]): Map<number, Verdict> {
    if (momentIds.length === 0) return new Map();
    return this.guard(() => {
      const rows = this.db.prepare(`SELECT moment_id AS id, verdict FROM feedback WHERE moment_id IN (${momentIds.map(() => '?').join(',')})`).all(...momentIds) as {
        id: number;
        verdict: Verdict;
      }[];
      return new Map(rows.map((r) => [r.id, r.verdict]));
    });
  }

  /** A verdict given in `watch` (r/n): the moment as it is recorded now goes with it. */
  saveVerdict(v: { momentId: number; topic: string; kind: string; direction: string; start: number; verdict: Verdict | null; score: number }, now: number): void {
    const m = this.recordedMoment(v.momentId);
    if (m === null) return;
    this.saveLabel({ ...m, score: v.score }, v.verdict, { note: null, at: now, source: 'watch' });
  }

  addEvents(events: NewEvent[], now: number): { added: number; replaced: number; ids: number[] } {
    return this.guard(() => {
      const existing = this.stmt('SELECT id FROM events WHERE uid = ? AND topic = ?').pluck();
      const insert = this.stmt(
        `INSERT INTO events (topic, uid, starts_at, ends_at, lead_ms, lag_ms, note, categories, source, created_at)
         VALUES (@topic, @uid, @start, @end, @leadMs, @lagMs, @note, @categories, @source, @now)
         ON CONFLICT (uid, topic) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, lead_ms = excluded.lead_ms,
           lag_ms = excluded.lag_ms, note = excluded.note, categories = excluded.categories, source = excluded.source
         RETURNING id`,
      ).pluck();
      const tx = this.db.transaction(() => {
        // importing a calendar again updates its events in place (same ids), by UID and topic; a UID's rows
        // for topics it no longer names go
        const topicsOf = new Map<string, string[]>();
        for (const e of events) if (e.uid !== null) topicsOf.set(e.uid, [...(topicsOf.get(e.uid) ?? []), e.topic]);
        for (const [uid, topics] of topicsOf) {
          this.db.prepare(`DELETE FROM events WHERE uid = ? AND topic NOT IN (${topics.map(() => '?').join(',')})`).run(uid, ...topics);
        }
        let replaced = 0;
        const ids = events.map((e) => {
          if (e.uid !== null && existing.get(e.uid, e.topic) !== undefined) replaced++;
          return insert.get({ ...e, categories: e.categories.length ? e.categories.join(',') : null, now }) as number;
        });
        return { added: ids.length - replaced, replaced, ids };
      });
      return tx.immediate();
    });
  }

  /** Events, by start; with `topics`, only those of these topics (and of every topic, *). */
  events(o: { topics?: string[]; from?: number; to?: number } = {}): PlannedEvent[] {
    return this.guard(() => {
      const rows = this.stmt(
        `SELECT * FROM events WHERE ends_at + lag_ms > @from AND starts_at - lead_ms < @to ORDER BY starts_at, id`,
      ).all({ from: o.from ?? Number.MIN_SAFE_INTEGER, to: o.to ?? Number.MAX_SAFE_INTEGER }) as EventRow[];
      const wanted = o.topics ? new Set(['*', ...o.topics]) : null;
      return rows.map(eventOf).filter((e) => !wanted || wanted.has(e.topic));
    });
  }

  removeEvent(id: number): boolean {
    return this.guard(() => this.stmt('DELETE FROM events WHERE id = ?').run(id).changes > 0);
  }

  recordedMoment(id: number): RecordedMoment | null {
    return this.guard(
      () =>
        (this.stmt(
          `SELECT m.id, t.name AS topic, m.kind, m.direction, m.start_at AS start, m.end_at AS "end", m.score, m.detail, m.first_seen_at AS firstSeenAt
           FROM moments m JOIN topics t ON t.id = m.topic_id WHERE m.id = ?`,
        ).get(id) as RecordedMoment | undefined) ?? null,
    );
  }

  /** Ids of recorded moments by topic id, kind, direction and start (null: not recorded). */
  momentIds(keys: { topicId: number; kind: string; direction: string; start: number }[]): (number | null)[] {
    return this.guard(() => {
      const find = this.stmt('SELECT id FROM moments WHERE topic_id = ? AND kind = ? AND direction = ? AND start_at = ?').pluck();
      return keys.map((k) => (find.get(k.topicId, k.kind, k.direction, k.start) as number | undefined) ?? null);
    });
  }

  /** Records a verdict on a recorded moment (replacing an earlier one), or with null withdraws it. */
  saveLabel(m: RecordedMoment, verdict: Verdict | null, o: { note: string | null; at: number; source: string }): void {
    this.guard(() => {
      if (verdict === null) {
        this.stmt('DELETE FROM feedback WHERE moment_id = ?').run(m.id);
        return;
      }
      this.stmt(
        `INSERT INTO feedback (moment_id, topic, kind, direction, start_at, verdict, score, detail, source, created_at, note)
         VALUES (@id, @topic, @kind, @direction, @start, @verdict, @score, @detail, @source, @at, @note)
         ON CONFLICT (moment_id) DO UPDATE SET verdict = excluded.verdict, score = excluded.score, detail = excluded.detail,
           source = excluded.source, created_at = excluded.created_at, note = excluded.note`,
      ).run({ ...m, verdict, source: o.source, at: o.at, note: o.note });
    });
  }

  /** Every verdict, oldest first (by when it was given, then moment id); with `topics`, only theirs. */
  labels(topics?: string[]): Label[] {
    return this.guard(() => {
      const rows = this.stmt(
        `SELECT f.moment_id AS momentId, f.topic, f.kind, f.direction, f.start_at AS start, coalesce(m.end_at, f.start_at) AS "end",
                f.verdict, f.note, f.created_at AS at, f.source
         FROM feedback f LEFT JOIN moments m ON m.id = f.moment_id ORDER BY f.created_at, f.moment_id`,
      ).all() as Label[];
      const wanted = topics ? new Set(topics) : null;
      return rows.filter((r) => !wanted || wanted.has(r.topic));
    });
  }

  /** Recorded moments per topic name starting in [from, to): what `quality` counts as alerts. */
  momentCounts(from: number, to: number): Map<string, { moments: number; alerts: number }> {
    return this.guard(() => {
      // the alert count is in each moment's stored detail (read here: the same SQL on both engines)
      const rows = this.stmt(
        `SELECT t.name AS topic, m.detail FROM moments m JOIN topics t ON t.id = m.topic_id
         WHERE m.start_at >= ? AND m.start_at < ? ORDER BY m.id`,
      ).all(from, to) as { topic: string; detail: string }[];
      const out = new Map<string, { moments: number; alerts: number }>();
      for (const r of rows) {
        const c = out.get(r.topic) ?? { moments: 0, alerts: 0 };
        c.moments++;
        c.alerts += alertsOf(r.detail);
        out.set(r.topic, c);
      }
      return out;
    });
  }
}

/** How many times a recorded moment alerted: its detail's `alerts` (1 when it cannot be read: it fired). */
function alertsOf(detail: string): number {
  try {
    const n = (JSON.parse(detail) as { alerts?: unknown }).alerts;
    return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
  } catch {
    return 1;
  }
}
