import type { NotifyConfig, NotifyEvent, QuietHours, RouteConfig } from '../config/notify.js';

/** What routing looks at in an alert. */
export interface RoutedAlert {
  topic: string;
  /** The topic's tags (from the config). */
  tags: string[];
  kind: string;
  score: number;
  attention: number;
  /** The moment overlaps a planned event (or was labelled planned). */
  planned?: boolean;
}

/** Does this route take this alert (as this event)? */
export function routeTakes(r: RouteConfig, a: RoutedAlert, event: NotifyEvent): boolean {
  if (!r.events.includes(event)) return false;
  if (!r.kinds.includes(a.kind)) return false;
  if (a.score < r.minScore || a.attention < r.minAttention) return false;
  if (r.skipPlanned && a.planned) return false;
  if (r.topics === null && r.tags === null) return true;
  const byName = r.topics?.some((t) => t.toLowerCase() === a.topic.toLowerCase()) ?? false;
  const lower = new Set(a.tags.map((t) => t.toLowerCase()));
  const byTag = r.tags?.some((t) => lower.has(t.toLowerCase())) ?? false;
  return byName || byTag;
}

/**
 * The channels an alert goes to, each once, with the first route that sends it there (whose
 * groupWait, interval and quiet hours apply). What the alert is on a channel may depend on the
 * channel (`eventOn`: a growth is news on a channel that never heard of the moment).
 */
export function channelsFor(n: NotifyConfig, a: RoutedAlert, eventOn: (channel: string) => NotifyEvent | null): { channel: string; route: number; event: NotifyEvent }[] {
  const out = new Map<string, { route: number; event: NotifyEvent }>();
  n.routes.forEach((r, i) => {
    for (const c of r.channels) {
      if (out.has(c)) continue;
      const event = eventOn(c);
      if (event && routeTakes(r, a, event)) out.set(c, { route: i, event });
    }
  });
  return [...out].map(([channel, v]) => ({ channel, ...v }));
}

/** Minutes after local midnight in a time zone. */
export function localMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** Whether `ms` falls in the quiet hours (from inclusive, to exclusive; a span may cross midnight). */
export function inQuietHours(q: QuietHours, ms: number): boolean {
  const t = localMinutes(ms, q.timeZone);
  return q.from < q.to ? t >= q.from && t < q.to : t >= q.from || t < q.to;
}

/**
 * How long to wait before try number `attempt + 1`, after `attempt` failed tries: the backoff doubled per
 * try, at most `max`, then jittered to between half and all of it (so retries of many rows spread out).
 * The receiver's Retry-After, when longer, wins.
 */
export function retryDelay(attempt: number, o: { baseMs: number; maxMs: number; retryAfterMs?: number }, random: () => number = Math.random): number {
  const full = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(full / 2 + (random() * full) / 2);
  return Math.max(jittered, Math.min(o.retryAfterMs ?? 0, Math.max(o.maxMs, o.baseMs)));
}
