/** Verdicts on moments (migration 15): what `momentscan watch` records when a person marks one real or noise. */
import type { FeedbackStore } from '../api.js';
import { SqlitePart } from './part.js';

export class SqliteFeedback extends SqlitePart implements FeedbackStore {
  momentRowId(topicId: number, kind: string, direction: string, start: number): number | null {
    return this.guard(
      () => (this.stmt('SELECT id FROM moments WHERE topic_id = ? AND kind = ? AND direction = ? AND start_at = ?').pluck().get(topicId, kind, direction, start) as number | undefined) ?? null,
    );
  }

  verdicts(momentIds: number[]): Map<number, 'real' | 'noise'> {
    if (momentIds.length === 0) return new Map();
    return this.guard(() => {
      const rows = this.db.prepare(`SELECT moment_id AS id, verdict FROM feedback WHERE moment_id IN (${momentIds.map(() => '?').join(',')})`).all(...momentIds) as {
        id: number;
        verdict: 'real' | 'noise';
      }[];
      return new Map(rows.map((r) => [r.id, r.verdict]));
    });
  }

  saveVerdict(v: { momentId: number; topic: string; kind: string; direction: string; start: number; verdict: 'real' | 'noise' | null; score: number }, now: number): void {
    this.guard(() => {
      if (v.verdict === null) {
        this.stmt('DELETE FROM feedback WHERE moment_id = ?').run(v.momentId);
        return;
      }
      const detail = (this.stmt('SELECT detail FROM moments WHERE id = ?').pluck().get(v.momentId) as string | undefined) ?? '{}';
      this.stmt(
        `INSERT INTO feedback (moment_id, topic, kind, direction, start_at, verdict, score, detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (moment_id) DO UPDATE SET verdict = excluded.verdict, score = excluded.score, detail = excluded.detail, created_at = excluded.created_at`,
      ).run(v.momentId, v.topic, v.kind, v.direction, v.start, v.verdict, v.score, detail, now);
    });
  }
}
