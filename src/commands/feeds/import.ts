import { readFileSync, statSync } from 'node:fs';
import { applyImport, planImport } from '../../config/edit.js';
import { MAX_CONFIG_BYTES } from '../../config/load.js';
import { OpmlError, parseOpml } from '../../config/opml.js';
import { ConfigError, InputError, UsageError } from '../../core/errors.js';
import { utf8FileText } from '../../core/utf8-file.js';
import { checkEdited, configText, replaceConfig } from '../config-write.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';

/** The largest OPML file read (a feed reader's 20,000 subscriptions take about 2 MB). */
const MAX_OPML_BYTES = 8 << 20;

export interface ImportOptions {
  file: string;
  as?: string;
  dryRun?: boolean;
}

/**
 * `momentscan feeds import FILE.opml`: adds a feed reader's subscriptions to the config file (folders
 * become topics, or tags with --as tags), keeping the file's comments; --dry-run prints the result instead.
 */
export async function importOpml(g: GlobalOptions, o: ImportOptions): Promise<number> {
  const env = processEnv();
  const as = o.as ?? 'topics';
  if (as !== 'topics' && as !== 'tags') throw new UsageError(`--as: expected topics or tags, got "${as}"`);
  const { config, configPath } = configFor(g, env);
  let text: string;
  try {
    const st = statSync(o.file);
    if (!st.isFile()) throw new UsageError(`${o.file}: not a regular file`, { hint: 'give the path of an OPML file' });
    if (st.size > MAX_OPML_BYTES) throw new UsageError(`${o.file}: the feed list is ${(st.size / 2 ** 20).toFixed(1)} MB, more than the ${MAX_OPML_BYTES / 2 ** 20} MB momentscan reads`, { hint: 'import it in parts' });
    text = utf8FileText(readFileSync(o.file), o.file, 'the feed list', (message, hint) => new InputError(message, { hint }));
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read the feed list (${code ?? String(err)})`;
    throw new UsageError(`${o.file}: ${why}`, { hint: 'check the path of the OPML file' });
  }
  let opml;
  try {
    opml = parseOpml(text);
  } catch (err) {
    if (err instanceof OpmlError) throw new InputError(`${o.file}: ${err.message}`, { hint: 'export the subscriptions from your feed reader as OPML' });
    throw err;
  }
  const plan = planImport(config, opml, as);
  const current = configText(configPath);
  const next = applyImport(current, plan);
  checkEdited(configPath, next, (mb) =>
    new ConfigError(`${o.file}: importing it would make the config ${mb} MB, more than the ${MAX_CONFIG_BYTES / 2 ** 20} MB momentscan reads`, {
      hint: 'import fewer feeds (--as tags keeps them out of topics), or split the list',
    }),
  );
  const added = [...plan.topics.values()].reduce((a, l) => a + l.length, 0) + plan.feeds.length;
  if (o.dryRun) await writeOut(next);
  else if (added > 0) replaceConfig(configPath, next, current);
  if (!g.quiet) {
    const parts = [`${added} feed${added === 1 ? '' : 's'} ${o.dryRun ? 'would be added' : 'added'}`];
    if (plan.topics.size) parts.push(`in ${plan.topics.size} topic${plan.topics.size === 1 ? '' : 's'} (${[...plan.topics.keys()].join(', ')})`);
    if (plan.skipped.length) parts.push(`${plan.skipped.length} already configured`);
    if (plan.invalid.length) parts.push(`${plan.invalid.length} not ${plan.invalid.length === 1 ? 'an http(s) or file:// feed URL' : 'http(s) or file:// feed URLs'}, left out`);
    log(`momentscan: ${parts.join('; ')}${o.dryRun ? '' : ` — ${configPath}`}`);
  }
  return 0;
}

