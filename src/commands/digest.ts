import os from 'node:os';
import { SENSITIVITIES, isMailbox, splitAddresses, type Config, type Sensitivity } from '../config/schema.js';
import { ConfigError, ExitCode, UsageError } from '../core/errors.js';
import { bucketStart, parseDurationMs, parseTime } from '../core/time.js';
import type { Moment } from '../core/types.js';
import { digestSubject, fmtUtc, fmtUtcShort, isQuiet, plural, quietLine, type DigestBucket, type DigestModel, type DigestMoment } from '../render/digest.js';
import { renderDigestHtml } from '../render/digest-html.js';
import { renderDigestMarkdown } from '../render/digest-markdown.js';
import { renderDigestText } from '../render/digest-text.js';
import { Store } from '../store/store.js';
import { checkWindow, configFor, log, processEnv, writeOut, type GlobalOptions } from './context.js';
import { evaluate } from './evaluate.js';

export const DIGEST_FORMATS = ['text', 'markdown', 'html'] as const;
export type DigestFormat = (typeof DIGEST_FORMATS)[number];

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

const DAY = 86_400_000;
/** Buckets shown before a moment in its chart, and the most bars a chart has. */
const CHART_LEAD = 8;
const CHART_MAX_BARS = 28;
/** Buckets shown after a moment that has ended. */
const CHART_TRAIL = 4;

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
  const format = parseFormat(o.format);
  const sending = Boolean(o.send || o.dryRun);
  if (!sending && o.to?.length) throw new UsageError('--to goes with --send', { hint: 'add --send (or --dry-run to see the message)' });
  if (!sending && o.always) throw new UsageError('--always goes with --send', { hint: 'a printed digest always says when the day was quiet' });
  const asOf = o.asOf === undefined ? now : parseTime(o.asOf, now, '--as-of');
  const sensitivity = parseSensitivity(o.sensitivity);
  if (config.topics.length === 0) {
    throw new ConfigError(`${config.file ?? 'config'}: no topics configured`, {
      hint: config.file ? 'add topics to the config' : 'create a config with momentscan init, or pass --config',
    });
  }

  // Everything that can be wrong with the email settings is found before anything is evaluated or recorded.
  const mail = sending ? await mailSettings(config, o, env.env, Boolean(o.dryRun)) : null;

  const store = Store.open(dbPath);
  let model: DigestModel;
  try {
    const periodStart = sinceTime(o.since ?? '24h', asOf, store, sending);
    checkWindow(config, { since: o.since ?? '24h', from: periodStart, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(o.topic ? { topics: o.topic } : {}) });
    model = buildModel(config, store, { periodStart, asOf, now, ...(o.topic ? { topics: o.topic } : {}), ...(sensitivity ? { sensitivity } : {}) });
  } finally {
    store.close();
  }
  const found = model.new.length + model.ongoing.length;
  const code = o.failOnMoments && found > 0 ? ExitCode.MOMENTS_FOUND : ExitCode.OK;
  const record = (sent: boolean, recipients: string[]) => {
    const s = Store.open(dbPath);
    try {
      s.recordDigest({ createdAt: now, periodStart: model.periodStart, periodEnd: model.periodEnd, sent, recipients, moments: found });
    } finally {
      s.close();
    }
  };

  if (!mail) {
    const prefix = config.email?.subjectPrefix;
    const text =
      format === 'html'
        ? renderDigestHtml(model, prefix === undefined ? {} : { subjectPrefix: prefix })
        : format === 'markdown'
          ? renderDigestMarkdown(model)
          : renderDigestText(model);
    await writeOut(text);
    record(false, []);
    return code;
  }

  if (isQuiet(model) && !o.always) {
    if (model.itemsStored === false) {
      log(`momentscan: warning: ${quietLine(model)} Nothing sent (--always sends it anyway).`);
    } else if (!g.quiet) {
      log(
        `digest: quiet day — no moments across ${plural(model.topics.length, 'topic')} between ${fmtUtcShort(model.periodStart)} and ${fmtUtc(model.periodEnd)}; nothing sent (--always sends it anyway)`,
      );
    }
    return code;
  }
  const { digestEmail, digestEmailSink } = await import('../notify/sinks/email.js');
  if (o.dryRun) {
    const smtp = await import('../email/smtp.js');
    await writeOut(await smtp.buildMime(digestEmail(model, mail, mail.to, now)));
    if (!g.quiet) log(`digest: dry run — nothing sent, nothing recorded (would send to ${mail.to.join(', ')}${mail.server ? ` via ${mail.server.display}` : ''})`);
    return code;
  }
  const subject = digestSubject(model, mail.subjectPrefix);
  const result = await digestEmailSink({ from: mail.from, subjectPrefix: mail.subjectPrefix, server: mail.server! }, mail.to).sendDigest!(model, { now });
  if (result.rejected.length > 0) {
    log(`momentscan: warning: the SMTP server refused ${result.rejected.join(', ')}; the digest went to ${result.accepted.join(', ')}`);
  }
  record(true, result.accepted);
  if (!g.quiet) log(`digest: sent "${subject}" to ${result.accepted.join(', ')} via ${result.via}`);
  return code;
}

interface MailSettings {
  from: string;
  to: string[];
  subjectPrefix: string;
  /** Null for a dry run without an SMTP server configured. */
  server: import('../email/smtp.js').SmtpSettings | null;
}

/** Recipients, sender and SMTP server (password read now, from its file) for --send and --dry-run. */
async function mailSettings(config: Config, o: DigestOptions, env: NodeJS.ProcessEnv, dryRun: boolean): Promise<MailSettings> {
  const email = config.email;
  // `--to ''` (an empty variable in a cron line) must not quietly fall back to email.to
  if ((o.to ?? []).some((t) => t.trim() === '')) {
    throw new UsageError('--to: got an empty address', { hint: 'give --to me@example.com, or leave --to out to use email.to from the config' });
  }
  const given = (o.to ?? []).flatMap(splitAddresses);
  for (const a of given) {
    if (!isMailbox(a)) throw new UsageError(`--to: expected an email address such as me@example.com, got ${JSON.stringify(a)}`);
  }
  const to = given.length ? given : (email?.to ?? []);
  if (to.length === 0) {
    throw new UsageError('the digest has no recipients', { hint: 'give --to me@example.com, or set email.to in the config' });
  }
  const from = email?.from ?? `momentscan@${os.hostname() || 'localhost'}`;
  const subjectPrefix = email?.subjectPrefix ?? 'momentscan';
  const fromEnv = env.MOMENTSCAN_SMTP_URL?.trim();
  const url = fromEnv || email?.smtp || null;
  if (!url) {
    if (dryRun) return { from, to, subjectPrefix, server: null };
    throw new ConfigError('no SMTP server to send the digest through', {
      hint: 'set email.smtp in the config (smtp://user@smtp.example.com:587) or $MOMENTSCAN_SMTP_URL',
    });
  }
  const source = fromEnv ? 'MOMENTSCAN_SMTP_URL' : `${config.file ?? 'config'}: email.smtp`;
  const smtp = await import('../email/smtp.js');
  const passwordFile = email?.passwordFile ?? null;
  if (dryRun) {
    // the message does not need the password: do not read it
    return { from, to, subjectPrefix, server: smtp.resolveSmtp({ url, source, passwordFile: null }) };
  }
  const server = smtp.resolveSmtp({ url, source, passwordFile });
  if (passwordFile && hasUrlPassword(url)) {
    log(`momentscan: warning: the SMTP URL (${source}) carries a password too; the one in email.passwordFile is used, the URL's is ignored`);
  }
  if (!passwordFile && hasUrlPassword(url)) {
    log(`momentscan: warning: the SMTP URL (${source}) carries the password; keep it in a file named by email.passwordFile instead`);
  }
  if (passwordFile && smtp.passwordFileTooOpen(passwordFile)) {
    log(`momentscan: warning: ${passwordFile} (email.passwordFile) can be read by other users; chmod 600 it`);
  }
  return { from, to, subjectPrefix, server };
}

function hasUrlPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** `--since`: a duration (24h), a time (ISO-8601), or `last`: where the previous digest ended (24h when none). */
function sinceTime(since: string, asOf: number, store: Store, sentOnly: boolean): number {
  let from: number;
  if (since.trim().toLowerCase() === 'last') {
    const last = store.lastDigestEnd(sentOnly);
    if (last !== null && last >= asOf) {
      throw new UsageError(`--since last: the previous digest already covers up to ${fmtUtc(last)}`, {
        hint: 'there is nothing new to report yet; give --since 24h to report the last day again',
      });
    }
    from = last ?? asOf - DAY;
  } else {
    const ms = parseDurationMs(since);
    from = ms !== null ? asOf - ms : parseTime(since, asOf, '--since');
  }
  if (from >= asOf) throw new UsageError(`--since ${since} is not before the evaluation time`, { hint: 'give a duration such as 24h, an earlier time, or last' });
  return from;
}

/** Evaluates the period and sorts what was found into new, ongoing and faded. */
function buildModel(
  config: Config,
  store: Store,
  o: { periodStart: number; asOf: number; now: number; topics?: string[]; sensitivity?: Sensitivity },
): DigestModel {
  const { periodStart, asOf } = o;
  // what earlier runs reported (read before this evaluation stores its own), as far as it was known at asOf:
  // a run with a later --as-of may have stored moments that start after it, or updated one since
  const before = store.momentsSeenSince(periodStart - config.defaults.baselineMs, asOf).map((p) => knownAt(p, asOf));
  const result = evaluate(config, store, {
    asOf,
    from: periodStart,
    ...(o.topics ? { topics: o.topics } : {}),
    ...(o.sensitivity ? { sensitivity: o.sensitivity } : {}),
  });
  const wanted = o.topics?.length ? new Set(o.topics.map((t) => t.toLowerCase())) : null;
  const topics = config.topics.map((t) => t.name).filter((n) => !wanted || wanted.has(n.toLowerCase()));
  const topicSet = new Set(topics);
  const ids = new Map([...store.topicNames()].map(([id, name]) => [name, id]));

  const same = (a: Moment, b: Moment) => a.topic === b.topic && a.kind === b.kind && a.direction === b.direction;
  // An earlier sighting of the same moment: same topic and kind, overlapping or touching in time (a moment
  // that began before the period is reported from the period's first bucket, so its start can differ).
  const isEarlierSighting = (p: Moment, m: Moment) => same(p, m) && p.start <= m.end && p.end >= m.start;
  const matched = new Set<number>();
  const fresh: DigestMoment[] = [];
  const ongoing: DigestMoment[] = [];
  const faded: DigestMoment[] = [];
  for (const r of result.rows) {
    let firstSeenAt = r.firstSeenAt;
    before.forEach((p, i) => {
      if (isEarlierSighting({ ...p.moment, topic: p.topic }, r)) {
        matched.add(i);
        firstSeenAt = Math.min(firstSeenAt, p.firstSeenAt);
      }
    });
    const dm: DigestMoment = { ...r, firstSeenAt, series: seriesFor(store, ids.get(r.topic), r, asOf) };
    // periods are (start, end]: a moment first seen at the start was in the digest that ended there
    if (firstSeenAt > periodStart) fresh.push(dm);
    else if (r.ongoing) ongoing.push(dm);
    else faded.push(dm);
  }
  before.forEach((p, i) => {
    if (matched.has(i) || !topicSet.has(p.topic) || p.lastSeenAt < periodStart) return;
    const m: Moment = { ...p.moment, topic: p.topic };
    // still going when last seen, or ended within the period
    if (!m.ongoing && m.end < periodStart) return;
    if (faded.some((f) => same(f, m) && f.start === m.start)) return;
    const over = { ...m, ongoing: false };
    faded.push({ ...over, firstSeenAt: p.firstSeenAt, series: seriesFor(store, ids.get(p.topic), over, asOf) });
  });
  faded.sort((a, b) => b.score - a.score || b.end - a.end || a.topic.localeCompare(b.topic));
  return { periodStart, periodEnd: asOf, topics, new: fresh, ongoing, faded, generatedAt: o.now, itemsStored: result.itemsStored, learning: result.learning };
}

/**
 * A stored moment as it stood at `asOf`, when its record was updated by a run with a later evaluation time:
 * its times are cut at `asOf` (the alerts after it dropped) and so are its examples. Counts and scores stay
 * as stored: the store keeps only the latest sighting.
 */
export function knownAt<P extends { firstSeenAt: number; lastSeenAt: number; moment: Moment }>(p: P, asOf: number): P {
  const m = p.moment;
  if (p.lastSeenAt <= asOf) return p;
  const end = Math.max(m.start, Math.min(m.end, asOf));
  const laterAlert = m.alertedAt > asOf;
  return {
    ...p,
    lastSeenAt: asOf,
    moment: {
      ...m,
      end,
      peak: Math.max(m.start, Math.min(m.peak, bucketStart(asOf, m.bucketMs))),
      firedAt: Math.min(m.firedAt, asOf),
      alerts: laterAlert ? 1 : m.alerts,
      alertedAt: laterAlert ? Math.min(m.firedAt, asOf) : m.alertedAt,
      examples: m.examples.filter((e) => e.publishedAt <= asOf),
    },
  };
}

/** The moment's buckets, up to 8 before it and 4 after it (at most 28 bars), empty buckets included. */
function seriesFor(store: Store, topicId: number | undefined, m: Moment, asOf: number): DigestBucket[] {
  if (topicId === undefined || !(m.bucketMs > 0)) return [];
  const b = m.bucketMs;
  // an ongoing moment's chart runs to now; a finished one's shows a few buckets after it, how it came down
  const now = bucketStart(asOf, b) + b;
  const end = m.ongoing ? now : Math.min(m.end + CHART_TRAIL * b, now);
  let start = m.start - CHART_LEAD * b;
  if ((end - start) / b > CHART_MAX_BARS) start = end - CHART_MAX_BARS * b;
  if (end <= start) return [];
  const counts = new Map(store.bucketCounts(topicId, start, Math.min(end, asOf + 1), b).map((c) => [c.start, c]));
  const out: DigestBucket[] = [];
  for (let t = start; t < end; t += b) {
    const c = counts.get(t);
    out.push({
      start: t,
      count: c?.count ?? 0,
      tone: c && c.scored > 0 ? Math.round((c.sentimentSum / c.scored) * 100) / 100 : null,
      inMoment: t >= m.start && t < m.end,
    });
  }
  return out;
}

function parseFormat(v: string | undefined): DigestFormat {
  if (v === undefined) return 'text';
  if (!(DIGEST_FORMATS as readonly string[]).includes(v)) {
    throw new UsageError(`--format: unknown digest format "${v}"`, { hint: `use one of ${DIGEST_FORMATS.join(', ')}` });
  }
  return v as DigestFormat;
}

function parseSensitivity(v: string | undefined): Sensitivity | undefined {
  if (v === undefined) return undefined;
  if (!(SENSITIVITIES as readonly string[]).includes(v)) {
    throw new UsageError(`--sensitivity: expected one of ${SENSITIVITIES.join(', ')}, got "${v}"`);
  }
  return v as Sensitivity;
}
