/** Digests made and sent. */
import type { DigestStore } from '../api.js';
import { SqlitePart } from './part.js';

/**
 * `sent`: 0 printed, 1 sent by email, 2 being sent — the claim of a `digest --since last --send` on its
 * period while it sends (claimDigest): settled as sent, or dropped when the send failed; one left behind
 * by a run that died counts for nothing.
 */
const SENDING = 2;

export class SqliteDigests extends SqlitePart implements DigestStore {
  /** Where the last digest ended (sent ones only when `sentOnly`), or null when there was none. */
  lastDigestEnd(sentOnly: boolean): number | null {
    return this.guard(() => {
      const row = this.stmt(`SELECT max(period_end) AS t FROM digests WHERE ${sentOnly ? 'sent = 1' : `sent <> ${SENDING}`}`).get() as { t: number | null };
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

  /**
   * Claims a period to send (one transaction): its id, or null when a digest sent, or being sent by a claim
   * made after `liveSince`, already reaches past the period's start — another run has it.
   */
  claimDigest(d: { createdAt: number; periodStart: number; periodEnd: number; moments: number }, liveSince: number): number | null {
    return this.guard(() => {
      const tx = this.db.transaction((): number | null => {
        const taken = this.stmt(`SELECT count(*) AS n FROM digests WHERE period_end > ? AND (sent = 1 OR (sent = ${SENDING} AND created_at > ?))`).get(d.periodStart, liveSince) as { n: number | bigint };
        if (Number(taken.n) > 0) return null;
        const r = this.stmt(`INSERT INTO digests (created_at, period_start, period_end, sent, recipients, moments) VALUES (?, ?, ?, ${SENDING}, NULL, ?)`).run(
          d.createdAt, d.periodStart, d.periodEnd, d.moments,
        );
        return Number(r.lastInsertRowid);
      });
      return tx.immediate();
    });
  }

  /** Settles a claim: sent to these recipients, or (null) dropped, so that the next run sends its period. */
  settleDigest(id: number, recipients: string[] | null): void {
    this.guard(() => {
      if (recipients === null) this.stmt(`DELETE FROM digests WHERE id = ? AND sent = ${SENDING}`).run(id);
      else this.stmt(`UPDATE digests SET sent = 1, recipients = ? WHERE id = ?`).run(recipients.join(', ') || null, id);
    });
  }
}
