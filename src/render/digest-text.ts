import { fmtIn, formatDuration } from '../core/time.js';
import { wrap } from './text.js';
import {
  chartBucketMs,
  clean,
  digestBody,
  examplesOf,
  explanation,
  zoneOf,
  kindLabel,
  periodText,
  plural,
  sparkline,
  topicsLine,
  type DigestModel,
  type DigestMoment,
} from './digest.js';

/** Lines are kept to this width (links longer than a line stand alone on theirs, unbroken). */
export const TEXT_WIDTH = 78;

/**
 * The digest as plain text: for a terminal, a pipe, or cron's own mail. No colour, no markup; lines of
 * at most 78 characters; each moment with its explanation and up to 3 example titles with their links.
 */
export function renderDigestText(d: DigestModel): string {
  const out: string[] = [];
  out.push('momentscan digest');
  out.push(periodText(d));
  out.push(...wrap(topicsLine(d), TEXT_WIDTH, '', '  '));
  out.push('');
  out.push(
    ...digestBody(d, {
      quiet: (l) => wrap(l, TEXT_WIDTH, '', ''),
      counts: (l) => [l],
      heading: (t) => ['', t.toUpperCase(), '-'.repeat(t.length)],
      moment: (m, n) => ['', ...momentLines(m, n, zoneOf(d))],
      learning: (ls) => ['', ...ls.flatMap((l) => wrap(l, TEXT_WIDTH, '', '  '))],
    }),
  );
  out.push('');
  out.push('-- ');
  out.push(...wrap(`Made by momentscan at ${fmtIn(d.generatedAt, zoneOf(d))}. Scores are surprise (-log10 p): 3 is one in a thousand. \`momentscan moments -v\` explains more.`, TEXT_WIDTH, '', ''));
  return `${out.join('\n')}\n`;
}

const LABEL = 10;
const INDENT = '   ';

function momentLines(m: DigestMoment, n: number, tz: string): string[] {
  const lines: string[] = [];
  lines.push(...wrap(`${n}. ${clean(m.topic)}: ${kindLabel(m)}, score ${m.score.toFixed(1)}`, TEXT_WIDTH, '', INDENT));
  const rest = INDENT + ' '.repeat(LABEL);
  const expl = explanation(m, tz);
  const chart = sparkline(m.series);
  for (const { label, text } of expl) {
    lines.push(...wrap(text, TEXT_WIDTH, `${INDENT}${`${label}:`.padEnd(LABEL)}`, rest));
    if (label === 'volume' && chart) {
      lines.push(...wrap(`${chart.bars} ${formatDuration(chartBucketMs(m))} buckets, ^ = the moment`, TEXT_WIDTH, `${INDENT}${'chart:'.padEnd(LABEL)}`, rest));
      if (chart.marks.trim()) lines.push(`${rest}${chart.marks}`);
    }
  }
  const examples = examplesOf(m);
  if (examples.length) {
    lines.push(`${INDENT}${plural(examples.length, 'example')}:`);
    for (const e of examples) {
      lines.push(...wrap(`${e.title}${e.source ? ` (${e.source})` : ''}`, TEXT_WIDTH, `${INDENT}- `, `${INDENT}  `));
      if (e.link) lines.push(linkLine(e.link, `${INDENT}  `));
    }
  }
  return lines;
}

/** A link on its own line, indented if it fits, flush left if not (never broken: it must stay clickable). */
function linkLine(link: string, indent: string): string {
  return indent.length + link.length <= TEXT_WIDTH ? `${indent}${link}` : link;
}
