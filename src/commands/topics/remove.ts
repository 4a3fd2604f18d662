import path from 'node:path';
import { applyRemoveTopic } from '../../config/edit.js';
import { ConfigError, ExitCode, UsageError } from '../../core/errors.js';
import { checkEdited, configText, replaceConfig } from '../config-write.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { topicFlag } from '../flags.js';

export interface RemoveOptions {
  topics: string[];
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `momentscan topics remove NAME…`: removes topics from the config file, with their feeds and sources (all of
 * them, or none when one is not there). What the database holds of them stays: their items (which belong to
 * feeds), matches, counts, moments and labels; no command shows them while they are away, and a topic added
 * again under its name has them back (its matches redone over every stored item).
 */
export async function remove(g: GlobalOptions, o: RemoveOptions): Promise<number> {
  const env = processEnv();
  const { config, configPath } = configFor(g, env);
  const names = [...new Set(o.topics.map((t) => topicFlag(config, t, { flag: 'topics remove' })))];
  const current = configText(configPath);
  const next = names.reduce((text, name) => applyRemoveTopic(text, name), current);
  try {
    checkEdited(configPath, next, (mb) => new ConfigError(`${configPath}: the config would be ${mb} MB`, { hint: 'it was left as it was' }));
  } catch (err) {
    // a notify route naming the topic, say: the config would not load without it
    if (!(err instanceof ConfigError) || !err.message.startsWith(`${configPath}: `)) throw err;
    throw new UsageError(`topics remove: without ${names.join(', ')} the config would not load: ${err.message.slice(configPath.length + 2)}`, {
      hint: `edit that line of ${configPath} first; nothing was removed`,
    });
  }
  if (!o.dryRun) replaceConfig(configPath, next, current);
  const removed = config.topics.filter((t) => names.includes(t.name)).map((t) => ({ name: t.name, query: t.queryText, feeds: t.feeds }));
  if (o.json) await writeOut(`${JSON.stringify({ schemaVersion: 1, config: configPath, dryRun: Boolean(o.dryRun), removed }, null, 2)}\n`);
  else if (o.dryRun) await writeOut(next);
  if (!g.quiet) {
    const one = names.length === 1;
    log(
      `momentscan: ${o.dryRun ? 'would remove' : 'removed'} topic${one ? '' : 's'} ${names.join(', ')}; ${one ? 'its' : 'their'} items, counts, moments and labels stay in the database, unseen until a topic of ${one ? 'that name' : 'those names'} is added again — ${path.resolve(configPath)}`,
    );
  }
  return ExitCode.OK;
}
