import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyImport } from '../../config/edit.js';
import { MAX_CONFIG_BYTES } from '../../config/load.js';
import { ConfigError, ExitCode, MomentscanError, UsageError } from '../../core/errors.js';
import { shellWord } from '../../core/text.js';
import { cellText } from '../../render/text.js';
import { checkEdited, configText, replaceConfig, typedText } from '../config-write.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { topicFlag } from '../flags.js';
import { readFeedOnce, typedFeedUrl } from './read-once.js';

/**
 * A feed as the config gets it: a local file given as a path, in the config's folder or under it, as a path
 * relative to that folder (as the loader reads it: a config moved or shared with its feeds still finds them);
 * anything else as its URL (a file elsewhere as its file:// URL).
 */
function asWritten(source: string, url: string, configPath: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(source.trim()) || !url.startsWith('file:')) return url;
  const rel = path.relative(path.dirname(path.resolve(configPath)), fileURLToPath(url));
  if (!rel || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return url;
  const posix = rel.split(path.sep).join('/');
  // (a path the loader would take for a URL, or for one under the home folder, is written ./…)
  return /^[a-z][a-z0-9+.-]*:/i.test(posix) || posix.startsWith('~') ? `./${posix}` : posix;
}

/** The longest feed URL taken (a search feed's URL is a few hundred characters). */
const MAX_URL = 8192;

export interface AddOptions {
  source: string;
  topic?: string;
  title?: string;
  tag?: string[];
  /** false with --no-check: the feed is not fetched first. */
  check?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `momentscan feeds add URL|FILE [--topic NAME] [--title T] [--tag X]…`: adds one feed to a topic's `feeds:`
 * or to the plain `feeds:` list of the config file, after fetching it once (as `feeds test` does) unless
 * --no-check. A feed already where it was asked for leaves the config as it is (exit 0, a note); one
 * configured elsewhere is a usage error saying where (feeds remove, then add, moves it).
 */
export async function add(g: GlobalOptions, o: AddOptions): Promise<number> {
  const env = processEnv();
  const { config, configPath } = configFor(g, env);
  const source = typedText(o.source, 'feeds add', MAX_URL);
  if (/^ndjson:/i.test(source)) {
    throw new UsageError(`feeds add: "${source}" is a file of items, not a feed`, { hint: 'name it as an ndjson source of a topic: momentscan topics add NAME --keywords … --source ndjson:FILE' });
  }
  const url = typedFeedUrl(source);
  if (!url) throw new UsageError(`feeds add: "${cellText(source)}" is not an http(s) URL, a file:// URL or a path`, { hint: 'give the address of a feed (RSS, Atom or JSON Feed), or a local file' });
  const topic = o.topic === undefined ? null : topicFlag(config, o.topic);
  const title = o.title === undefined ? null : typedText(o.title, '--title', 200);
  const tags = (o.tag ?? []).map((t) => typedText(t, '--tag', 100));
  const where = (t: string | null) => (t === null ? 'the plain feeds list' : `the feeds of topic ${t}`);

  // already configured: as asked, nothing to do; elsewhere, say where
  const places = [...(config.feeds.includes(url) ? [null] : []), ...config.topics.filter((t) => t.feeds.includes(url)).map((t) => t.name)];
  const result = { schemaVersion: 1, config: configPath, dryRun: Boolean(o.dryRun), added: false, url, topic, title, tags, feedTitle: null as string | null, items: null as number | null };
  if (places.includes(topic)) {
    if (o.json) await writeOut(`${JSON.stringify(result, null, 2)}\n`);
    if (!g.quiet) log(`momentscan: ${url} is already in ${where(topic)}; the config is left as it was — ${path.resolve(configPath)}`);
    return ExitCode.OK;
  }
  if (places.length > 0) {
    throw new UsageError(`feeds add: ${url} is already in ${places.map(where).join(' and ')}`, {
      hint: `momentscan feeds remove ${shellWord(url)} first to move it; nothing was added`,
    });
  }

  if (o.check !== false) {
    try {
      const read = await readFeedOnce(config, source, url, env.now());
      result.feedTitle = read.title;
      result.items = read.items.length;
    } catch (err) {
      if (!(err instanceof MomentscanError)) throw err;
      throw new MomentscanError(err.message, { hint: `${err.hint ? `${err.hint}; ` : ''}nothing was added (--no-check adds it unread)`, exitCode: err.exitCode });
    }
  }

  const existed = existsSync(configPath);
  const current = configText(configPath);
  const entry = { url: asWritten(source, url, configPath), title, tags };
  const next = applyImport(current, { topics: topic === null ? new Map() : new Map([[topic, [entry]]]), feeds: topic === null ? [entry] : [], skipped: [], invalid: [] });
  checkEdited(configPath, next, (mb) => new ConfigError(`feeds add: adding it would make the config ${mb} MB, more than the ${MAX_CONFIG_BYTES / 2 ** 20} MB momentscan reads`, { hint: `${configPath} is left as it was` }));
  if (!o.dryRun) replaceConfig(configPath, next, current);
  // true when it was added, or would be with --dry-run (dryRun says which): false only when it was already there
  result.added = true;
  if (o.json) await writeOut(`${JSON.stringify(result, null, 2)}\n`);
  else if (o.dryRun) await writeOut(next);
  if (!g.quiet) {
    const read = result.items === null ? '' : ` (${result.items} item${result.items === 1 ? '' : 's'} now${result.feedTitle ? `; its title: ${result.feedTitle}` : ''})`;
    const made = !existed && !o.dryRun ? `; the config did not exist and now holds just this feed (momentscan init writes a commented example)` : '';
    log(`momentscan: ${url}${read} ${o.dryRun ? 'would be added' : 'added'} to ${where(topic)}${made} — ${path.resolve(configPath)}`);
  }
  return ExitCode.OK;
}
