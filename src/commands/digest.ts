import { ExitCode, UsageError } from '../core/errors.js';
import { buildDigestModel, lastDigestEnd } from '../moments/digest.js';
import type { DigestModel } from '../moments/types.js';
import { deliverDigest } from '../notify/digest-delivery.js';
import { DIGEST_RENDERERS, digestFormat } from '../render/digest-formats.js';
import { quietToSkip } from '../render/digest.js';
import { fmtUtc } from '../core/time.js';
import { openStore, storeExists } from '../store/store.js';
import { checkWindow, configFor, log, processEnv, writeOut, type GlobalOptions } from './context.js';
import { asOfFlag, sensitivityFlag, needTopics, sinceFlag, topicsFlag } from './flags.js';

/** How long a `--since last --send` run's claim on its period holds others off: well past a send's 2-minute deadline. */
const CLAIM_LEASE_MS = 10 * 60_000;

export interface DigestOptions {
  since?: string;
  asOf?: string;
  topic?: string[];
  format?: string;
  send?: boolean;
  to?: string[];
  dryRun?: boolean;
  always?: boolean;
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
  const asOf = asOfFlag(o.asOf, now);
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
  const lastMode = since.trim().toLowerCase() === 'last';
  let model: DigestModel;
  try {
    const periodStart = lastMode ? lastDigestEnd(store, asOf, sending) : sinceFlag(since, asOf, 'give a duration such as 24h, an earlier time, or last');
    checkWindow(config, { since, from: periodStart, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(topics.length ? { topics } : {}) });
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
  // or on two hosts of a team), one sends it and the other says so; a failed send gives the period back
  let claim: number | null = null;
  if (lastMode && !o.dryRun && !(quietToSkip(model) && !o.always)) {
    const s = await openStore(dbPath);
    try {
      claim = s.claimDigest({ createdAt: now, periodStart: model.periodStart, periodEnd: model.periodEnd, moments: found }, now - CLAIM_LEASE_MS);
    } finally {
      s.close();
    }
    if (claim === null) {
      if (!g.quiet) log(`digest: another digest run has sent the period from ${fmtUtc(model.periodStart)} on, or is sending it now; nothing sent`);
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
    log('momentscan: error: interrupted while the digest was being sent: it is not marked as sent (the mail server had not confirmed it) — the next digest --since last covers this period again; check the inbox before sending it again');
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
