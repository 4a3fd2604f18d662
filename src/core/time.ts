import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses "250ms", "90s", "15m", "6h", "14d", "2w" (or a combination such as "1d12h") into milliseconds. Returns null if malformed. */
export function parseDurationMs(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|[smhdw]))+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|[smhdw])/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** Formats a duration compactly: 21600000 → "6h", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/**
 * Parses a point in time given on the command line: ISO-8601 (a date alone means midnight UTC;
 * a time without zone is UTC), or a duration before `now` such as "24h" or "7d".
 */
export function parseTime(text: string, now: number, what: string): number {
  const s = text.trim();
  const ago = parseDurationMs(s);
  if (ago !== null) return now - ago;
  const isoLike = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
  if (isoLike.test(s)) {
    let t = s.replace(' ', 'T');
    if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += 'T00:00:00Z';
    else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) t += 'Z';
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`${what}: cannot read "${text}" as a time`, {
    hint: 'give an ISO-8601 time such as 2026-11-20T12:00:00Z, a date such as 2026-11-20, or a duration ago such as 24h or 7d',
  });
}

/** ISO-8601 UTC with seconds precision: 2026-11-20T12:00:00Z. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Start of the bucket containing `ms`, buckets aligned to the Unix epoch (UTC). */
export function bucketStart(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}
