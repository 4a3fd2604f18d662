import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { feedUrl, type Config } from '../../config/schema.js';
import { FeedError, MomentscanError, UsageError } from '../../core/errors.js';
import { userAgent } from '../../core/version.js';
import { createDispatcher, fetchFeed } from '../../fetch/http.js';
import { CONFIG_PATH_HINT } from '../../fetch/local.js';
import { noteTries, withRetries } from '../../fetch/retry.js';
import { inlineParser } from '../../ingest/parse-pool.js';
import type { EnrichedItem } from '../../core/types.js';

/**
 * Fetches (or reads) one feed once, with the config's retries, and parses it as a fetch would, storing
 * nothing: what `feeds test` shows and `feeds add` checks. A feed that cannot be read is an error naming
 * `source` (as the user typed it).
 */
export async function readFeedOnce(config: Config, source: string, url: string, fetchedAt: number): Promise<{ title: string | null; items: EnrichedItem[] }> {
  const dispatcher = createDispatcher(config.fetch.timeoutMs, 1);
  try {
    const { value: out } = await withRetries(
      () => fetchFeed(url, { timeoutMs: config.fetch.timeoutMs, maxBytes: config.fetch.maxBytes, userAgent: userAgent(), dispatcher, allowRedirectsTo: config.fetch.allowRedirectsTo }),
      { retries: config.fetch.retries, baseDelayMs: 1000, maxWaitMs: 10_000 },
    );
    if (out.status !== 'ok') throw new UsageError('unexpected 304 answer to an unconditional request');
    const parser = inlineParser({ topics: config.topics });
    const parsed = await parser.parse({ body: out.body, contentType: out.contentType, url: out.finalUrl, feedUrl: url, language: config.feedLanguages.get(url) ?? null, fetchedAt });
    return { title: parsed.title, items: parsed.items };
  } catch (err) {
    noteTries(err);
    if (err instanceof FeedError) throw asTyped(source, err);
    throw err;
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** A feed's failure as the error of the source typed: a path not found is relative to the current folder here, not to the config. */
export function asTyped(source: string, err: FeedError): MomentscanError {
  const hint = err.hint === CONFIG_PATH_HINT ? 'check the path (a relative path is relative to the current folder)' : err.hint;
  return new MomentscanError(`${source}: ${err.message}`, hint ? { hint } : {});
}

/**
 * A feed typed on the command line as a URL: http(s) and file:// URLs as they are, a path (relative to the
 * current folder) as a file:// URL; null for another scheme.
 */
export function typedFeedUrl(source: string): string | null {
  const s = source.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:\\/i.test(s) ? feedUrl(s, process.cwd()) : pathToFileURL(path.resolve(s)).href;
}
