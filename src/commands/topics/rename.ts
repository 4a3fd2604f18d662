import path from 'node:path';
import { applyRenameTopic } from '../../config/edit.js';
import { ConfigError, ExitCode, UsageError } from '../../core/errors.js';
import { shellWord } from '../../core/text.js';
import { cellText } from '../../render/text.js';
import { isPostgresUrl, openStore, storeExists } from '../../store/store.js';
import { checkEdited, configText, replaceConfig, typedText } from '../config-write.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { topicFlag } from '../flags.js';

export interface RenameOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `momentscan topics rename OLD NEW`: renames a topic in the config file (and the notify routes naming it) and
 * in the database, its history with it: its matches, counts and moments (by its id) and its labels, events,
 * silences and notifications (by its name), in one transaction. Refused when NEW is a topic of the config, or
 * another history in the database. The database is renamed first; if the config then cannot be written, the
 * database is renamed back.
 */
export async function rename(g: GlobalOptions, o: RenameOptions): Promise<number> {
  const env = processEnv();
  const { config, configPath, dbPath } = configFor(g, env);
  const from = topicFlag(config, o.from, { flag: 'topics rename' });
  const to = typedText(o.to, 'topics rename: the new name', 100);
  if (to === from) throw new UsageError(`topics rename: topic ${cellText(from)} is already named so`, { hint: 'nothing was written' });
  const taken = config.topics.find((t) => t.name !== from && t.name.toLowerCase() === to.toLowerCase());
  if (taken) {
    throw new UsageError(`topics rename: topic ${cellText(taken.name)} already exists in the config`, {
      hint: `give another name, or momentscan topics remove ${shellWord(taken.name)} first; nothing was written`,
    });
  }
  const current = configText(configPath);
  const next = applyRenameTopic(current, from, to);
  try {
    checkEdited(configPath, next, (mb) => new ConfigError(`${configPath}: the config would be ${mb} MB`, { hint: 'it was left as it was' }));
  } catch (err) {
    if (!(err instanceof ConfigError) || !err.message.startsWith(`${configPath}: `)) throw err;
    throw new UsageError(`topics rename: named ${to} the config would not load: ${err.message.slice(configPath.length + 2)}`, { hint: 'nothing was written' });
  }

  // the history follows: renamed in the database first (a dry run looks only), the config after
  let history = false;
  if (storeExists(dbPath)) {
    const store = await openStore(dbPath, o.dryRun ? { readonlyIfDenied: true } : {});
    try {
      if (o.dryRun) history = dryRename(store.topicNames(), from, to, dbPath);
      else {
        history = store.renameTopic(from, to) !== null;
        try {
          replaceConfig(configPath, next, current);
        } catch (err) {
          if (history) store.renameTopic(to, from);
          throw err;
        }
      }
    } finally {
      store.close();
    }
  } else if (!o.dryRun) replaceConfig(configPath, next, current);

  if (o.json) await writeOut(`${JSON.stringify({ schemaVersion: 1, config: configPath, dryRun: Boolean(o.dryRun), renamed: true, from, to, history }, null, 2)}\n`);
  else if (o.dryRun) await writeOut(next);
  if (!g.quiet) {
    const moved = history ? `; its history in the database (items, counts, moments, labels, events, silences) ${o.dryRun ? 'would follow' : 'follows'} it` : '; the database holds no history of it yet';
    log(`momentscan: topic ${cellText(from)} ${o.dryRun ? 'would be renamed' : 'renamed'} ${cellText(to)}${moved} — ${path.resolve(configPath)}`);
  }
  return ExitCode.OK;
}

/** What renaming would do in the database, read only: whether there is a history to move; refused as the rename would be. */
function dryRename(stored: Map<number, string>, from: string, to: string, dbPath: string): boolean {
  const names = [...stored.values()];
  const was = names.find((n) => n === from) ?? names.find((n) => n.toLowerCase() === from.toLowerCase());
  const taken = names.find((n) => n !== was && n.toLowerCase() === to.toLowerCase());
  if (taken) {
    throw new UsageError(`${isPostgresUrl(dbPath) ? 'the database' : dbPath}: the database already holds a topic "${taken}", another history than ${was ?? from}'s`, {
      hint: `give another name, or momentscan topics add ${JSON.stringify(taken)} to have that history back; nothing was renamed`,
    });
  }
  return was !== undefined;
}
