import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import type { ChannelConfig, NotifyConfig } from '../config/notify.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { COOL_DOWN_MS } from '../detect/alerts.js';
import { fmtIn, iso } from '../core/time.js';
import { SCHEMA_VERSION } from '../render/index.js';
import { momentJson, type MomentRow } from '../render/moments.js';
import type { Store } from '../store/store.js';
import { Outbox, silenced, type NewDelivery, type OutboxRow } from './outbox.js';
import { channelsFor, inQuietHours, retryDelay } from './route.js';
import { discordSink } from './sinks/discord.js';
import { emailSink, momentFromRecord } from './sinks/email.js';
import { seriesFor } from '../moments/digest.js';
import { slackSink } from './sinks/slack.js';
import { teamsSink } from './sinks/teams.js';
import { webhookSink } from './sinks/webhook.js';
import type { AlertEvent, MomentRecord, SendOutcome, Sink } from './types.js';

/**
 * `momentscan notify`'s two halves: turn the alerts of an evaluation into outbox rows (per route and
 * channel), then drain the outbox — send what is due, batched per channel, within a per-request timeout
 * and an overall deadline, and record each outcome (sent, retried later with backoff, failed for good).
 */

/** What a channel's sink needs from outside the config: its URL and secret, read from their files now. */
export interface ResolvedChannel {
  sink: Sink;
  /** A hash of the endpoint (to know whether a 410 was answered by this endpoint or an older one). */
  endpoint: string;
}

/**
 * Builds every channel's sink, reading the files it names (URL, signing secret, SMTP password): a
 * missing or bad file is a config error naming the field, found before anything is evaluated or sent.
 */
export async function resolveChannels(config: Config, env: NodeJS.ProcessEnv, only?: string[]): Promise<Map<string, ResolvedChannel>> {
  const n = config.notify!;
  const out = new Map<string, ResolvedChannel>();
  const file = config.file ?? 'config';
  for (const c of n.channels.values()) {
    if (only && !only.includes(c.name)) continue;
    if (c.type === 'email') {
      const { sink, endpoint } = await emailChannel(config, c, env);
      out.set(c.name, { sink, endpoint });
      continue;
    }
    const url = c.url ?? readUrlFile(c, file);
    const endpoint = createHash('sha256').update(url).digest('hex').slice(0, 16);
    let sink: Sink;
    if (c.type === 'slack') sink = slackSink(c, url);
    else if (c.type === 'discord') sink = discordSink(c, url);
    else if (c.type === 'teams') sink = teamsSink(c, url);
    else sink = webhookSink(c, url, readSecret(c, file));
    out.set(c.name, { sink, endpoint });
  }
  return out;
}

function readSmall(path: string, field: string, file: string, what: string): string {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code;
    throw new ConfigError(`${file}: ${field}: cannot read ${what} file ${path} (${why})`, { hint: `create it with only ${what} in it (chmod 600), or fix the path` });
  }
  const first = text.split(/\r?\n/)[0]!.trim();
  if (!first) throw new ConfigError(`${file}: ${field}: the file ${path} is empty`, { hint: `put ${what} on its first line` });
  return first;
}

function readUrlFile(c: ChannelConfig, file: string): string {
  const url = readSmall(c.urlFile!, `${c.field}.urlFile`, file, 'the webhook URL');
  let ok = false;
  try {
    const u = new URL(url);
    ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' && !u.username && !u.password;
  } catch {
    ok = false;
  }
  if (!ok) throw new ConfigError(`${file}: ${c.field}.urlFile: ${c.urlFile} does not hold an http(s) URL`, { hint: 'put the webhook URL alone on its first line' });
  return url;
}

function readSecret(c: ChannelConfig, file: string): string {
  const secret = readSmall(c.secretFile!, `${c.field}.secretFile`, file, 'the whsec_ secret');
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : null;
  if (!key || key.length < 24 || key.length > 64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret.slice(6))) {
    throw new ConfigError(`${file}: ${c.field}.secretFile: ${c.secretFile} does not hold a Standard Webhooks secret`, {
      hint: 'expected whsec_ and 24 to 64 random bytes in base64 (make one with: echo "whsec_$(openssl rand -base64 32)")',
    });
  }
  return secret;
}

async function emailChannel(config: Config, c: ChannelConfig, env: NodeJS.ProcessEnv): Promise<ResolvedChannel> {
  const fromEnv = env.MOMENTSCAN_SMTP_URL?.trim();
  const url = fromEnv || config.email?.smtp || null;
  if (!url) {
    throw new ConfigError(`${config.file ?? 'config'}: ${c.field}: an email channel needs an SMTP server`, {
      hint: 'set email.smtp in the config (smtp://user@smtp.example.com:587) or $MOMENTSCAN_SMTP_URL',
    });
  }
  const smtp = await import('../email/smtp.js');
  const server = smtp.resolveSmtp({ url, source: fromEnv ? 'MOMENTSCAN_SMTP_URL' : `${config.file ?? 'config'}: email.smtp`, passwordFile: config.email?.passwordFile ?? null });
  const settings = { from: config.email?.from ?? `momentscan@${os.hostname() || 'localhost'}`, subjectPrefix: config.email?.subjectPrefix ?? 'momentscan', server };
  return { sink: emailSink(c, settings), endpoint: createHash('sha256').update(`${server.display}|${c.to.join(',')}`).digest('hex').slice(0, 16) };
}

// -- alerts → outbox --

/** The moment's JSON record as payloads carry it: `moments --json`'s, schemaVersion first. */
export function recordOf(m: MomentRow): MomentRecord {
  return { schemaVersion: SCHEMA_VERSION, ...momentJson(m) } as MomentRecord;
}

export interface EnqueueSummary {
  /** Alerts of the evaluation (onsets, growth, ends) that a route takes. */
  alerts: number;
  /** Rows added to the outbox (one per alert and channel). */
  added: OutboxRow[];
  silenced: number;
  /** Alerts from before the window that are queued now, late (their moment is not over): one line each. */
  late: string[];
  /** Alerts from before the window whose moment was over before notify ran: recorded as missed, one line each. */
  missed: string[];
}

/** How far back notify catches up on alerts after a gap (the machine was off, cron stopped): a month. */
export const CATCH_UP_MS = 30 * 86_400_000;

/**
 * Where a notify run's evaluation starts: the window's start, or — when the last run evaluated up to an
 * earlier time (notify was not running since) — that time, at most CATCH_UP_MS before asOf.
 */
export function catchUpFrom(from: number, asOf: number, evaluatedTo: number | null): number {
  if (evaluatedTo === null || evaluatedTo >= from) return from;
  return Math.max(evaluatedTo, asOf - CATCH_UP_MS);
}

const minute = (t: number) => iso(t).slice(0, 16).replace('T', ' ');

/**
 * Turns the evaluated moments into deliveries: a moment that alerted within (from, asOf] (it fired, or
 * grew) is an alert; one that is over — not ongoing, and quiet for the cool-down that closes a burst —
 * is an end. Each alert goes to the channels of the routes that take it.
 *
 * A moment that alerted in (catchFrom, from] — after the last run's evaluation time, before this run's
 * window: notify was not running then (the machine was off) — and that a channel has not had is caught up on: sent now, marked late (`late: true` in its record), while it is not
 * over; recorded as missed (failed, never sent) and named in one line when it was over before this run.
 */
export function enqueueAlerts(config: Config, store: Store, rows: MomentRow[], o: { from: number; asOf: number; now: number; catchFrom?: number }): EnqueueSummary {
  const n = config.notify!;
  const outbox = new Outbox(store);
  const tags = new Map(config.topics.map((t) => [t.name, t.tags ?? []]));
  const silences = outbox.silences(o.now);
  const deliveries: NewDelivery[] = [];
  const ends: NewDelivery[] = [];
  const lateOf = new Map<NewDelivery, string>();
  const missedOf = new Map<NewDelivery, string>();
  const catchFrom = o.catchFrom ?? o.from;
  const tz = config.defaults.timeZone;
  let alerts = 0;
  for (const m of rows) {
    const ended = !m.ongoing && m.end + COOL_DOWN_MS <= o.asOf;
    // alerted in the gap before the window, when notify was not running: caught up on
    const before = m.alertedAt > catchFrom && m.alertedAt <= o.from;
    const alerted = (m.alertedAt > o.from && m.alertedAt <= o.asOf) || before;
    const events: { alertNo: number; at: number }[] = [];
    if (alerted) events.push({ alertNo: m.alerts, at: m.alertedAt });
    if (ended) events.push({ alertNo: 0, at: m.end });
    if (events.length === 0) continue;
    const momentId = outbox.momentId(m.topic, m.kind, m.direction, m.start);
    if (momentId === null) continue;
    const alert = { topic: m.topic, tags: tags.get(m.topic) ?? [], kind: m.kind, score: m.score, attention: m.attention, planned: m.planned };
    const isSilenced = silenced(silences, m.topic, o.now) !== null;
    const what = `${m.topic} ${m.kind === 'volume-spike' ? 'volume spike' : `${m.direction} tone shift`}`;
    // channels this run announces the moment to: a moment first seen already over is detected and ended at once
    const announcing = new Set<string>();
    for (const ev of events) {
      // on a channel that has had nothing of this moment, an alert is "detected" (even if it grew since);
      // an end goes only where the moment was announced (before, or just now)
      const targets = channelsFor(n, alert, (channel) => {
        const announced = announcing.has(channel) || outbox.announced(momentId, channel);
        if (ev.alertNo === 0) return announced ? 'ended' : null;
        return announced ? 'grew' : 'detected';
      });
      if (targets.length === 0) continue;
      if (ev.alertNo > 0 && !before) alerts++;
      for (const { channel, route } of targets) {
        // an alert from before the window: a channel that has it (or the moment's first alert) has nothing to catch up
        const catchUp = ev.alertNo > 0 && before;
        if (catchUp && outbox.announced(momentId, channel) && (ended || m.alerts === 1)) continue; // it had it; an end says the rest
        const missed = catchUp && ended;
        if (ev.alertNo > 0 && !isSilenced && !missed) announcing.add(channel);
        const d: NewDelivery = {
          momentId,
          alertNo: missed ? -ev.alertNo : ev.alertNo,
          channel,
          route,
          topic: m.topic,
          payload: catchUp && !missed ? { ...recordOf(m), late: true } : recordOf(m),
          eventAt: ev.at,
          notBefore: o.now + n.routes[route]!.groupWaitMs,
          silenced: isSilenced,
          ...(missed ? { missed: `missed: it fired ${minute(m.firedAt)} UTC and was over by ${minute(m.end + COOL_DOWN_MS)} UTC, while notify was not running` } : {}),
        };
        // (said on stderr: on the team's clock; the delivery's record above stays UTC)
        if (catchUp && !isSilenced) (missed ? missedOf : lateOf).set(d, `${what} (fired ${fmtIn(m.firedAt, tz)}${missed ? `, over by ${fmtIn(m.end + COOL_DOWN_MS, tz)}` : ''})`);
        (ev.alertNo === 0 ? ends : deliveries).push(d);
      }
    }
  }
  // alerts first: a moment first seen already over is announced, then ended
  const all = [...deliveries, ...ends];
  const added = outbox.enqueue(all, o.now);
  // what was added of the catch-up (the rest was already there), by moment, with its channels
  const addedKeys = new Set(added.map((r) => `${r.momentId}|${r.channel}|${r.alertNo}`));
  const lines = (of: Map<NewDelivery, string>) => {
    const by = new Map<string, string[]>();
    for (const [d, text] of of) if (addedKeys.has(`${d.momentId}|${d.channel}|${d.alertNo}`)) by.set(text, [...(by.get(text) ?? []), d.channel]);
    return [...by].map(([text, channels]) => `${text} to ${channels.join(', ')}`);
  };
  const late = lines(lateOf);
  outbox.markEvaluated(o.asOf);
  return {
    alerts: alerts + late.length,
    added: added.filter((r) => r.status === 'pending'),
    silenced: added.filter((r) => r.status === 'silenced').length,
    late,
    missed: lines(missedOf),
  };
}

// -- the drain --

export interface DeliveryResult {
  row: OutboxRow;
  outcome: 'sent' | 'retry' | 'failed' | 'released';
  error: string | null;
  httpStatus: number | null;
  nextAttemptAt?: number;
  gone?: boolean;
}

export interface DrainSummary {
  results: DeliveryResult[];
  /** Messages delivered (a message may carry several alerts); one that failed is not counted. */
  messages: number;
  /** Rows left pending for later: quiet hours, a route's interval, groupWait. */
  held: number;
  silenced: number;
}

/**
 * Sends what is due. Rows of one channel go out together (up to the sink's batch), including those of the
 * same route waiting for their groupWait within that wait of the first; a route's quiet hours and
 * minimum interval hold its rows back. Channels are sent to side by side; the overall deadline ends
 * the run's sending, and rows not tried by then stay as they were.
 */
export async function drain(
  n: NotifyConfig,
  store: Store,
  channels: Map<string, ResolvedChannel>,
  o: { now: () => number; random?: () => number; timeZone?: string },
): Promise<DrainSummary> {
  const outbox = new Outbox(store);
  const start = o.now();
  const token = randomBytes(12).toString('hex');
  const leaseUntil = start + n.deadlineMs + 2 * n.timeoutMs + 1_000;
  const silences = outbox.silences(start);
  let held = 0;
  let silencedCount = 0;
  const claimed = outbox.claim(start, token, leaseUntil, (due, pending) => {
    const settle: { id: string; status: 'silenced' | 'failed'; error: string | null }[] = [];
    const send: OutboxRow[] = [];
    const chosen = new Set<string>();
    const lastSent = new Map<string, number | null>();
    for (const r of due) {
      if (chosen.has(r.id)) continue;
      const s = silenced(silences, r.topic, start);
      if (s) {
        settle.push({ id: r.id, status: 'silenced', error: `silenced${s.comment ? `: ${s.comment}` : ''}` });
        silencedCount++;
        continue;
      }
      const ch = channels.get(r.channel);
      if (!ch) {
        settle.push({ id: r.id, status: 'failed', error: `the channel ${r.channel} is no longer in the config` });
        continue;
      }
      if (outbox.goneSince(r.channel, ch.endpoint) !== null) {
        settle.push({ id: r.id, status: 'failed', error: `the channel's endpoint answered 410 Gone earlier; nothing more is sent to it` });
        continue;
      }
      const route = n.routes[r.route];
      if (route?.quietHours && inQuietHours(route.quietHours, start)) {
        held++;
        continue;
      }
      if (route && route.intervalMs > 0) {
        const key = `${r.route}|${r.channel}`;
        if (!lastSent.has(key)) lastSent.set(key, outbox.lastSent(r.route, r.channel));
        const last = lastSent.get(key)!;
        if (last !== null && last + route.intervalMs > start) {
          held++;
          continue;
        }
      }
      chosen.add(r.id);
      send.push(r);
      // the rest of its group: same channel and route, created within groupWait of it, due or not
      if (route && route.groupWaitMs > 0) {
        for (const p of pending) {
          if (!chosen.has(p.id) && p.channel === r.channel && p.route === r.route && p.createdAt <= r.createdAt + route.groupWaitMs && p.nextAttemptAt <= start && !silenced(silences, p.topic, start)) {
            chosen.add(p.id);
            send.push(p);
          }
        }
      }
    }
    return { send, settle };
  });
  // an email's chart is the digest's, from the stored counts up to the alert (a record's storySeries holds
  // only a moment's last 16 buckets: a long one would lose its onset and peak)
  const topicIds = new Map([...store.topicNames()].map(([id, name]) => [name, id]));
  const chartOf = (r: OutboxRow) => {
    const m = momentFromRecord(r.payload);
    // as the record stood (its evaluation time, at or after the alert)
    return seriesFor(store, topicIds.get(r.topic), r.event === 'moment.ended' ? { ...m, ongoing: false } : m, Math.max(r.eventAt, m.end));
  };
  const byChannel = new Map<string, OutboxRow[]>();
  for (const r of claimed) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r]);
  const deadline = AbortSignal.timeout(n.deadlineMs);
  let messages = 0;
  const results: DeliveryResult[] = [];
  await Promise.all(
    [...byChannel].map(async ([name, rows]) => {
      const ch = channels.get(name)!;
      const batch = Math.max(1, ch.sink.batch);
      const email = ch.sink.channel.type === 'email';
      for (let i = 0; i < rows.length; i += batch) {
        const chunk = rows.slice(i, i + batch);
        if (deadline.aborted) {
          for (const row of chunk) results.push({ row, outcome: 'released', error: null, httpStatus: null });
          continue;
        }
        const events: AlertEvent[] = chunk.map((r) => ({ id: r.id, type: r.event, eventAt: r.eventAt, data: r.payload, ...(email ? { chart: chartOf(r) } : {}) }));
        let outcome: SendOutcome;
        try {
          outcome = await ch.sink.send(events, { signal: deadline, timeoutMs: n.timeoutMs, now: o.now(), ...(o.timeZone ? { timeZone: o.timeZone } : {}) });
        } catch (err) {
          outcome = { ok: false, retryable: true, status: null, error: err instanceof Error ? err.message : String(err) };
        }
        if (outcome.ok) messages++;
        const at = o.now();
        for (const row of chunk) results.push(resultOf(row, outcome, at, n, o.random));
        if (!outcome.ok && outcome.gone) {
          outbox.markGone(name, ch.endpoint, at);
          // the rest of this channel's rows: nothing more goes to a gone endpoint
          for (const row of rows.slice(i + batch)) results.push({ row, outcome: 'failed', error: `${outcome.error}; not sent`, httpStatus: outcome.status, gone: true });
          break;
        }
      }
    }),
  );
  outbox.finish(
    results.map((r) => ({ id: r.row.id, outcome: r.outcome, at: o.now(), httpStatus: r.httpStatus, error: r.error, ...(r.nextAttemptAt !== undefined ? { nextAttemptAt: r.nextAttemptAt } : {}) })),
    token,
  );
  return { results, messages, held, silenced: silencedCount };
}

function resultOf(row: OutboxRow, outcome: SendOutcome, at: number, n: NotifyConfig, random?: () => number): DeliveryResult {
  if (outcome.ok) return { row, outcome: 'sent', error: null, httpStatus: outcome.status };
  const tries = row.attempts + 1;
  if (outcome.retryable && tries < n.attempts) {
    const wait = retryDelay(tries, { baseMs: n.backoffMs, maxMs: n.maxBackoffMs, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) }, random);
    return { row, outcome: 'retry', error: outcome.error, httpStatus: outcome.status, nextAttemptAt: at + wait };
  }
  const why = outcome.retryable ? `${outcome.error} (gave up after ${tries} ${tries === 1 ? 'try' : 'tries'})` : outcome.error;
  return { row, outcome: 'failed', error: why, httpStatus: outcome.status, ...(outcome.gone ? { gone: true } : {}) };
}
