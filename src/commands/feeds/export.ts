import { renderOpml, type OpmlOutline } from '../../config/opml.js';
import { openStore, storeExists } from '../../store/store.js';
import { configFor, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { configuredFeeds } from '../../ingest/due.js';

/** `momentscan feeds export`: every configured feed as OPML 2.0, topics as folders. */
export async function exportOpml(g: GlobalOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const titles = new Map(config.feedTitles);
  if (storeExists(dbPath)) {
    const store = openStore(dbPath, { readonlyIfDenied: true });
    try {
      for (const h of store.feedHealth(configuredFeeds(config), 0, env.now())) if (h.title && !titles.has(h.url)) titles.set(h.url, h.title);
    } finally {
      store.close();
    }
  }
  const feedOutline = (url: string) => ({ text: titles.get(url) ?? url, xmlUrl: url });
  const outlines: OpmlOutline[] = config.topics.map((t) => ({ text: t.name, children: t.feeds.map(feedOutline) }));
  const byTag = new Map<string, string[]>();
  for (const url of config.feeds) {
    const tag = config.feedTags.get(url)?.at(-1) ?? '';
    byTag.set(tag, [...(byTag.get(tag) ?? []), url]);
  }
  for (const [tag, urls] of byTag) {
    if (tag) outlines.push({ text: tag, children: urls.map(feedOutline) });
    else outlines.push(...urls.map(feedOutline));
  }
  await writeOut(renderOpml('momentscan feeds', outlines, new Date(env.now())));
  return 0;
}
