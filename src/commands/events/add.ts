import { ExitCode, UsageError } from '../../core/errors.js';
import { formatDuration, parseTime } from '../../core/time.js';
import { shownSpan } from '../../render/text.js';
import { openStore } from '../../store/store.js';
import { configFor, log, processEnv, writeOut, type GlobalOptions } from '../context.js';
import { topicFlag } from '../flags.js';
import { cleanNote, windowFlag } from './shared.js';

export interface AddOptions {
  topic: string;
  from?: string;
  to?: string;
  note?: string;
  lead?: string;
  lag?: string;
}

/**
 * `momentscan events add TOPIC --from TIME --to TIME --note TEXT`: a planned event (a launch, a campaign).
 * Moments of the topic overlapping it (widened by --lead before and --lag after) are labelled planned.
 */
export async function add(g: GlobalOptions, o: AddOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  let topic = o.topic.trim();
  if (topic !== '*') topic = topicFlag(config, topic, { flag: 'events add', also: '* is every topic' });
  if (o.from === undefined) throw new UsageError('events add: give when the event starts, with --from TIME (ISO-8601, e.g. 2026-12-01T09:00:00Z)');
  const start = parseTime(o.from, now, '--from', config.defaults.timeZone);
  const end = o.to === undefined ? start : parseTime(o.to, now, '--to', config.defaults.timeZone);
  if (end < start) throw new UsageError(`--to ${o.to} is before --from ${o.from}`);
  const leadMs = windowFlag(o.lead, '--lead');
  const lagMs = windowFlag(o.lag, '--lag');
  const note = cleanNote(o.note);
  const store = await openStore(dbPath);
  let id: number;
  try {
    id = store.feedback.addEvents([{ topic, uid: null, start, end, leadMs, lagMs, note, categories: [], source: 'cli' }], now).ids[0]!;
  } finally {
    store.close();
  }
  await writeOut(`${id}\n`);
  if (!g.quiet) {
    const widen = [leadMs ? `${formatDuration(leadMs)} before` : '', lagMs ? `${formatDuration(lagMs)} after` : ''].filter(Boolean).join(' and ');
    const window = widen ? ` (moments up to ${widen} it count as planned)` : '';
    log(`events: ${id}: ${topic === '*' ? 'every topic' : topic}, ${shownSpan(start, end, config.defaults.timeZone)}${note ? ` "${note}"` : ''}${window}; momentscan events remove ${id} removes it`);
  }
  return ExitCode.OK;
}
