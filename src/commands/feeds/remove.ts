import path from 'node:path';
import { applyRemoveFeeds, listedFeeds, type ListedFeed } from '../../config/edit.js';
import { feedUrl } from '../../config/schema.js';
import { ConfigError, ExitCode, UsageError } from '../../core/errors.js';
import { cellText } from '../../render/text.js';
import { checkEdited, configText, replaceConfig } from '../config-write.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { typedFeedUrl } from './read-once.js';
import { feedTitles } from './titles.js';
import { shellWord } from '../../core/text.js';

export interface RemoveOptions {
  feeds: string[];
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `momentscan feeds remove URL|TITLE…`: removes feeds from the config file's `feeds:` lists (all of them, or
 * none when one is not there). Their stored items stay in the database, and in the topics' history; `feeds
 * list` no longer shows them (it lists the configured feeds), and `feeds add` of the same URL takes them up again.
 */
export async function remove(g: GlobalOptions, o: RemoveOptions): Promise<number> {
  const env = processEnv();
  const { config, configPath, dbPath } = configFor(g, env);
  const dir = path.dirname(path.resolve(configPath));
  const current = configText(configPath);
  const listed = listedFeeds(current, dir);
  // a feed is named as feeds list names it: its title in the config, else its own, from the database (read
  // only when a name is not found otherwise: a damaged or locked database does not stop an edit of the config)
  const named = (titles: Map<string, string>) => new Set(o.feeds.map((typed) => feedNamed(typed, listed, titles, dir, config.topics)));
  let urls: Set<string>;
  try {
    urls = named(config.feedTitles);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    urls = named(await feedTitles(config, dbPath, env.now()));
  }

  const removed = listed.filter((f) => urls.has(f.url)).map((f) => ({ url: f.url, topic: f.topic, title: f.title }));
  // a topic of whole feeds (no keywords, no query) needs one
  for (const t of config.topics) {
    if (t.query === null && t.feeds.length > 0 && t.feeds.every((u) => urls.has(u))) {
      throw new UsageError(`feeds remove: topic ${cellText(t.name)} takes every item of its feeds, and this would leave it none`, {
        hint: `momentscan topics remove ${shellWord(t.name)} removes the topic; nothing was removed`,
      });
    }
  }
  const next = applyRemoveFeeds(current, dir, urls);
  checkEdited(configPath, next, (mb) => new ConfigError(`${configPath}: the config would be ${mb} MB`, { hint: 'it was left as it was' }));
  if (!o.dryRun) replaceConfig(configPath, next, current);
  if (o.json) await writeOut(`${JSON.stringify({ schemaVersion: 1, config: configPath, dryRun: Boolean(o.dryRun), removed }, null, 2)}\n`);
  else if (o.dryRun) await writeOut(next);
  if (!g.quiet) {
    const what = removed.map((f) => `${f.url} (${f.topic === null ? 'a plain feed' : `topic ${f.topic}`})`).join(', ');
    const n = urls.size;
    log(
      `momentscan: ${o.dryRun ? 'would remove' : 'removed'} ${what}; ${n === 1 ? 'its' : 'their'} stored items stay in the database and in the topics' history, and feeds list no longer shows ${n === 1 ? 'it' : 'them'} — ${path.resolve(configPath)}`,
    );
  }
  return ExitCode.OK;
}

/** The URL of the configured feed `typed` names: its URL (or path), or its title (in any case). A usage error if none, or several. */
function feedNamed(typed: string, listed: ListedFeed[], titles: Map<string, string>, dir: string, topics: { name: string; feeds: string[] }[]): string {
  const s = typed.trim();
  if (s === '') throw new UsageError('feeds remove: a feed named "" — give its URL or title', { hint: 'momentscan feeds list shows them' });
  const asUrl = new Set([typedFeedUrl(s), feedUrl(s, dir)]);
  const byUrl = listed.find((f) => asUrl.has(f.url));
  if (byUrl) return byUrl.url;
  const wanted = cellText(s).toLowerCase();
  const byTitle = [...new Set(listed.filter((f) => cellText(titles.get(f.url) ?? '').toLowerCase() === wanted).map((f) => f.url))];
  if (byTitle.length === 1) return byTitle[0]!;
  if (byTitle.length > 1) throw new UsageError(`feeds remove: ${byTitle.length} feeds are titled "${cellText(s)}": ${byTitle.join(', ')}`, { hint: 'give the URL of the one to remove; nothing was removed' });
  const built = topics.find((t) => t.feeds.some((u) => asUrl.has(u)));
  if (built) {
    throw new UsageError(`feeds remove: ${cellText(s)} is built from the sources: of topic ${cellText(built.name)}, not listed under feeds:`, {
      hint: 'edit that topic\'s sources: in the config (momentscan topics remove removes the whole topic); nothing was removed',
    });
  }
  throw new UsageError(`feeds remove: no configured feed is "${cellText(s)}"`, { hint: 'give a URL or title as momentscan feeds list shows them; nothing was removed' });
}
