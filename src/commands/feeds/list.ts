import { feedHealthRows } from '../../moments/feed-health.js';
import type { FeedHealthRow } from '../../moments/types.js';
import { feedHealthListing } from '../../render/feeds.js';
import { render } from '../../render/index.js';
import { openStore, storeExists } from '../../store/store.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';
import { configuredFeeds } from '../../ingest/due.js';

/** `momentscan feeds`: every configured feed with its health, from the database (read-only). */
export async function list(g: GlobalOptions, o: OutputOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const urls = configuredFeeds(config);
  const now = env.now();
  // no database yet: every feed is new (and none is created just to say so)
  const store = storeExists(dbPath) ? await openStore(dbPath, { readonlyIfDenied: true }) : null;
  let rows: FeedHealthRow[];
  try {
    rows = feedHealthRows(config, store, urls, now);
  } finally {
    store?.close();
  }
  await writeOut(render(format, feedHealthListing(rows, now), await renderContext(g, o, env, now, format, config.defaults.timeZone)));
  return 0;
}
