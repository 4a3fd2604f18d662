import type { ChannelConfig } from '../../config/notify.js';
import { fmtIn, parseDurationMs } from '../../core/time.js';
import type { Moment, MomentKind, MomentDirection, MomentStage } from '../../core/types.js';
import type { DigestBucket, DigestModel, DigestMoment } from '../../render/digest.js';
import { digestSubject } from '../../render/digest.js';
import { renderDigestHtml } from '../../render/digest-html.js';
import { renderDigestText } from '../../render/digest-text.js';
import type { SmtpSettings } from '../../email/smtp.js';
import type { AlertEvent, DigestReceipt, MomentRecord, SendContext, SendOutcome, Sink } from '../types.js';

export interface EmailSettings {
  from: string;
  subjectPrefix: string;
  server: SmtpSettings;
}

const t = (s: string) => Date.parse(s);

/** A moment back from its JSON record (what the digest renderers take). */
export function momentFromRecord(d: MomentRecord): Moment {
  const bucketMs = parseDurationMs(d.bucket) ?? 0;
  return {
    topic: d.topic,
    kind: d.kind as MomentKind,
    direction: d.direction as MomentDirection,
    score: d.score,
    pValue: Number(d.pValue ?? 10 ** -d.score),
    start: t(d.start),
    peak: t(d.peak),
    end: t(d.end),
    bucketMs,
    ongoing: d.ongoing,
    stage: d.stage as MomentStage,
    firedAt: t(d.firedAt),
    alerts: d.alerts,
    alertedAt: t(d.alertedAt),
    storySeries: Array.isArray(d.storySeries) ? (d.storySeries as number[]) : [],
    hoursSinceOnset: Number(d.hoursSinceOnset ?? 0),
    growth: (d.growth as number | null) ?? null,
    observed: d.observed,
    expected: d.expected,
    totalStories: d.totalStories,
    expectedTotal: Number(d.expectedTotal ?? 0),
    totalItems: Number(d.totalItems ?? d.totalStories),
    sentimentNow: d.sentimentNow,
    sentimentBaseline: d.sentimentBaseline,
    sentimentItems: Number(d.sentimentItems ?? 0),
    distinctSources: d.distinctSources,
    topSources: d.topSources,
    sourceTypes: d.sourceTypes,
    topTerms: d.topTerms,
    examples: d.examples.map((x) => ({ title: x.title, link: x.link, source: x.source, publishedAt: t(x.publishedAt), sentiment: x.sentiment })),
    caveats: Array.isArray(d.caveats) ? (d.caveats as string[]) : [],
  };
}

/** The chart from the record's storySeries: its buckets end where the moment ends. */
function seriesOf(m: Moment): DigestBucket[] {
  const b = m.bucketMs;
  if (!(b > 0)) return [];
  const n = m.storySeries.length;
  return m.storySeries.map((count, i) => {
    const start = m.end - (n - i) * b;
    return { start, count, tone: null, inMoment: start >= m.start };
  });
}

/**
 * The digest's model for a few alerts: new and grown moments under "New moments", ended ones under
 * "Faded", so the email is the digest's (text and HTML parts, the same escaping) for just these.
 */
export function alertDigest(events: AlertEvent[], now: number, tz = 'UTC'): DigestModel {
  const ms = events.map((e) => ({ e, m: momentFromRecord(e.data) }));
  // an alert caught up on after a gap says so, as chat messages do (message.ts)
  const lateNote = (e: AlertEvent) => (e.data.late === true ? [`sent late: it alerted ${fmtIn(e.eventAt, tz)}, when notify was not running`] : []);
  const dm = ({ e, m }: { e: AlertEvent; m: Moment }): DigestMoment => ({ ...m, caveats: [...lateNote(e), ...m.caveats], firstSeenAt: e.eventAt, ...(e.chart ?? { series: seriesOf(m) }) });
  const times = events.map((e) => e.eventAt);
  return {
    periodStart: Math.min(...times),
    periodEnd: Math.max(...times),
    topics: [...new Set(events.map((e) => e.data.topic))],
    new: ms.filter((x) => x.e.type !== 'moment.ended').map(dm),
    ongoing: [],
    faded: ms.filter((x) => x.e.type === 'moment.ended').map((x) => dm({ ...x, m: { ...x.m, ongoing: false } })),
    generatedAt: now,
    timeZone: tz,
    itemsStored: true,
  };
}

export function emailMessage(events: AlertEvent[], s: { from: string; subjectPrefix: string }, to: string[], now: number, tz = 'UTC') {
  return digestEmail(alertDigest(events, now, tz), s, to, now);
}

/** A digest as an email: its subject, text and HTML parts. */
export function digestEmail(model: DigestModel, s: { from: string; subjectPrefix: string }, to: string[], now: number) {
  return {
    from: s.from,
    to,
    subject: digestSubject(model, s.subjectPrefix),
    text: renderDigestText(model),
    html: renderDigestHtml(model, { subjectPrefix: s.subjectPrefix }),
    date: new Date(now),
  };
}

/** The sink `digest --send` delivers through: the `email:` section's server and sender, to `to`. */
export function digestEmailSink(settings: EmailSettings, to: string[]): Sink {
  return emailSink({ name: 'digest', type: 'email', url: null, urlFile: null, secretFile: null, cloudEvents: false, to, field: 'email' }, settings);
}

export function emailSink(channel: ChannelConfig, settings: EmailSettings): Sink {
  return {
    channel,
    batch: 10,
    async sendDigest(model: DigestModel, ctx: { now: number }): Promise<DigestReceipt> {
      const smtp = await import('../../email/smtp.js');
      const r = await smtp.sendDigestMail(settings.server, digestEmail(model, settings, channel.to, ctx.now));
      return { accepted: r.accepted, rejected: r.rejected, via: settings.server.display };
    },
    async send(events: AlertEvent[], ctx: SendContext): Promise<SendOutcome> {
      const smtp = await import('../../email/smtp.js');
      const test = events[0]?.type === 'momentscan.test';
      const message = test
        ? { from: settings.from, to: channel.to, subject: `${settings.subjectPrefix}: test message`, text: 'momentscan can reach this address.\n', html: '<p>momentscan can reach this address.</p>', date: new Date(ctx.now) }
        : emailMessage(events, settings, channel.to, ctx.now, ctx.timeZone);
      const deadline = new Promise<never>((_, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within ${ctx.timeoutMs / 1000}s`)), ctx.timeoutMs * 3);
        ctx.signal.addEventListener('abort', () => reject(new Error("the run's deadline passed")), { once: true });
        timer.unref();
      });
      try {
        const r = await Promise.race([smtp.sendDigestMail(settings.server, message), deadline]);
        if (r.accepted.length === 0) return { ok: false, retryable: false, status: null, error: `${settings.server.display} refused every recipient` };
        return { ok: true, status: null };
      } catch (err) {
        const msg = (err instanceof Error ? err.message : String(err)).replace(/^sending the digest via /, 'sending via ');
        return { ok: false, retryable: true, status: null, error: msg };
      }
    },
  };
}
