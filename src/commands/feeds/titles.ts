import type { Config } from '../../config/schema.js';
import { configuredFeeds } from '../../ingest/due.js';
import { openStore, storeExists } from '../../store/store.js';

/**
 * Each configured feed's title as `feeds list` names it: the config's `title`, else the feed's own from the
 * database (read only; none is created). Feeds with neither are left out.
 */
export async function feedTitles(config: Config, dbPath: string, now: number): Promise<Map<string, string>> {
  const titles = new Map(config.feedTitles);
  if (storeExists(dbPath)) {
    const store = await openStore(dbPath, { readonlyIfDenied: true });
    try {
      for (const h of store.feedHealth(configuredFeeds(config), 0, now)) if (h.title && !titles.has(h.url)) titles.set(h.url, h.title);
    } finally {
      store.close();
    }
  }
  return titles;
}
