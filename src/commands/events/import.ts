import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, InputError, UsageError } from '../../core/errors.js';
import { utf8FileText } from '../../core/utf8-file.js';
import { IcsError, parseIcs } from '../../parse/ics.js';
import { openStore, type NewEvent } from '../../store/store.js';
import { configFor, log, processEnv, type GlobalOptions } from '../context.js';
import { topicFlag } from '../flags.js';
import { cleanNote, windowFlag } from './shared.js';

/** The largest calendar read (a year of a busy team's events is well under 1 MB). */
export const MAX_ICS_BYTES = 16 << 20;

export interface ImportOptions {
  file: string;
  topic?: string;
  lead?: string;
  lag?: string;
  dryRun?: boolean;
}

/**
 * `momentscan events import FILE.ics`: the VEVENTs of an iCalendar file as planned events, all in one
 * transaction. An event goes to --topic if given, else to the topics its CATEGORIES name, else to every
 * topic (*). Importing the file again replaces its events (by UID) instead of adding them twice.
 */
export async function importIcs(g: GlobalOptions, o: ImportOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  const only = o.topic === undefined ? null : topicFlag(config, o.topic);
  const leadMs = windowFlag(o.lead, '--lead');
  const lagMs = windowFlag(o.lag, '--lag');
  let text: string;
  try {
    const st = statSync(o.file);
    if (!st.isFile()) throw new UsageError(`${o.file}: not a regular file`, { hint: 'give the path of an .ics file' });
    if (st.size > MAX_ICS_BYTES) throw new InputError(`${o.file}: the calendar is ${(st.size / 2 ** 20).toFixed(1)} MB, more than the ${MAX_ICS_BYTES / 2 ** 20} MB momentscan reads`, { hint: 'export a shorter period' });
    text = utf8FileText(readFileSync(o.file), o.file, 'the calendar', (message, hint) => new InputError(message, { hint }));
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read the calendar (${code ?? String(err)})`;
    throw new UsageError(`${o.file}: ${why}`, { hint: 'check the path of the .ics file' });
  }
  let parsed;
  try {
    const warn = (line: number, message: string) => log(`events: ${o.file}:${line}: ${message}`);
    parsed = parseIcs(text, { zone: config.defaults.timeZone, warn });
  } catch (err) {
    if (err instanceof IcsError) throw new InputError(`${o.file}:${err.line}: ${err.message}`, { hint: 'nothing was imported; fix the calendar or export it again' });
    throw err;
  }
  const byName = new Map(config.topics.map((t) => [t.name.toLowerCase(), t.name]));
  const source = path.basename(o.file);
  let everyTopic = 0;
  const events: NewEvent[] = parsed.flatMap((e) => {
    const named = only ? [only] : [...new Set(e.categories.map((c) => byName.get(c.toLowerCase())).filter((n): n is string => n !== undefined))];
    if (named.length === 0) everyTopic++;
    const note = cleanNote(e.summary);
    return (named.length ? named : ['*']).map((topic) => ({ topic, uid: e.uid, start: e.start, end: e.end, leadMs, lagMs, note, categories: e.categories.map((c) => cleanNote(c)!).filter(Boolean), source }));
  });
  if (o.dryRun) {
    log(`events: ${o.file}: ${parsed.length} event${parsed.length === 1 ? '' : 's'} read, nothing imported (--dry-run)`);
    return ExitCode.OK;
  }
  const store = await openStore(dbPath);
  let result;
  try {
    result = store.feedback.addEvents(events, now);
  } finally {
    store.close();
  }
  if (!g.quiet) {
    const every = everyTopic ? `; ${everyTopic} name${everyTopic === 1 ? 's' : ''} no topic in CATEGORIES, so ${everyTopic === 1 ? 'it applies' : 'they apply'} to every topic (--topic puts them all in one)` : '';
    log(`events: ${o.file}: ${parsed.length} event${parsed.length === 1 ? '' : 's'} read: ${result.added} planned event${result.added === 1 ? '' : 's'} added, ${result.replaced} updated${every}`);
  }
  return ExitCode.OK;
}
