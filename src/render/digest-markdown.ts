import { fmtIn, formatDuration } from '../core/time.js';
import { mdText } from './text.js';
import {
  chartBucketMs,
  digestBody,
  examplesOf,
  explanation,
  kindLabel,
  periodText,
  zoneOf,
  sparkline,
  topicsLine,
  type DigestModel,
  type DigestMoment,
} from './digest.js';

/**
 * The digest as Markdown (CommonMark/GFM): for a wiki page, a chat message or a ticket. Feed text is
 * escaped so a headline cannot add markup, links or HTML; links are only http(s), in `<...>` form.
 */
export function renderDigestMarkdown(d: DigestModel): string {
  const out: string[] = [];
  out.push('# momentscan digest');
  out.push('');
  out.push(`**${periodText(d)}** · ${mdText(topicsLine(d))}`);
  out.push('');
  out.push(
    ...digestBody(d, {
      quiet: (l) => [mdText(l)],
      counts: (l) => [l],
      heading: (t) => ['', `## ${t}`],
      moment: (m, n) => ['', ...momentBlock(m, n, zoneOf(d))],
      learning: (ls) => ['', ...ls.map((l) => `- ${mdText(l)}`)],
    }),
  );
  out.push('');
  out.push('---');
  out.push('');
  out.push(`*Made by momentscan at ${fmtIn(d.generatedAt, zoneOf(d))}. Scores are surprise (−log10 p): 3 is one in a thousand.*`);
  return `${out.join('\n')}\n`;
}

function momentBlock(m: DigestMoment, n: number, tz: string): string[] {
  const lines: string[] = [];
  lines.push(`### ${n}. ${mdText(m.topic)}: ${kindLabel(m)}, score ${m.score.toFixed(1)}`);
  lines.push('');
  const chart = sparkline(m.series);
  for (const { label, text } of explanation(m, tz)) {
    lines.push(`- **${label}:** ${mdText(text)}`);
    if (label === 'volume' && chart) lines.push(`- **chart:** \`${chart.bars}\` (${formatDuration(chartBucketMs(m))} buckets, oldest first)`);
  }
  const examples = examplesOf(m);
  if (examples.length) {
    lines.push('');
    examples.forEach((e, i) => {
      const title = e.link ? `[${mdText(e.title)}](<${e.link}>)` : mdText(e.title);
      lines.push(`${i + 1}. ${title}${e.source ? ` — ${mdText(e.source)}` : ''}`);
    });
  }
  return lines;
}
