import { ExitCode, UsageError } from '../core/errors.js';
import { buildDigestModel, lastDigestEnd } from '../moments/digest.js';
import type { DigestModel } from '../moments/types.js';
import { deliverDigest } from '../notify/digest-delivery.js';
import { DIGEST_RENDERERS, digestFormat } from '../render/digest-formats.js';
import { quietToSkip } from '../render/digest.js';
import { fmtIn, fmtShortIn, parseIsoTime, zonedDayStart, zonedMidnight } from '../core/time.js';
import { openStore, storeExists } from '../store/store.js';
import { checkWindow, configFor, log, processEnv, writeOut, type GlobalOptions } from './context.js';
import { asOfFlag, sensitivityFlag, needTopics, sinceFlag, topicsFlag } from './flags.js';

/** How long a `--since last --send` run's claim on its period holds others off: well past a send's 2-minute deadline. */
const CLAIM_LEASE_MS = 10 * 60_000;
/** `--day today --send` runs this close together (two hosts' crons) send one digest. */
const TODAY_SLACK_MS = 2 * 60_000;

export interface DigestOptions {
  since?: string;
  asOf?: string;
  day?: string;
  topic?: string[];
  format?: string;
  send?: boolean;
  to?: string[];
  dryRun?: boolean;
  always?: boolean;
  resend?: boolean;
  failOnMoments?: boolean;
  sensitivity?: string;
}

/**
 * `momentscan digest`: one cross-topic digest of a period — new moments, those still going, those that
 * faded — printed (text, Markdown, HTML) or sent by email (text and HTML alternatives). The digest is
 * recorded when printed or sent, so `--since last` starts where the previous one ended; a failed send
 * and `--dry-run` record nothing.
 */
export async function run(g: GlobalOptions, o: DigestOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  const format = digestFormat(o.format);
  const sending = Boolean(o.send || o.dryRun);
  if (!sending && o.to?.length) throw new UsageError('--to goes with --send', { hint: 'add --send (or --dry-run to see the message)' });
  if (!sending && o.always) throw new UsageError('--always goes with --send', { hint: 'a printed digest always says when the day was quiet' });
  if (o.resend && (!o.send || o.day === undefined)) {
    throw new UsageError('--resend goes with --day and --send', { hint: 'a --day digest is sent once to its recipients; --resend sends it again (--since gives periods that are never sent twice by --since last)' });
  }
  const zone = config.defaults.timeZone;
  const day = o.day === undefined ? null : dayFlag(o, now, zone);
  const asOf = day?.end ?? asOfFlag(o.asOf, now, zone);
  const sensitivity = sensitivityFlag(o.sensitivity);
  needTopics(config);

  const topics = topicsFlag(config, o.topic);

  // Everything that can be wrong with the email settings is found before anything is evaluated or recorded.
  const mail = sending ? await (await import('../email/settings.js')).mailSettings(config, o, env.env, Boolean(o.dryRun), log) : null;

  // a printed digest reads a database this user may only read, and is then not recorded; a sent one needs to record
  // (a printed digest of a database that is not there reads an empty history and records nothing: no file is made)
  const existed = storeExists(dbPath);
  const store = await openStore(dbPath, sending ? {} : { readonlyIfDenied: true });
  const readonly = store.readonly;
  if (readonly && !g.quiet) log('digest: the database is read-only for this user: the digest is printed, not recorded (--since last will not start after it)');
  const since = o.since ?? '24h';
  const lastMode = !day && since.trim().toLowerCase() === 'last';
  let model: DigestModel;
  try {
    const periodStart = day ? day.start : lastMode ? lastDigestEnd(store, asOf, sending, zone) : sinceFlag(since, asOf, zone, 'give a duration such as 24h, an earlier time, or last');
    checkWindow(config, { ...(day ? { since: o.day!, sinceFlag: '--day' } : { since }), from: periodStart, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(topics.length ? { topics } : {}) });
    model = buildDigestModel(config, store, { periodStart, asOf, now, warn: (line) => log(`momentscan: warning: ${line}`), ...(topics.length ? { topics } : {}), ...(sensitivity ? { sensitivity } : {}) });
  } finally {
    store.close();
  }
  const found = model.new.length + model.ongoing.length;
  const code = o.failOnMoments && found > 0 ? ExitCode.MOMENTS_FOUND : ExitCode.OK;
  const record = async (sent: boolean, recipients: string[]): Promise<void> => {
    const s = await openStore(dbPath);
    try {
      s.recordDigest({ createdAt: now, periodStart: model.periodStart, periodEnd: model.periodEnd, sent, recipients, moments: found });
    } finally {
      s.close();
    }
  };

  if (!mail) {
    const prefix = config.email?.subjectPrefix;
    const text = DIGEST_RENDERERS[format]!(model, prefix === undefined ? {} : { subjectPrefix: prefix });
    await writeOut(text);
    if (!readonly && existed) await record(false, []);
    return code;
  }

  // `--since last --send` claims its period before it sends: of two runs at once (cron overlapping an analyst,
  // or on two hosts of a team), one sends it and the other says so; a failed send gives the period back.
  // `--day … --send` claims its day for its recipients: the second host's 07:00 cron says it was sent, and
  // sends nothing (--resend sends it again); a failed send, or a claim left by a run that died, holds nothing.
  let claim: number | null = null;
  const sends = !o.dryRun && !(quietToSkip(model) && !o.always);
  if (day && sends && !o.resend) {
    // a whole day is its midnight to the next; a day so far (--day today) is the hosts' run of a few minutes apart
    const dayEnd = zonedDayStart(model.periodStart, zone, 1);
    const whole = model.periodEnd >= dayEnd;
    const endsIn = whole ? ([dayEnd, dayEnd] as const) : ([model.periodEnd - TODAY_SLACK_MS, Math.min(model.periodEnd + TODAY_SLACK_MS, dayEnd - 1)] as const);
    const s = await openStore(dbPath);
    let got: ReturnType<typeof s.claimDayDigest>;
    try {
      got = s.claimDayDigest({ createdAt: now, periodStart: model.periodStart, periodEnd: model.periodEnd, moments: found, recipients: mail.to }, now - CLAIM_LEASE_MS, endsIn);
    } finally {
      s.close();
    }
    if ('taken' in got) {
      const what = `digest: the digest of ${fmtShortIn(model.periodStart, zone).slice(0, 10)}${whole ? '' : ` up to ${fmtIn(model.periodEnd, zone)}`}`;
      const to = got.taken.recipients || mail.to.join(', ');
      log(
        got.taken.sending
          ? `${what} is being sent to ${to} by another run (started ${fmtIn(got.taken.at, zone)}); nothing sent — if that run died, its claim runs out at ${fmtIn(got.taken.at + CLAIM_LEASE_MS, zone)} (--resend sends it now)`
          : `${what} was sent to ${to} by a run at ${fmtIn(got.taken.at, zone)}; nothing sent (--resend sends it again)`,
      );
      return code;
    }
    claim = got.id;
  }
  if (lastMode && sends) {
    const s = await openStore(dbPath);
    try {
      claim = s.claimDigest({ createdAt: now, periodStart: model.periodStart, periodEnd: model.periodEnd, moments: found }, now - CLAIM_LEASE_MS);
    } finally {
      s.close();
    }
    if (claim === null) {
      if (!g.quiet) log(`digest: another digest run has sent the period from ${fmtIn(model.periodStart, zone)} on, or is sending it now; nothing sent`);
      return code;
    }
  }
  const settle = async (recipients: string[] | null): Promise<void> => {
    const s = await openStore(dbPath);
    try {
      s.settleDigest(claim!, recipients);
    } finally {
      s.close();
    }
  };
  // Ctrl-C (or SIGTERM) while the mail server has the message: one line saying where that leaves the digest
  // (it ended the process in silence), the claimed period given back first. Nothing has gone to stdout on this
  // path (a dry run does not send).
  const onSignal = () => {
    log(
      `momentscan: error: interrupted while the digest was being sent: it is not marked as sent (the mail server had not confirmed it) — ${day ? 'the same digest --day run sends it again' : 'the next digest --since last covers this period again'}; check the inbox before sending it again`,
    );
    void (claim !== null ? settle(null) : Promise.resolve()).catch(() => undefined).finally(() => process.exit(ExitCode.INTERRUPTED));
  };
  if (!o.dryRun) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  let sentTo: string[] | null;
  try {
    sentTo = await deliverDigest(model, mail, { dryRun: Boolean(o.dryRun), always: Boolean(o.always), quiet: Boolean(g.quiet), now, log, writeOut });
  } catch (err) {
    if (claim !== null) await settle(null);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (claim !== null) await settle(sentTo);
  else if (sentTo) await record(true, sentTo);
  return code;
}

/**
 * --day: one calendar day in the team's zone, from its midnight to the next (23 or 25 hours on the days
 * clocks change): `yesterday` (the day before the one --as-of, or now, falls in: a morning cron's day),
 * `today` (from midnight up to --as-of or now), or a date. It is the period, so --since goes without it,
 * and so does --as-of with a date (the day's end is the period's end).
 */
function dayFlag(o: DigestOptions, now: number, zone: string): { start: number; end: number } {
  const text = o.day!.trim().toLowerCase();
  if (o.since !== undefined) throw new UsageError('--day and --since both give the period', { hint: 'give one: --day yesterday for the last whole day, or --since 24h' });
  if (text === 'yesterday' || text === 'today') {
    const asOf = asOfFlag(o.asOf, now, zone);
    const start = zonedDayStart(asOf, zone, text === 'yesterday' ? -1 : 0);
    const end = text === 'yesterday' ? zonedDayStart(asOf, zone) : asOf;
    if (end <= start) throw new UsageError(`--day today: the day has only just begun (${fmtIn(start, zone)})`, { hint: 'give --day yesterday, or --since 24h' });
    return { start, end };
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m || parseIsoTime(text) === null) {
    throw new UsageError(`--day: cannot read "${o.day}" as a day`, { hint: 'give yesterday, today, or a date such as 2026-11-20' });
  }
  if (o.asOf !== undefined) throw new UsageError('--day with a date and --as-of both give the period\'s end', { hint: 'leave --as-of out: the day ends at its midnight' });
  const start = zonedMidnight(Number(m[1]), Number(m[2]), Number(m[3]), zone);
  const end = zonedMidnight(Number(m[1]), Number(m[2]), Number(m[3]) + 1, zone);
  if (start >= now) throw new UsageError(`--day ${o.day} has not begun yet`, { hint: 'give a day up to today' });
  return { start, end: Math.min(end, now) };
}
