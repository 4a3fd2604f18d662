import { describeValue } from './sources.js';
import { isMailbox, splitAddresses, TIMER_MAX_MS, type Config, type Validator } from './schema.js';

/**
 * The `notify:` section: named channels (where a message goes: Slack, Teams, Discord, a signed webhook,
 * email) and routes (which moments go to which channels, and when). Secrets — a webhook's signing key,
 * a chat webhook URL kept in a file — are named here and read when sending (`momentscan notify`).
 */

export const CHANNEL_TYPES = ['slack', 'teams', 'discord', 'webhook', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const NOTIFY_EVENTS = ['detected', 'grew', 'ended'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const MOMENT_KINDS = ['volume-spike', 'sentiment-shift'] as const;

export interface ChannelConfig {
  name: string;
  type: ChannelType;
  /** The endpoint (http/https), or null when it is read from `urlFile` (or for email). */
  url: string | null;
  /** A file holding the URL (chat webhook URLs are secrets). */
  urlFile: string | null;
  /** webhook: the file holding the `whsec_...` signing secret. */
  secretFile: string | null;
  /** webhook: send CloudEvents 1.0 structured mode (`application/cloudevents+json`). */
  cloudEvents: boolean;
  /** email: recipients (the SMTP server and sender come from the `email:` section). */
  to: string[];
  /** The field path for error messages: `notify.channels.desk`. */
  field: string;
}

export interface QuietHours {
  /** Minutes after local midnight. */
  from: number;
  to: number;
  timeZone: string;
}

export interface RouteConfig {
  /** `notify.routes[2]` */
  field: string;
  channels: string[];
  /** Topic names (as configured) this route takes; null: any. */
  topics: string[] | null;
  /** Topic tags this route takes (a topic with any of them); null: none asked. */
  tags: string[] | null;
  kinds: string[];
  events: NotifyEvent[];
  minScore: number;
  minAttention: number;
  /** Moments that overlap a planned event (momentscan events) are not sent by this route. */
  skipPlanned: boolean;
  /** Alerts within this long of the first one waiting go out as one message. */
  groupWaitMs: number;
  /** At least this long between two messages of this route to one channel. */
  intervalMs: number;
  quietHours: QuietHours | null;
}

export interface NotifyConfig {
  channels: Map<string, ChannelConfig>;
  routes: RouteConfig[];
  /** Per request. */
  timeoutMs: number;
  /** For the whole drain of the outbox in one run. */
  deadlineMs: number;
  /** Tries of one delivery, across runs, before it is recorded as failed. */
  attempts: number;
  /** The first retry waits this long; each next one twice as long (with jitter), at most `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** How far back `notify` looks for alerts (a run missed by cron is caught up). */
  lookbackMs: number;
}

export const NOTIFY_DEFAULTS = {
  timeoutMs: 10_000,
  deadlineMs: 60_000,
  attempts: 6,
  backoffMs: 60_000,
  maxBackoffMs: 6 * 3_600_000,
  lookbackMs: 24 * 3_600_000,
};

type Obj = Record<string, unknown>;

export function validateNotify(v: Validator, value: unknown, dir: string, cfg: Config): NotifyConfig {
  const n = v.object(value, 'notify');
  v.keys(n, 'notify', ['channels', 'routes', 'timeout', 'deadline', 'attempts', 'backoff', 'maxBackoff', 'lookback']);
  const has = (o: Obj, k: string) => o[k] !== undefined && o[k] !== null;
  const out: NotifyConfig = { channels: new Map(), routes: [], ...NOTIFY_DEFAULTS };
  if (has(n, 'timeout')) out.timeoutMs = v.duration(n.timeout, 'notify.timeout', 100, TIMER_MAX_MS);
  if (has(n, 'deadline')) out.deadlineMs = v.duration(n.deadline, 'notify.deadline', 100, TIMER_MAX_MS);
  if (has(n, 'attempts')) out.attempts = v.integer(n.attempts, 'notify.attempts', 1, 100);
  if (has(n, 'backoff')) out.backoffMs = v.duration(n.backoff, 'notify.backoff', 0);
  if (has(n, 'maxBackoff')) out.maxBackoffMs = v.duration(n.maxBackoff, 'notify.maxBackoff', 0);
  if (has(n, 'lookback')) out.lookbackMs = v.duration(n.lookback, 'notify.lookback', 60_000);

  const channels = has(n, 'channels') ? v.object(n.channels, 'notify.channels') : {};
  for (const [name, raw] of Object.entries(channels)) {
    const field = `notify.channels.${name}`;
    if (!/^[A-Za-z0-9][\w.-]{0,63}$/.test(name)) v.fail(field, 'a channel name is letters, digits, "-", "_" or "." (at most 64), starting with a letter or digit');
    out.channels.set(name, validateChannel(v, raw, field, name, dir));
  }

  const routes = has(n, 'routes') ? v.array(n.routes, 'notify.routes') : [];
  const topicNames = new Map(cfg.topics.map((t) => [t.name.toLowerCase(), t.name]));
  const tags = new Set(cfg.topics.flatMap((t) => t.tags ?? []).map((t) => t.toLowerCase()));
  routes.forEach((raw, i) => {
    const field = `notify.routes[${i}]`;
    const r = v.object(raw, field);
    v.keys(r, field, ['channels', 'topics', 'tags', 'kinds', 'events', 'minScore', 'minAttention', 'skipPlanned', 'groupWait', 'interval', 'quietHours']);
    if (!has(r, 'channels')) v.fail(`${field}.channels`, 'a route needs the channels it sends to (names from notify.channels)');
    const chans = v.stringList(r.channels, `${field}.channels`);
    if (chans.length === 0) v.fail(`${field}.channels`, 'a route needs at least one channel');
    chans.forEach((c, k) => {
      if (!out.channels.has(c)) {
        const known = [...out.channels.keys()];
        v.fail(`${field}.channels[${k}]`, `no channel named "${c}" in notify.channels${known.length ? `; channels are: ${known.join(', ')}` : ''}`);
      }
    });
    const topics = has(r, 'topics')
      ? v.stringList(r.topics, `${field}.topics`).map((t, k) => {
          const name = topicNames.get(t.toLowerCase());
          if (!name) v.fail(`${field}.topics[${k}]`, `no topic named "${t}"; topics are: ${cfg.topics.map((x) => x.name).join(', ') || 'none'}`);
          return name;
        })
      : null;
    const routeTags = has(r, 'tags')
      ? v.stringList(r.tags, `${field}.tags`).map((t, k) => {
          if (!tags.has(t.toLowerCase())) v.fail(`${field}.tags[${k}]`, `no topic has the tag "${t}" (give topics tags with topics[].tags)`);
          return t;
        })
      : null;
    const kinds = has(r, 'kinds') ? v.stringList(r.kinds, `${field}.kinds`).map((k, j) => v.oneOf(k, `${field}.kinds[${j}]`, MOMENT_KINDS)) : [...MOMENT_KINDS];
    const events = has(r, 'events') ? v.stringList(r.events, `${field}.events`).map((e, j) => v.oneOf(e, `${field}.events[${j}]`, NOTIFY_EVENTS)) : (['detected', 'grew'] as NotifyEvent[]);
    out.routes.push({
      field,
      channels: [...new Set(chans)],
      topics,
      tags: routeTags,
      kinds,
      events,
      minScore: has(r, 'minScore') ? number(v, r.minScore, `${field}.minScore`) : 0,
      minAttention: has(r, 'minAttention') ? number(v, r.minAttention, `${field}.minAttention`) : 0,
      skipPlanned: has(r, 'skipPlanned') ? v.boolean(r.skipPlanned, `${field}.skipPlanned`) : false,
      groupWaitMs: has(r, 'groupWait') ? v.duration(r.groupWait, `${field}.groupWait`, 0) : 0,
      intervalMs: has(r, 'interval') ? v.duration(r.interval, `${field}.interval`, 0) : 0,
      quietHours: has(r, 'quietHours') ? quietHours(v, r.quietHours, `${field}.quietHours`, cfg.defaults.timeZone) : null,
    });
  });
  return out;
}

function validateChannel(v: Validator, raw: unknown, field: string, name: string, dir: string): ChannelConfig {
  const c = v.object(raw, field);
  const type = v.oneOf(c.type, `${field}.type`, CHANNEL_TYPES);
  const allowed =
    type === 'email' ? ['type', 'to'] : type === 'webhook' ? ['type', 'url', 'urlFile', 'secretFile', 'cloudEvents'] : ['type', 'url', 'urlFile'];
  v.keys(c, field, allowed);
  const has = (k: string) => c[k] !== undefined && c[k] !== null;
  const out: ChannelConfig = { name, type, url: null, urlFile: null, secretFile: null, cloudEvents: false, to: [], field };
  const file = (k: string) => {
    const s = v.string(c[k], `${field}.${k}`).trim();
    if (!s) v.fail(`${field}.${k}`, 'must not be empty');
    return v.path(s, `${field}.${k}`, dir);
  };
  if (type === 'email') {
    if (!has('to')) v.fail(`${field}.to`, 'an email channel needs recipients (to: [me@example.com])');
    out.to = v.stringList(c.to, `${field}.to`).flatMap((s, i) =>
      splitAddresses(s).map((a) => {
        if (!isMailbox(a)) v.fail(`${field}.to[${i}]`, `expected an email address such as me@example.com, got ${JSON.stringify(a)}`);
        return a;
      }),
    );
    // the SMTP server comes from email.smtp or $MOMENTSCAN_SMTP_URL: checked when sending
    return out;
  }
  if (has('url') === has('urlFile')) v.fail(`${field}.url`, 'give the endpoint as url (https://...) or urlFile (a file holding it), one of them');
  if (has('url')) {
    const url = v.string(c.url, `${field}.url`).trim();
    const problem = endpointProblem(url);
    if (problem) v.fail(`${field}.url`, problem);
    out.url = url;
  } else {
    out.urlFile = file('urlFile');
  }
  if (type === 'webhook') {
    if (!has('secretFile')) v.fail(`${field}.secretFile`, 'a webhook is signed: give secretFile, a file holding its whsec_... secret');
    out.secretFile = file('secretFile');
    if (has('cloudEvents')) out.cloudEvents = v.boolean(c.cloudEvents, `${field}.cloudEvents`);
  }
  return out;
}

/** Why a URL cannot be a notification endpoint, or null. Never echoes the URL (it may be a secret). */
export function endpointProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'expected an http(s) URL such as https://hooks.example.com/...';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `expected an http(s) URL, got a ${u.protocol.replace(/:$/, '')}: URL`;
  if (!u.hostname) return 'the URL names no host';
  if (u.username || u.password) return 'the URL must not carry a user or password';
  return null;
}

function number(v: Validator, value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1000) v.fail(field, `expected a number from 0 to 1000, got ${describeValue(value)}`);
  return value;
}

/** Quiet hours, in their own timeZone, else the team's (defaults.timeZone, else UTC). */
function quietHours(v: Validator, value: unknown, field: string, teamZone: string): QuietHours {
  const q = v.object(value, field);
  v.keys(q, field, ['from', 'to', 'timeZone']);
  const time = (k: string) => {
    const s = v.string(q[k], `${field}.${k}`).trim();
    const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
    if (!m) v.fail(`${field}.${k}`, `expected a time of day such as 22:00, got ${describeValue(q[k])}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const from = time('from');
  const to = time('to');
  if (from === to) v.fail(`${field}.to`, 'must differ from quietHours.from');
  const timeZone = q.timeZone === undefined || q.timeZone === null ? teamZone : v.timeZone(q.timeZone, `${field}.timeZone`);
  return { from, to, timeZone };
}
