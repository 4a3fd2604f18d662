import { formatDuration } from '../core/time.js';
import {
  chartBucketMs,
  clean,
  countsLine,
  digestBody,
  digestSubject,
  examplesOf,
  explanation,
  fmtNum,
  fmtSigned,
  isQuiet,
  kindLabel,
  periodText,
  plural,
  quietLine,
  toneClass,
  topicsLine,
  type DigestBucket,
  type DigestModel,
  type DigestMoment,
  zoneOf,
} from './digest.js';
import { fmtIn, fmtSpanIn } from '../core/time.js';

/**
 * The digest as an email-safe HTML document: layout tables, inline `style=` attributes only (no <style>,
 * no external CSS, no images, no scripts), so it looks the same in Gmail, Outlook and Apple Mail. Feed
 * text is hostile: every piece of it is escaped, and only http(s) links become links. Each moment has a
 * volume chart drawn with table cells (no images to block), with a text alternative under it.
 */
export function renderDigestHtml(d: DigestModel, o: { subjectPrefix?: string } = {}): string {
  const subject = digestSubject(d, o.subjectPrefix);
  const rows: string[] = [];
  rows.push(
    row(
      [
        `<h1 style="margin:0 0 4px 0;font-size:20px;line-height:26px;font-weight:bold;color:${C.ink};">momentscan digest</h1>`,
        `<p style="margin:0 0 4px 0;font-size:14px;line-height:20px;color:${C.muted};">${esc(periodText(d))}</p>`,
        `<p style="margin:0;font-size:13px;line-height:18px;color:${C.muted};">${esc(topicsLine(d))}</p>`,
      ].join('\n'),
      '20px 24px 12px 24px',
    ),
  );
  rows.push(
    ...digestBody(d, {
      quiet: (l) => [
        row(`<p style="margin:0;padding:12px 14px;background-color:${C.quietBg};border:1px solid ${C.rule};font-size:15px;line-height:22px;color:${C.ink};">${esc(l)}</p>`, '8px 24px 20px 24px'),
      ],
      counts: (l) => [row(`<p style="margin:0;font-size:15px;line-height:22px;font-weight:bold;color:${C.ink};">${esc(l)}</p>`, '4px 24px 8px 24px')],
      heading: (t) => [
        row(`<h2 style="margin:0;padding-bottom:4px;border-bottom:2px solid ${C.rule};font-size:17px;line-height:24px;font-weight:bold;color:${C.ink};">${esc(t)}</h2>`, '16px 24px 8px 24px'),
      ],
      moment: (m, n) => [row(momentHtml(m, n, zoneOf(d)), '8px 24px 12px 24px')],
      learning: (ls) => [row(ls.map((l) => `<p style="margin:0 0 4px 0;font-size:14px;line-height:20px;color:${C.muted};">${esc(l)}</p>`).join('\n'), '4px 24px 12px 24px')],
    }),
  );
  rows.push(
    row(
      `<p style="margin:0;padding-top:10px;border-top:1px solid ${C.rule};font-size:12px;line-height:17px;color:${C.muted};">${esc(
        `Made by momentscan at ${fmtIn(d.generatedAt, zoneOf(d))}. Scores are surprise (−log10 p): 3 is one in a thousand, 10 one in ten billion. This email has a plain-text version.`,
      )}</p>`,
      '8px 24px 20px 24px',
    ),
  );
  const preheader = isQuiet(d) ? quietLine(d) : countsLine(d);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${esc(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:${C.page};">
<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${esc(preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background-color:${C.page};">
<tr>
<td align="center" style="padding:16px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;background-color:#ffffff;border:1px solid ${C.rule};">
${rows.join('\n')}
</table>
</td>
</tr>
</table>
</body>
</html>
`;
}

const FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** The palette: kinds of moment, tone, and neutral greys. */
const C = {
  page: '#f3f4f6',
  ink: '#111827',
  muted: '#4b5563',
  rule: '#e5e7eb',
  quietBg: '#f0fdf4',
  link: '#1d4ed8',
  spike: '#d97706',
  negative: '#dc2626',
  positive: '#16a34a',
  lead: '#cbd5e1',
  toneNegative: '#b91c1c',
  tonePositive: '#15803d',
  toneNeutral: '#374151',
};

function row(inner: string, padding: string): string {
  return `<tr>\n<td style="padding:${padding};font-family:${FONT};color:${C.ink};">\n${inner}\n</td>\n</tr>`;
}

function kindColor(m: DigestMoment): string {
  if (m.kind === 'volume-spike') return C.spike;
  return m.direction === 'negative' ? C.negative : C.positive;
}

function toneColor(x: number | null): string {
  const t = toneClass(x);
  return t === 'negative' ? C.toneNegative : t === 'positive' ? C.tonePositive : C.toneNeutral;
}

function tone(x: number | null): string {
  return `<span style="color:${toneColor(x)};font-weight:bold;">${esc(fmtSigned(x))}</span>`;
}

function momentHtml(m: DigestMoment, n: number, tz: string): string {
  const color = kindColor(m);
  const parts: string[] = [];
  parts.push(
    `<p style="margin:0 0 6px 0;font-size:16px;line-height:22px;font-weight:bold;color:${C.ink};">${n}. ${esc(m.topic)} ` +
      `<span style="display:inline-block;padding:1px 6px;border-radius:3px;background-color:${color};color:#ffffff;font-size:12px;line-height:18px;font-weight:bold;">${esc(kindLabel(m))}</span> ` +
      `<span style="font-size:13px;font-weight:normal;color:${C.muted};">score ${esc(m.score.toFixed(1))}${m.ongoing ? ' · ongoing' : ''}</span></p>`,
  );
  const chart = chartHtml(m, color, tz);
  if (chart) parts.push(chart);
  const rowsHtml = explanation(m, tz).map(({ label, text }) => {
    const value =
      label === 'tone'
        ? `${tone(m.sentimentNow)} now vs ${tone(m.sentimentBaseline)} before (${esc(plural(m.sentimentItems, 'story', 'stories'))} scored)`
        : esc(text);
    return (
      `<tr><td valign="top" width="72" style="width:72px;padding:2px 8px 2px 0;vertical-align:top;font-size:13px;line-height:19px;color:${C.muted};">${esc(label)}</td>` +
      `<td valign="top" style="padding:2px 0;vertical-align:top;font-size:13px;line-height:19px;color:${C.ink};">${value}</td></tr>`
    );
  });
  parts.push(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;">\n${rowsHtml.join('\n')}\n</table>`);
  const examples = examplesOf(m);
  if (examples.length) {
    parts.push(`<p style="margin:8px 0 2px 0;font-size:13px;line-height:19px;color:${C.muted};">${esc(plural(examples.length, 'example'))}</p>`);
    for (const e of examples) {
      const title = e.link
        ? `<a href="${esc(e.link)}" style="color:${C.link};text-decoration:underline;">${esc(e.title)}</a>`
        : `<span style="color:${C.ink};">${esc(e.title)}</span>`;
      parts.push(
        `<p style="margin:0 0 4px 0;font-size:14px;line-height:20px;">• ${title}${e.source ? ` <span style="color:${C.muted};">— ${esc(e.source)}</span>` : ''}</p>`,
      );
    }
  }
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-left:4px solid ${color};">\n` +
    // feed text may hold a word longer than the message is wide (500 letters, a link as a title): it may
    // break anywhere rather than widen the whole message past the screen
    `<tr><td style="padding:4px 0 4px 12px;font-family:${FONT};word-break:break-word;overflow-wrap:anywhere;">\n${parts.join('\n')}\n</td></tr>\n</table>`
  );
}

const CHART_HEIGHT = 48;
const BAR_WIDTH = 12;

/**
 * The volume chart: one table cell per bucket, a coloured block as tall as the count (no images, so it
 * shows even with remote content blocked), the moment's buckets in the moment's colour; `aria-label` and
 * the caption under it say the same in words.
 */
function chartHtml(m: DigestMoment, color: string, tz: string): string | null {
  const series = m.series;
  if (series.length < 2) return null;
  const max = Math.max(...series.map((b) => b.count));
  if (max <= 0) return null;
  const barMs = chartBucketMs(m);
  const bucket = formatDuration(barMs);
  const first = series[0]!;
  const last = series[series.length - 1]!;
  const words = `Stories per ${bucket} bucket from ${fmtSpanIn(first.start, last.start + barMs, tz, ' to ')}: ${series.map((b) => b.count).join(', ')}`;
  const cells = series.map((b) => barCell(b, max, color, bucket, tz));
  const caption = `${bucket} buckets, ${fmtSpanIn(first.start, last.start + barMs, tz)}; coloured: the moment (peak ${m.observed} vs ${fmtNum(m.expected)} expected, highest bar ${max})`;
  return (
    `<table role="img" aria-label="${esc(words)}" cellpadding="0" cellspacing="0" border="0" style="margin:4px 0 2px 0;border-collapse:collapse;border-bottom:1px solid ${C.lead};">\n<tr>\n` +
    `${cells.join('\n')}\n</tr>\n</table>\n` +
    `<p style="margin:0 0 8px 0;font-size:11px;line-height:15px;color:${C.muted};">${esc(caption)}</p>`
  );
}

function barCell(b: DigestBucket, max: number, color: string, bucket: string, tz: string): string {
  const h = b.count <= 0 ? 1 : Math.max(2, Math.round((b.count / max) * CHART_HEIGHT));
  const fill = b.inMoment ? color : C.lead;
  const title = `${fmtIn(b.start, tz)}: ${plural(b.count, 'story', 'stories')} in ${bucket}`;
  return (
    `<td valign="bottom" height="${CHART_HEIGHT}" title="${esc(title)}" style="height:${CHART_HEIGHT}px;vertical-align:bottom;padding:0 1px;">` +
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>` +
    `<td width="${BAR_WIDTH}" height="${h}" bgcolor="${fill}" style="width:${BAR_WIDTH}px;height:${h}px;background-color:${fill};font-size:0;line-height:0;mso-line-height-rule:exactly;">&nbsp;</td>` +
    `</tr></table></td>`
  );
}

/** Escapes text for HTML content and attribute values (after removing control characters). */
export function esc(s: string): string {
  return clean(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
