import { ExitCode, UsageError } from '../core/errors.js';
import { parseTime } from '../core/time.js';
import { shownAt } from '../render/text.js';
import { learnThreshold } from '../moments/thresholds.js';
import { openStore, VERDICTS, type Verdict } from '../store/store.js';
import { cleanNote } from './events/shared.js';
import { configFor, log, processEnv, type GlobalOptions } from './context.js';

export interface LabelOptions {
  moment: string;
  verdict: string;
  note?: string;
  at?: string;
}

/**
 * `momentscan label MOMENT real|noise|planned [--note TEXT]`: a verdict on a recorded moment (its id is in
 * every format of `moments`, `scan` and the digest). `clear` withdraws it. A topic's threshold learns from
 * the verdicts (moments/thresholds.ts); the new threshold is said on stderr.
 */
export async function run(g: GlobalOptions, o: LabelOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  const id = Number(o.moment.replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`label: expected a moment id (the id column of momentscan moments), got "${o.moment}"`);
  const word = o.verdict.trim().toLowerCase();
  if (word !== 'clear' && !(VERDICTS as readonly string[]).includes(word)) throw new UsageError(`label: expected real, noise, planned or clear, got "${o.verdict}"`);
  const verdict = word === 'clear' ? null : (word as Verdict);
  const at = o.at === undefined ? now : parseTime(o.at, now, '--at', config.defaults.timeZone);
  if (at > now) throw new UsageError(`--at ${o.at} is in the future`, { hint: 'a verdict counts from when it was given' });
  const note = cleanNote(o.note);
  const store = await openStore(dbPath);
  let said: string;
  try {
    const m = store.feedback.recordedMoment(id);
    if (!m) throw new UsageError(`label: no moment ${id} in ${dbPath}`, { hint: 'momentscan moments lists moments with their ids' });
    if (at < m.start) {
      throw new UsageError(`--at ${o.at} is before moment ${id} began (${shownAt(m.start, config.defaults.timeZone)})`, { hint: 'a verdict is given after the moment it judges: give a later time, or leave --at out (now)' });
    }
    // (clear on a moment with no verdict: nothing to withdraw, and said so rather than "label cleared")
    const before = store.feedback.labels([m.topic]).find((l) => l.momentId === id);
    const had = verdict !== null || before !== undefined;
    // the same verdict again (a new note, say) keeps when it was given: the thresholds learnt from the labels
    // are not rewritten by a correction of wording (--at says otherwise when given)
    const when = o.at === undefined && before && before.verdict === verdict ? before.at : at;
    // and without --note keeps its note (it was wiped); a new verdict starts without the old one's note
    const kept = o.note === undefined && before && before.verdict === verdict ? before.note : note;
    store.feedback.saveLabel(m, verdict, { note: kept, at: when, source: 'cli' });
    const what = `moment ${id} (${m.topic}, ${m.kind === 'volume-spike' ? 'spike' : `${m.direction} shift`} from ${shownAt(m.start, config.defaults.timeZone)})`;
    const topic = config.topics.find((t) => t.name === m.topic);
    const threshold = topic ? learnThreshold(config.defaults.sensitivity, store.feedback.labels([m.topic]), now, config.defaults.timeZone) : null;
    const done = verdict ? `labelled ${verdict}${kept ? ` (${kept})` : ''}` : had ? 'label cleared' : 'had no label: nothing to clear';
    said = `${what} ${done}${threshold ? `; ${m.topic}'s threshold: ${threshold.why}` : ''}`;
  } finally {
    store.close();
  }
  if (!g.quiet) log(`label: ${said}`);
  return ExitCode.OK;
}
