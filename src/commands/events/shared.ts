import { UsageError } from '../../core/errors.js';
import { parseDurationMs } from '../../core/time.js';

/** --lead / --lag: a duration (0 allowed), at most 30 days. */
export function windowFlag(text: string | undefined, flag: string): number {
  if (text === undefined) return 0;
  const ms = text.trim() === '0' ? 0 : parseDurationMs(text);
  if (ms === null || ms < 0 || ms > 30 * 86_400_000) throw new UsageError(`${flag}: expected a duration from 0 to 30d such as 2h or 1d, got "${text}"`);
  return ms;
}

/** A note or summary as stored: one line, no control characters, at most 500 characters. */
export function cleanNote(text: string | null | undefined): string | null {
  const s = (text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return s ? s.slice(0, 500) : null;
}
