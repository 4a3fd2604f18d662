import type { Moment } from '../core/types.js';
import type { DigestBucket, DigestModel, DigestMoment } from '../moments/types.js';
import { fmtIn, fmtShortIn, fmtSpanIn, fmtUtc, fmtUtcShort, formatDuration, hoursBetween, zoneLabel } from '../core/time.js';
import { cellText, fmtNum, fmtSigned, plural, sparkline as bars } from './text.js';

/**
 * The digest: one cross-topic summary of a period, as plain text (cron's own mail), Markdown, and an
 * email-safe HTML document. The model is built by `momentscan digest`; the renderers are pure (the
 * times they print are in the model, never read from a clock).
 */

export type { DigestBucket, DigestModel, DigestMoment } from '../moments/types.js';
export { fmtNum, fmtSigned, fmtUtc, fmtUtcShort };

/** The zone the digest's times are shown in: the team's (defaults.timeZone, --tz), UTC when none is set. */
export function zoneOf(d: { timeZone?: string }): string {
  return d.timeZone ?? 'UTC';
}

/** A time on the digest's clock, its zone left to be named by `ref`'s (named when a DST change falls between). */
export function atLike(ms: number, ref: number, tz: string): string {
  return zoneLabel(ms, tz) === zoneLabel(ref, tz) ? fmtShortIn(ms, tz) : fmtIn(ms, tz);
}

/** The digest's period: "2026-10-25 00:00 CEST → 2026-10-26 00:00 CET" (`joint` between the ends). */
export function periodText(d: DigestModel, joint = ' → '): string {
  return fmtSpanIn(d.periodStart, d.periodEnd, zoneOf(d), joint);
}

/** "4 topics: Acme, Globex, ..." — at most 12 names, then how many more. */
export function topicsLine(d: DigestModel): string {
  const names = d.topics.map(clean);
  const shown = names.slice(0, 12).join(', ');
  const more = names.length > 12 ? ` and ${names.length - 12} more` : '';
  return `${plural(names.length, 'topic')}: ${shown || 'none'}${more}`;
}

/** Nothing new, nothing ongoing, nothing faded. */
export function isQuiet(d: DigestModel): boolean {
  return d.new.length === 0 && d.ongoing.length === 0 && d.faded.length === 0;
}

/**
 * A quiet digest that `--send` leaves unsent (unless `--always`): not one that covers time nobody fetched,
 * which says so (a fetch cron that stopped must not look like a run of quiet days).
 */
export function quietToSkip(d: DigestModel): boolean {
  return isQuiet(d) && d.notFetchedSince === undefined;
}

export { plural } from './text.js';

/** "volume spike", "negative tone shift", "positive tone shift". */
export function kindLabel(m: Moment): string {
  if (m.kind === 'volume-spike') return 'volume spike';
  return `${m.direction} tone shift`;
}

/** A short form for the subject line: "spike", "negative tone". */
export function kindShort(m: Moment): string {
  return m.kind === 'volume-spike' ? 'spike' : `${m.direction} tone`;
}

/** "negative" / "positive" / "neutral" for a tone value (the thresholds of the sentiment labels, ×4). */
export function toneClass(x: number | null): 'negative' | 'positive' | 'neutral' {
  if (x === null) return 'neutral';
  return x <= -0.2 ? 'negative' : x >= 0.2 ? 'positive' : 'neutral';
}

/** Feed text made safe for one line: control characters and escapes gone, whitespace collapsed. */
export function clean(s: string): string {
  return cellText(s);
}

/**
 * The link if it is http or https (normalised), else null: feed links are hostile. A user name and
 * password in it are dropped: `https://accounts.example.com@evil.example/` is a link to evil.example made to
 * look like another site's, and a feed's link with credentials in it must not carry them to a mail or a
 * chat channel.
 */
export function safeHttpUrl(link: string | null | undefined): string | null {
  if (!link) return null;
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  url.username = '';
  url.password = '';
  return url.href;
}

/** The explanation of a moment as labelled lines of plain text (shared by the text and Markdown digests). */
export function explanation(m: DigestMoment, tz = 'UTC'): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  const bucket = formatDuration(m.bucketMs);
  const ref = m.ongoing ? m.start : m.end;
  const when = m.ongoing
    ? `since ${fmtIn(m.start, tz)} (ongoing), peak ${atLike(m.peak, ref, tz)}`
    : `${fmtSpanIn(m.start, m.end, tz)}, peak ${atLike(m.peak, ref, tz)}`;
  out.push({ label: 'when', text: when });
  if (m.planned) {
    const events = (m.events ?? []).map((e) => `event ${e.id}${e.note ? ` "${clean(e.note)}"` : ''} (${atLike(e.start, ref, tz)} → ${atLike(e.end, ref, tz)})`);
    out.push({ label: 'planned', text: events.length ? events.join('; ') : 'labelled planned' });
  }
  if (m.alerts > 1) {
    // one alert per burst, again only when it grew
    out.push({ label: 'grew', text: `fired ${atLike(m.firedAt, ref, tz)}; it has since doubled (${m.alerts} alerts, the last ${atLike(m.alertedAt, ref, tz)})` });
  }
  const ratio = m.expected > 0 ? ` (${fmtNum(m.observed / m.expected)}×)` : '';
  const copies = m.totalItems > m.totalStories ? `, ${m.totalItems} items with copies` : '';
  out.push({
    label: 'volume',
    text: `${plural(m.observed, 'story', 'stories')} in the peak ${bucket} vs ${fmtNum(m.expected)} expected${ratio}; ${m.totalStories} over the moment vs ${fmtNum(m.expectedTotal)}${copies}`,
  });
  if (m.sentimentNow !== null || m.sentimentBaseline !== null) {
    out.push({ label: 'tone', text: `${fmtSigned(m.sentimentNow)} now vs ${fmtSigned(m.sentimentBaseline)} before (${plural(m.sentimentItems, 'story', 'stories')} scored)` });
  }
  const sources = m.topSources.map(clean).filter(Boolean);
  out.push({
    label: 'sources',
    text: `${m.distinctSources} distinct${sources.length ? `: ${sources.join(', ')}` : ''}${m.sourceTypes.length ? ` (${m.sourceTypes.map(clean).join(', ')})` : ''}`,
  });
  const terms = m.topTerms.map(clean).filter(Boolean);
  if (terms.length) out.push({ label: 'terms', text: terms.join(', ') });
  const accounts = m.accounts ?? [];
  if (accounts.length) {
    const shown = accounts.slice(0, 8).map((a) => `${clean(a.name)}${a.domain ? ` (${clean(a.domain)})` : ''}: ${plural(a.items, 'item')}`);
    out.push({ label: 'accounts', text: `${shown.join(', ')}${accounts.length > 8 ? ` and ${accounts.length - 8} more` : ''}` });
  }
  for (const c of m.caveats) out.push({ label: 'caveat', text: clean(c) });
  if (m.label && m.label.verdict !== 'planned') out.push({ label: 'label', text: `${m.label.verdict}${m.label.note ? ` (${clean(m.label.note)})` : ''}` });
  if (m.id !== undefined && m.id !== null) out.push({ label: 'moment', text: `id ${m.id}: momentscan label ${m.id} real|noise|planned` });
  return out;
}

/** The examples worth showing: at most 3, titles cleaned, links only when http(s). */
export function examplesOf(m: Moment): { title: string; source: string | null; link: string | null }[] {
  return m.examples.slice(0, 3).map((e) => ({
    title: clean(e.title) || '(untitled)',
    source: e.source ? clean(e.source) || null : null,
    link: safeHttpUrl(e.link),
  }));
}

/**
 * The subject line: "momentscan: 2 new moments, 1 ongoing — Acme Robotics spike", or
 * "momentscan: quiet day (4 topics)". One line, at most about 140 characters.
 */
export function digestSubject(d: DigestModel, prefix = 'momentscan'): string {
  const p = clean(prefix);
  const lead = p ? `${p}: ` : '';
  if (isQuiet(d)) return `${lead}${d.itemsStored === false ? 'nothing to judge yet' : d.notFetchedSince !== undefined ? `nothing fetched since ${fmtIn(d.notFetchedSince, zoneOf(d))}` : 'quiet day'} (${plural(d.topics.length, 'topic')})`;
  const parts: string[] = [];
  if (d.new.length) parts.push(`${d.new.length} new ${d.new.length === 1 ? 'moment' : 'moments'}`);
  if (d.ongoing.length) parts.push(d.new.length ? `${d.ongoing.length} ongoing` : `${plural(d.ongoing.length, 'ongoing moment')}`);
  if (d.faded.length) parts.push(d.new.length || d.ongoing.length ? `${d.faded.length} faded` : `${plural(d.faded.length, 'faded moment')}`);
  const top = d.new[0] ?? d.ongoing[0] ?? d.faded[0];
  let subject = `${lead}${parts.join(', ')}`;
  if (top) subject += ` — ${clean(top.topic)} ${kindShort(top)}`;
  return subject.length > 140 ? `${subject.slice(0, 139)}…` : subject;
}

/** A one-line summary of the counts: "1 new moment, 1 ongoing, 1 faded across 4 topics". */
export function countsLine(d: DigestModel): string {
  return `${plural(d.new.length, 'new moment')}, ${d.ongoing.length} ongoing, ${d.faded.length} faded across ${plural(d.topics.length, 'topic')}`;
}

/**
 * "Quiet day: no moments across 4 topics between 2026-11-19 12:00 and 2026-11-20 12:00 UTC." — or, with no
 * items stored at all, that there was nothing to judge.
 */
export function quietLine(d: DigestModel): string {
  if (d.itemsStored === false) return NOTHING_STORED;
  if (d.notFetchedSince !== undefined) return `No moments across ${plural(d.topics.length, 'topic')} between ${periodText(d, ' and ')} in what was fetched — not a quiet day: ${staleLine(d)}`;
  return `Quiet day: no moments across ${plural(d.topics.length, 'topic')} between ${periodText(d, ' and ')}.`;
}

/** "no feed was read after 2026-11-20 12:00 UTC (7 days before the period's end), so …": what the digest cannot say. */
export function staleLine(d: DigestModel): string {
  const since = d.notFetchedSince!;
  return `no feed was read after ${fmtIn(since, zoneOf(d))} (${hoursBetween(since, d.periodEnd)} before the period's end), so what was published since is not judged here — run \`momentscan fetch\` (\`momentscan feeds list\` shows how the feeds fare).`;
}

const NOTHING_STORED = 'Nothing to judge: no items are stored yet. Fetch the feeds with `momentscan fetch` (`momentscan feeds list` shows how they fare).';

/** "Acme Robotics: still learning until 2026-11-22 00:00 UTC." per topic not judged yet (none when no items are stored at all). */
export function learningLines(d: DigestModel): string[] {
  if (d.itemsStored === false) return [];
  return (d.learning ?? []).map(({ topic, until, firstItemAt }) =>
    until === null ? `${clean(topic)}: no items yet, nothing to judge.`
    : firstItemAt !== undefined ? `${clean(topic)}: no items by then, nothing to judge: the first is from ${fmtIn(firstItemAt, zoneOf(d))} — give a later --as-of.`
    : `${clean(topic)}: still learning until ${fmtIn(until, zoneOf(d))}.`,
  );
}

/** The digest's sections in order, with their headings. */
export function sections(d: DigestModel): { key: 'new' | 'ongoing' | 'faded'; title: string; moments: DigestMoment[] }[] {
  return [
    { key: 'new' as const, title: 'New moments', moments: d.new },
    { key: 'ongoing' as const, title: 'Still ongoing', moments: d.ongoing },
    { key: 'faded' as const, title: 'Faded', moments: d.faded },
  ].filter((s) => s.moments.length > 0);
}

/** How long each bar of a moment's chart is: its bucket, or several of them for a long moment. */
export function chartBucketMs(m: DigestMoment): number {
  return m.seriesBucketMs ?? m.bucketMs;
}

/** A one-line text chart of the series ("▁▁▂█▆▃"), and a marker line under the moment's buckets ("  ^^^^"). */
export function sparkline(series: DigestBucket[]): { bars: string; marks: string } | null {
  if (series.length < 2 || !series.some((b) => b.count > 0)) return null;
  const marks = series.map((b) => (b.inMoment ? '^' : ' ')).join('').replace(/\s+$/, '');
  return { bars: bars(series.map((b) => b.count), { lift: true }), marks };
}

/** How a printed format lays out each piece of the digest's body, as its lines (or HTML rows). */
export interface DigestLook {
  quiet(line: string): string[];
  counts(line: string): string[];
  heading(title: string): string[];
  moment(m: DigestMoment, n: number): string[];
  learning(lines: string[]): string[];
}

/**
 * The digest's body, the same in every printed format: the quiet line, or the counts and each section
 * (new, ongoing, faded) with its moments numbered; then what the engine is still learning, if anything.
 */
export function digestBody(d: DigestModel, look: DigestLook): string[] {
  const out: string[] = [];
  if (isQuiet(d)) {
    out.push(...look.quiet(quietLine(d)));
  } else {
    out.push(...look.counts(countsLine(d)));
    // (a note, laid out as the learning lines are: wrapped, escaped)
    if (d.notFetchedSince !== undefined) out.push(...look.learning([`Not all of the period is known: ${staleLine(d)}`]));
    for (const s of sections(d)) {
      out.push(...look.heading(s.title));
      s.moments.forEach((m, i) => out.push(...look.moment(m, i + 1)));
    }
  }
  const learning = learningLines(d);
  if (learning.length) out.push(...look.learning(learning));
  return out;
}
