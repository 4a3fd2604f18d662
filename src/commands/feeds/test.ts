import path from 'node:path';
import { guessKind } from '../../config/sources/index.js';
import { itemSourceOf } from '../../ingest/sources/index.js';
import { FeedError, UsageError } from '../../core/errors.js';
import { testItemsListing } from '../../render/feeds.js';
import { render } from '../../render/index.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';
import { inlineParser } from '../../ingest/parse-pool.js';
import { asTyped, readFeedOnce, typedFeedUrl } from './read-once.js';

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
      await writeOut(render(format, testItemsListing(enriched, null), await renderContext(g, o, env, fetchedAt, format)));
      return 0;
    } catch (err) {
      throw err instanceof FeedError ? asTyped(o.source, err) : err;
    }
  }
  const url = typedFeedUrl(o.source);
  if (!url) throw new UsageError(`feeds test: "${o.source}" is not an http(s) URL, a file:// URL or a path`);
  const parsed = await readFeedOnce(config, o.source, url, fetchedAt);
  await writeOut(render(format, testItemsListing(parsed.items, parsed.title), await renderContext(g, o, env, fetchedAt, format)));
  return 0;
}
