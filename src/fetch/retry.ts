import { FeedError } from '../core/errors.js';

export interface RetryPolicy {
  /** Retries after the first try. */
  retries: number;
  /** First backoff; doubled per retry, with ±50% jitter. */
  baseDelayMs: number;
  /** A server asking to wait longer than this (Retry-After) is not waited for in this run. */
  maxWaitMs: number;
  signal?: AbortSignal;
  /** For tests: a deterministic jitter in [0, 1). */
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the retries are used up. Only transient
 * failures (timeouts, dropped connections, 429, 5xx) are retried, after exponential backoff with
 * jitter, or after the server's Retry-After when it gives one that is short enough.
 */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<{ value: T; attempts: number }> {
  const random = policy.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(), attempts: n };
    } catch (err) {
      if (!(err instanceof FeedError) || !err.transient || n > policy.retries || policy.signal?.aborted) {
        if (err instanceof FeedError) Object.defineProperty(err, 'attempts', { value: n, enumerable: false });
        throw err;
      }
      const backoff = policy.baseDelayMs * 2 ** (n - 1) * (0.5 + random());
      const wait = err.retryAfterMs ?? backoff;
      if (wait > policy.maxWaitMs) {
        Object.defineProperty(err, 'attempts', { value: n, enumerable: false });
        throw err;
      }
      await sleep(wait, policy.signal);
    }
  }
}

/** How many tries a failure took (set by withRetries). */
export function attemptsOf(err: unknown): number {
  const n = (err as { attempts?: unknown }).attempts;
  return typeof n === 'number' ? n : 1;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A timeout that ended more than one try says so ("timed out after 20s (no answer) on each of 3 tries"): fetch.timeout
 * bounds one try, not the feed, which took about three times as long.
 */
export function noteTries(err: unknown, attempts = attemptsOf(err)): void {
  if (err instanceof FeedError && err.kind === 'timeout' && attempts > 1 && /^timed out after \S+ \([^)]*\)$/.test(err.message)) {
    err.message = `${err.message} on each of ${attempts} tries`;
  }
}
