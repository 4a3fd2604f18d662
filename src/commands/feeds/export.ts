import { renderOpml, type OpmlOutline } from '../../config/opml.js';
import { sourceOf } from '../../config/sources/index.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { configuredFeeds } from '../../ingest/due.js';
import { feedTitles } from './titles.js';

/** `momentscan feeds export`: every configured feed as OPML 2.0, topics as folders. */
export async function exportOpml(g: GlobalOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const titles = await feedTitles(config, dbPath, env.now());
  const feedOutline = (url: string) => ({ text: titles.get(url) ?? url, xmlUrl: url });
  // a source that is not a feed (a file of items) has no place in a list of feeds for a feed reader
  const isFeed = (url: string) => !sourceOf(config.feedKinds.get(url) ?? '')?.readsItems;
  const left = configuredFeeds(config).filter((url) => !isFeed(url));
  if (left.length && !g.quiet) log(`feeds export: ${left.length} source${left.length === 1 ? ' is' : 's are'} not a feed and left out: ${left.join(', ')}`);
  const outlines: OpmlOutline[] = config.topics.map((t) => ({ text: t.name, children: t.feeds.filter(isFeed).map(feedOutline) }));
  const byTag = new Map<string, string[]>();
  for (const url of config.feeds.filter(isFeed)) {
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
