/** Digests made and sent. */
import type { DigestStore } from '../api.js';
import { SqlitePart } from './part.js';

export class SqliteDigests extends SqlitePart implements DigestStore {
  /** Where the last digest ended (sent ones only when `sentOnly`), or null when there was none. */
  lastDigestEnd(sentOnly: boolean): number | null {
    return this.guard(() => {
      const row = this.stmt(`SELECT max(period_end) AS t FROM digests ${sentOnly ? 'WHERE sent = 1' : ''}`).get() as { t: number | null };
      return row.t;
    });
  }

  /** Records a digest (made, or sent by email). */
  recordDigest(d: { createdAt: number; periodStart: number; periodEnd: number; sent: boolean; recipients: string[]; moments: number }): void {
    this.guard(() => {
      this.stmt('INSERT INTO digests (created_at, period_start, period_end, sent, recipients, moments) VALUES (?, ?, ?, ?, ?, ?)').run(
        d.createdAt, d.periodStart, d.periodEnd, d.sent ? 1 : 0, d.recipients.join(', ') || null, d.moments,
      );
    });
  }
}
