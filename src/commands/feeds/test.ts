import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { feedUrl } from '../../config/schema.js';
import { guessKind } from '../../config/sources/index.js';
import { itemSourceOf } from '../../ingest/sources/index.js';
import { FeedError, MomentscanError, UsageError } from '../../core/errors.js';
import { userAgent } from '../../core/version.js';
import { createDispatcher, fetchFeed } from '../../fetch/http.js';
import { CONFIG_PATH_HINT } from '../../fetch/local.js';
import { noteTries, withRetries } from '../../fetch/retry.js';
import { testItemsListing } from '../../render/feeds.js';
import { render } from '../../render/index.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';
import { inlineParser } from '../../ingest/parse-pool.js';

/** `momentscan feeds test URL|FILE`: fetch or read one feed and show what would be stored, touching nothing. */
export async function test(g: GlobalOptions, o: OutputOptions & { source: string }): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config } = configFor(g, env);
  const fetchedAt = env.now();
  if (o.source.trim() === '') throw new UsageError('feeds test: the source is empty', { hint: 'give a feed URL, a file, or ndjson:FILE' });
  // a source that is not a feed, by its id (`ndjson:items.ndjson`, the path relative to here)
  const source = itemSourceOf(guessKind(o.source));
  if (source) {
    const id = `${o.source.slice(0, o.source.indexOf(':') + 1)}${path.resolve(o.source.slice(o.source.indexOf(':') + 1))}`;
    try {
      const items = await source(id, { since: null, now: fetchedAt, signal: new AbortController().signal, maxBytes: config.fetch.maxBytes });
      const enriched = inlineParser({ topics: config.topics }).enrich(items, { feedUrl: id, language: null });
      await writeOut(render(format, testItemsListing(enriched, null), await renderContext(g, o, env, fetchedAt)));
      return 0;
    } catch (err) {
      throw err instanceof FeedError ? asTyped(o.source, err) : err;
    }
  }
  const url = /^[a-z][a-z0-9+.-]*:/i.test(o.source) && !/^[a-z]:\\/i.test(o.source) ? feedUrl(o.source, process.cwd()) : pathToFileURL(path.resolve(o.source)).href;
  if (!url) throw new UsageError(`feeds test: "${o.source}" is not an http(s) URL, a file:// URL or a path`);
  const dispatcher = createDispatcher(config.fetch.timeoutMs, 1);
  try {
    const { value: out } = await withRetries(
      () => fetchFeed(url, { timeoutMs: config.fetch.timeoutMs, maxBytes: config.fetch.maxBytes, userAgent: userAgent(), dispatcher, allowRedirectsTo: config.fetch.allowRedirectsTo }),
      { retries: config.fetch.retries, baseDelayMs: 1000, maxWaitMs: 10_000 },
    );
    if (out.status !== 'ok') throw new UsageError('unexpected 304 answer to an unconditional request');
    const parser = inlineParser({ topics: config.topics });
    const parsed = await parser.parse({ body: out.body, contentType: out.contentType, url: out.finalUrl, feedUrl: url, language: config.feedLanguages.get(url) ?? null, fetchedAt });
    await writeOut(render(format, testItemsListing(parsed.items, parsed.title), await renderContext(g, o, env, fetchedAt)));
    return 0;
  } catch (err) {
    noteTries(err);
    if (err instanceof FeedError) throw asTyped(o.source, err);
    throw err;
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** A feed's failure as the error of the source typed: a path not found is relative to the current folder here, not to the config. */
function asTyped(source: string, err: FeedError): MomentscanError {
  const hint = err.hint === CONFIG_PATH_HINT ? 'check the path (a relative path is relative to the current folder)' : err.hint;
  return new MomentscanError(`${source}: ${err.message}`, hint ? { hint } : {});
}
