import { existsSync } from 'node:fs';
import path from 'node:path';
import { applyAddTopic, applyRemoveTopic, type NewTopic } from '../../config/edit.js';
import { MAX_CONFIG_BYTES } from '../../config/load.js';
import type { Config, TopicConfig } from '../../config/schema.js';
import { SOURCE_KINDS } from '../../config/sources.js';
import { ConfigError, ExitCode, UsageError } from '../../core/errors.js';
import { shellWord } from '../../core/text.js';
import { cellText } from '../../render/text.js';
import { checkEdited, configText, replaceConfig, typedText } from '../config-write.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';

export interface AddOptions {
  name: string;
  keywords?: string[];
  query?: string;
  exclude?: string[];
  source?: string[];
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `momentscan topics add NAME (--keywords a,b | --query Q) [--exclude …] [--source S]…`: adds a topic to the
 * config file. Its query passes the loader's checks, or nothing is written (a usage error naming the flag).
 * A topic of that name defined the same way leaves the config as it is (exit 0, a note); defined otherwise,
 * a usage error (topics remove it first).
 */
export async function add(g: GlobalOptions, o: AddOptions): Promise<number> {
  const env = processEnv();
  const { config, configPath } = configFor(g, env);
  const name = typedText(o.name, 'topics add: the name', 100);
  const list = (texts: string[] | undefined, flag: string) =>
    (texts ?? []).flatMap((t) => t.split(',')).filter((t) => t.trim() !== '').map((t) => typedText(t, flag, 200));
  const keywords = list(o.keywords, '--keywords');
  const exclude = list(o.exclude, '--exclude');
  const query = o.query === undefined ? undefined : typedText(o.query, '--query', 2000);
  if (query !== undefined && keywords.length) throw new UsageError('topics add: give --keywords or --query, not both');
  if (query === undefined && !keywords.length) {
    throw new UsageError('topics add: give what its items say, with --keywords a,b (any of them) or --query Q', { hint: `e.g. momentscan topics add ${shellWord(name)} --keywords "${name.toLowerCase()}"` });
  }
  const typedSources = (o.source ?? []).map((s) => typedText(s, '--source', 8192));
  const topic: NewTopic = { name, ...(keywords.length ? { keywords } : {}), ...(query !== undefined ? { query } : {}), ...(exclude.length ? { exclude } : {}), sources: typedSources.map(sourceEntry) };

  const existing = config.topics.find((t) => t.name.toLowerCase() === name.toLowerCase()) ?? null;
  const existed = existsSync(configPath);
  const current = configText(configPath);
  // defined anew in the place of one of that name (to compare), else added at the end
  const next = applyAddTopic(existing ? applyRemoveTopic(current, existing.name) : current, topic);
  const index = config.topics.length - (existing ? 1 : 0);
  const added = (checked(configPath, next, index, typedSources).topics[index] ?? null) as TopicConfig;
  const result = { schemaVersion: 1, config: configPath, dryRun: Boolean(o.dryRun), added: false, name, query: added.queryText, feeds: added.feeds };
  if (existing) {
    if (existing.queryText === added.queryText && sameFeeds(existing, added)) {
      if (o.json) await writeOut(`${JSON.stringify({ ...result, name: existing.name }, null, 2)}\n`);
      if (!g.quiet) log(`momentscan: topic ${existing.name} is already configured so; the config is left as it was — ${path.resolve(configPath)}`);
      return ExitCode.OK;
    }
    throw new UsageError(`topics add: topic ${cellText(existing.name)} already exists, with query ${existing.queryText ?? '(none: every item of its feeds)'} and ${existing.feeds.length} feed${existing.feeds.length === 1 ? '' : 's'}`, {
      hint: `momentscan topics remove ${shellWord(existing.name)} first to define it anew (its stored history is kept); nothing was written`,
    });
  }
  if (!o.dryRun) replaceConfig(configPath, next, current);
  // true when it was added, or would be with --dry-run (dryRun says which): false only when it was already there
  result.added = true;
  if (o.json) await writeOut(`${JSON.stringify(result, null, 2)}\n`);
  else if (o.dryRun) await writeOut(next);
  if (!g.quiet) {
    const feeds = added.feeds.length ? `; ${added.feeds.length} feed${added.feeds.length === 1 ? '' : 's'} from its sources` : '; no feed of its own: items of every feed are matched';
    const made = !existed && !o.dryRun ? '; the config did not exist and now holds just this topic (momentscan init writes a commented example)' : '';
    log(
      `momentscan: topic ${name} ${o.dryRun ? 'would be added' : 'added'} (query: ${added.queryText}${feeds})${made}; the next fetch matches every stored item against it, so its history counts at once — ${path.resolve(configPath)}`,
    );
  }
  return ExitCode.OK;
}

/** A --source as the config writes it: a name (`google-news`), `NAME:VALUE` as `{ NAME: VALUE }` (`reddit:robotics`), a URL. */
function sourceEntry(typed: string): string | Record<string, string> {
  const colon = typed.indexOf(':');
  const kind = colon > 0 ? typed.slice(0, colon).trim().toLowerCase() : '';
  if (!(SOURCE_KINDS as readonly string[]).includes(kind)) return typed;
  const value = typed.slice(colon + 1).trim();
  // a file of items is named relative to here, not to the config's folder
  return { [kind]: kind === 'ndjson' ? path.resolve(value) : value };
}

/** The edited config, checked as the loader checks it; a problem of the new topic (at `index`) is a usage error naming the flag. */
function checked(configPath: string, next: string, index: number, sources: string[]): Config {
  try {
    return checkEdited(configPath, next, (mb) => new ConfigError(`topics add: adding it would make the config ${mb} MB, more than the ${MAX_CONFIG_BYTES / 2 ** 20} MB momentscan reads`, { hint: `${configPath} is left as it was` }));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const prefix = `${configPath}: topics[${index}]`;
    if (!err.message.startsWith(prefix)) throw err;
    const m = /^(?:\.(\w+))?(?:\[(\d+)\])?[^:]*: ([\s\S]*)$/.exec(err.message.slice(prefix.length));
    const field = m?.[1];
    const flag = field === 'sources' && m?.[2] !== undefined ? `--source ${sources[Number(m[2])] ?? ''}` : field === 'name' ? 'the name' : field ? `--${field}` : 'the topic';
    throw new UsageError(`topics add: ${flag}: ${m?.[3] ?? err.message}`, { hint: 'nothing was written' });
  }
}

function sameFeeds(a: TopicConfig, b: TopicConfig): boolean {
  return a.feeds.length === b.feeds.length && [...a.feeds].sort().every((u, i) => u === [...b.feeds].sort()[i]);
}
