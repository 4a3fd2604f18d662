import type { Config } from '../config/schema.js';
import { SENSITIVITIES, type Sensitivity } from '../config/sensitivity.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { parseTime } from '../core/time.js';
import { closeEnough, editDistance } from '../core/text.js';
import { cellText } from '../render/text.js';

/**
 * The flags several commands share, read one way: --as-of, --since, --limit, --sensitivity and --topic
 * (items, timeline, moments, scan, digest, notify, watch, silence). Each returns the value or throws a
 * UsageError naming the flag.
 */

/**
 * --as-of: the evaluation time (ISO-8601, or a duration before now); now when not given. Not after now:
 * what a run records (a digest's period, the moments it saw) would otherwise claim a future that later
 * runs trust (`digest --since last` after `--as-of 2100-01-01` had nothing left to report, ever).
 */
export function asOfFlag(text: string | undefined, now: number, tz = 'UTC'): number {
  if (text === undefined) return now;
  const asOf = parseTime(text, now, '--as-of', tz);
  if (asOf > now) throw new UsageError(`--as-of ${text} is in the future`, { hint: 'give a time up to now, or leave --as-of out to evaluate now' });
  return asOf;
}

/**
 * --since: the start of the period, a duration before the evaluation time (7d, 48h) or a time. It must be
 * before the evaluation time. A time without a zone is in the team's zone `tz`.
 */
export function sinceFlag(text: string, asOf: number, tz = 'UTC', hint = 'give a duration such as 7d, or an earlier time'): number {
  const from = parseTime(text, asOf, '--since', tz);
  if (from >= asOf) throw new UsageError(`--since ${text} is not before the evaluation time`, { hint });
  return from;
}

/** --limit: a whole number of at least 1; `fallback` when not given. */
export function limitFlag(text: string | undefined, fallback?: number, hint?: string): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--limit: expected a whole number of at least 1, got "${text}"`, hint ? { hint } : {});
  return n;
}

/** --sensitivity: low, medium or high; undefined when not given (the config's default applies). */
export function sensitivityFlag(text: string | undefined): Sensitivity | undefined {
  if (text === undefined) return undefined;
  if (!(SENSITIVITIES as readonly string[]).includes(text)) throw new UsageError(`--sensitivity: expected one of ${SENSITIVITIES.join(', ')}, got "${text}"`);
  return text as Sensitivity;
}

/**
 * A topic as typed: its name in any case, or the start of exactly one topic's name. Returns the name as
 * configured. A start that several topics share is a usage error naming them; so is a name no topic has.
 */
export function topicFlag(config: Config, text: string, o: { flag?: string; also?: string } = {}): string {
  const flag = o.flag ?? '--topic';
  const wanted = text.trim().toLowerCase();
  // a name is typed as it is shown: without the escape sequences and control characters tables strip from it
  const shown = (name: string) => cellText(name).toLowerCase();
  const exact = config.topics.find((t) => t.name.toLowerCase() === wanted || shown(t.name) === wanted);
  if (exact) return exact.name;
  const starts = wanted === '' ? [] : config.topics.filter((t) => shown(t.name).startsWith(wanted));
  if (starts.length === 1) return starts[0]!.name;
  if (starts.length > 1) {
    throw new UsageError(`${flag}: "${text}" starts the names of ${starts.length} topics: ${starts.map((t) => cellText(t.name)).join(', ')}`, {
      hint: 'type more of the name',
    });
  }
  const close = closeTopics(config, wanted);
  // the list of every topic only while it is short (a config of 300 topics listed them all on one line)
  const short = config.topics.length <= 12;
  const list = short ? `topics are: ${config.topics.map((t) => cellText(t.name)).join(', ')}` : `momentscan topics lists all ${config.topics.length}`;
  const mean = close.length ? `did you mean ${close.map((t) => cellText(t.name)).join(' or ')}? ${short ? `T${list.slice(1)}` : `(${list})`}` : list;
  throw new UsageError(`${flag}: no topic named "${text}" in the config`, {
    hint: config.topics.length ? `${mean}${o.also ? `; ${o.also}` : ''}` : 'add topics to the config',
  });
}

/**
 * The topics a name not found was likely meant for (at most three): a typo of the name or of its start
 * ("northwnd"), or of one of its words ("robotics", "acmee").
 */
function closeTopics(config: Config, wanted: string): Config['topics'] {
  if (wanted.length < 3) return [];
  return config.topics
    .filter((t) => {
      const name = cellText(t.name).toLowerCase();
      return (
        editDistance(name.slice(0, wanted.length), wanted) <= (wanted.length >= 6 ? 2 : 1) ||
        name.split(/[\s\p{P}]+/u).some((word) => word.length >= 3 && closeEnough(word, wanted))
      );
    })
    .slice(0, 3);
}

/** Every --topic given, as configured names, each once, in the order given. */
export function topicsFlag(config: Config, texts: string[] | undefined): string[] {
  return [...new Set((texts ?? []).map((t) => topicFlag(config, t)))];
}

/** A command that works on topics needs some: a ConfigError saying how to add them otherwise. */
export function needTopics(config: Config, hint?: string): void {
  if (config.topics.length > 0) return;
  throw new ConfigError(`${config.file ?? 'config'}: no topics configured`, {
    hint: hint ?? (config.file ? 'add topics to the config' : 'create a config with momentscan init, or pass --config'),
  });
}
