/** Digests made and sent. */
import type { DigestStore } from '../api.js';
import { SqlitePart } from './part.js';

/**
 * `sent`: 0 printed, 1 sent by email, 2 being sent — the claim of a `digest --since last --send` on its
 * period while it sends (claimDigest): settled as sent, or dropped when the send failed; one left behind
 * by a run that died counts for nothing.
 */
const SENDING = 2;

/** Recipients as one key: the addresses lower-cased and sorted ("Ann@X.org, bo@y.org" is "ann@x.org,bo@y.org"). */
function recipientSet(list: string): string {
  return [...new Set(list.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean))].sort().join(',');
}

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

  /**
   * Claims a day's digest for its recipients (`digest --day … --send`, one transaction): its id, or the digest
   * that has it — one from the same start, ending within `endsIn` (the day's midnight; a few minutes around
   * its end for a day so far), sent to the same recipients (in any order and case), or being sent to them by a
   * claim made after `liveSince` (one left by a run that died holds nothing after that).
   */
  claimDayDigest(
    d: { createdAt: number; periodStart: number; periodEnd: number; moments: number; recipients: string[] },
    liveSince: number,
    endsIn: readonly [number, number] = [d.periodEnd, d.periodEnd],
  ): { id: number } | { taken: { at: number; sending: boolean; recipients: string } } {
    return this.guard(() => {
      const want = recipientSet(d.recipients.join(','));
      const tx = this.db.transaction(() => {
        const rows = this.stmt(
          `SELECT created_at AS at, sent, recipients FROM digests
           WHERE period_start = ? AND period_end >= ? AND period_end <= ? AND (sent = 1 OR (sent = ${SENDING} AND created_at > ?)) ORDER BY created_at`,
        ).all(d.periodStart, endsIn[0], endsIn[1], liveSince) as { at: number | bigint; sent: number | bigint; recipients: string | null }[];
        const held = rows.find((r) => recipientSet(r.recipients ?? '') === want);
        if (held) return { taken: { at: Number(held.at), sending: Number(held.sent) === SENDING, recipients: held.recipients ?? '' } };
        const r = this.stmt(`INSERT INTO digests (created_at, period_start, period_end, sent, recipients, moments) VALUES (?, ?, ?, ${SENDING}, ?, ?)`).run(
          d.createdAt, d.periodStart, d.periodEnd, d.recipients.join(', ') || null, d.moments,
        );
        return { id: Number(r.lastInsertRowid) };
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
