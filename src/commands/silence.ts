import { ExitCode, UsageError } from '../core/errors.js';
import { parseDurationMs, parseTime } from '../core/time.js';
import { shownAt } from '../render/text.js';
import { MAX_SILENCE_MS, Outbox } from '../notify/outbox.js';
import { render } from '../render/index.js';
import { silencesListing } from '../render/notify.js';
import { openStore } from '../store/store.js';
import { chooseFormat, configFor, log, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from './context.js';
import { topicFlag } from './flags.js';

/**
 * `momentscan silence add|list|remove`: hold a topic's notifications (or every topic's, `*`) for a
 * while — a maintenance window, a story already handled. Alerts during a silence are recorded as
 * silenced and never sent; moments keep being detected.
 */
export async function add(g: GlobalOptions, o: { topic: string; for?: string; until?: string; comment?: string }): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  let topic = o.topic.trim();
  if (topic !== '*') topic = topicFlag(config, topic, { flag: 'silence add', also: '* silences every topic' });
  if ((o.for === undefined) === (o.until === undefined)) throw new UsageError('silence add: give how long, with --for 2h, or until when, with --until TIME (one of them)');
  let endsAt: number;
  if (o.for !== undefined) {
    const ms = parseDurationMs(o.for);
    if (ms === null || ms <= 0) throw new UsageError(`--for: expected a duration such as 30m, 2h or 1d, got "${o.for}"`);
    if (ms > MAX_SILENCE_MS) throw new UsageError(`--for ${o.for}: at most 36500d (100 years)`, { hint: 'momentscan silence remove ID ends a silence whenever you like' });
    endsAt = now + ms;
  } else {
    endsAt = parseTime(o.until!, now, '--until', config.defaults.timeZone);
    if (endsAt <= now) throw new UsageError(`--until ${o.until} is not in the future`);
  }
  const comment = o.comment?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() || null;
  const store = await openStore(dbPath);
  let id: number;
  try {
    id = new Outbox(store).addSilence({ topic, startsAt: now, endsAt, comment }, now);
  } finally {
    store.close();
  }
  await writeOut(`${id}\n`);
  if (!g.quiet) log(`silence: ${id}: ${topic === '*' ? 'every topic' : topic} silenced until ${shownAt(endsAt, config.defaults.timeZone)}${comment ? ` (${comment})` : ''}; momentscan silence remove ${id} ends it`);
  return ExitCode.OK;
}

export async function list(g: GlobalOptions, o: OutputOptions & { all?: boolean }): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const format = chooseFormat(o);
  const now = env.now();
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let rows;
  try {
    rows = new Outbox(store).silences(o.all ? null : now);
  } finally {
    store.close();
  }
  await writeOut(render(format, silencesListing(rows, now), await renderContext(g, o, env, now, format, config.defaults.timeZone)));
  return ExitCode.OK;
}

/** `momentscan silence remove ID...`: ends silences now and forgets them (all of them or, when one is not there, none), as `events remove`. */
export async function remove(g: GlobalOptions, o: { ids: string[] }): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  const ids = o.ids.map((text) => {
    const id = Number(text);
    if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`silence remove: expected a silence id (a number from momentscan silence list), got "${text}"`);
    return id;
  });
  const store = await openStore(dbPath);
  try {
    const outbox = new Outbox(store);
    store.together(() => {
      for (const id of ids) {
        if (!outbox.removeSilence(id)) throw new UsageError(`silence remove: no silence ${id}`, { hint: 'momentscan silence list --all shows them' });
      }
    });
  } finally {
    store.close();
  }
  if (!g.quiet) log(`silence: ${ids.length === 1 ? `${ids[0]} removed` : `removed ${ids.join(', ')}`}`);
  return ExitCode.OK;
}
