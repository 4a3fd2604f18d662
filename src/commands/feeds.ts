import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { feedUrl } from '../config/schema.js';
import { FeedError, MomentscanError, UsageError } from '../core/errors.js';
import { userAgent } from '../core/version.js';
import { createDispatcher, fetchFeed } from '../fetch/http.js';
import { withRetries } from '../fetch/retry.js';
import { feedHealthListing, testItemsListing, type FeedHealthRow } from '../render/feeds.js';
import { render } from '../render/index.js';
import { Store } from '../store/store.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from './context.js';
import { configuredFeeds } from './ingest.js';
import { inlineParser } from './parse-pool.js';

const HEALTH_WINDOW_MS = 30 * 86_400_000;

/** `momentscan feeds`: every configured feed with its health, from the database (read-only). */
export async function list(g: GlobalOptions, o: OutputOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const urls = configuredFeeds(config);
  const now = env.now();
  let health: Map<string, FeedHealthRow> = new Map();
  let store: Store | undefined;
  try {
    // no database yet: every feed is new (and none is created just to say so)
    if (existsSync(dbPath)) store = Store.open(dbPath);
    if (store) health = new Map(
      store.feedHealth(urls, now - HEALTH_WINDOW_MS, now).map((h) => [
        h.url,
        {
          url: h.url,
          fetchUrl: h.fetchUrl,
          title: h.title,
          state: h.retiredAt !== null ? 'retired' : h.lastFetchedAt === null ? 'new' : h.lastStatus === 'failed' ? 'failing' : 'ok',
          lastFetchedAt: h.lastFetchedAt,
          lastSuccessAt: h.lastSuccessAt,
          consecutiveFailures: h.consecutiveFailures,
          fetches: h.fetches,
          notModifiedRatio: h.fetches - h.failures > 0 ? Math.round((h.notModified / (h.fetches - h.failures)) * 100) / 100 : null,
          failures: h.failures,
          itemsPerDay: h.itemsPerDay,
          items: h.items,
          overflows: h.overflows,
          error: h.lastStatus === 'failed' ? h.lastError : null,
          nextDueAt: h.nextDueAt,
        } satisfies FeedHealthRow,
      ]),
    );
  } finally {
    store?.close();
  }
  const rows: FeedHealthRow[] = urls.map(
    (url) =>
      health.get(url) ?? {
        url, fetchUrl: url, title: null, state: 'new', lastFetchedAt: null, lastSuccessAt: null, consecutiveFailures: 0, fetches: 0,
        notModifiedRatio: null, failures: 0, itemsPerDay: 0, items: 0, overflows: 0, error: null, nextDueAt: null,
      },
  );
  await writeOut(render(format, feedHealthListing(rows, now), renderContext(g, o, env, now)));
  return 0;
}

/** `momentscan feeds test URL|FILE`: fetch or read one feed and show what would be stored, touching nothing. */
export async function test(g: GlobalOptions, o: OutputOptions & { source: string }): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config } = configFor(g, env);
  const url = /^[a-z][a-z0-9+.-]*:/i.test(o.source) && !/^[a-z]:\\/i.test(o.source) ? feedUrl(o.source, process.cwd()) : pathToFileURL(path.resolve(o.source)).href;
  if (!url) throw new UsageError(`feeds test: "${o.source}" is not an http(s) URL, a file:// URL or a path`);
  const dispatcher = createDispatcher(config.fetch.timeoutMs, 1);
  const fetchedAt = env.now();
  try {
    const { value: out } = await withRetries(
      () => fetchFeed(url, { timeoutMs: config.fetch.timeoutMs, maxBytes: config.fetch.maxBytes, userAgent: userAgent(), dispatcher }),
      { retries: config.fetch.retries, baseDelayMs: 1000, maxWaitMs: 10_000 },
    );
    if (out.status !== 'ok') throw new UsageError('unexpected 304 answer to an unconditional request');
    const parser = inlineParser(config.topics);
    const parsed = await parser.parse({ body: out.body, contentType: out.contentType, url: out.finalUrl, fetchedAt });
    await writeOut(render(format, testItemsListing(parsed.items, parsed.title), renderContext(g, o, env, fetchedAt)));
    return 0;
  } catch (err) {
    if (err instanceof FeedError) throw new MomentscanError(`${o.source}: ${err.message}`, err.hint ? { hint: err.hint } : {});
    throw err;
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}
