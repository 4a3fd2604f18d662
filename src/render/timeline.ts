import type { BucketScore } from '../detect/detect.js';
import { formatDuration, iso, fmtUtcShort } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable, tableWidth } from './table.js';
import { sparkline, wrap } from './text.js';
import type { Column, Listing, RenderContext } from './types.js';

export interface TimelineRow extends BucketScore {
  topic: string;
  bucketMs: number;
  /** Not judged because the topic is still learning (a bucket not over by the evaluation time is not judged either). */
  learning: boolean;
}

const round = (x: number | null, d = 3) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

export function timelineJson(r: TimelineRow): Record<string, unknown> {
  return {
    topic: r.topic,
    start: iso(r.start),
    bucket: formatDuration(r.bucketMs),
    stories: r.count,
    items: r.items,
    expected: r.judged ? round(r.expected, 2) : null,
    volumeScore: r.volumeScore,
    spike: r.volumeFlag,
    sentiment: round(r.sentimentMean),
    sentimentBaseline: round(r.baselineSentiment),
    sentimentScore: r.sentimentScore,
    shift: r.sentimentFlag,
    learning: r.learning,
  };
}

const COLUMNS: Column<TimelineRow>[] = Object.keys(timelineJson({ start: 0, bucketMs: 1, judged: false } as TimelineRow)).map((key) => ({
  key,
  value: (r: TimelineRow) => timelineJson(r)[key] as string | number | boolean | null,
}));

/** The period shown; `firstItemAt`: the topic's first stored item (null: none yet), to say why a period has no buckets. */
export type TimelineMeta = { topic: string; bucketMs: number; from: number; to: number; firstItemAt?: number | null };

export function timelineListing(rows: TimelineRow[], meta: TimelineMeta): Listing<TimelineRow> {
  return { rows, json: timelineJson, columns: COLUMNS, table: (r, ctx) => timelineTable(r, ctx, meta) };
}

/** Why a period has no buckets: the topic has no items yet, or none by the period's end (it said "No buckets in that period."). */
function noBuckets(meta: TimelineMeta): string {
  const topic = stripControl(meta.topic);
  if (meta.firstItemAt === null) return `No items of ${topic} are stored yet — fetch the feeds with \`momentscan fetch\` (\`momentscan feeds list\` shows how they fare).\n`;
  if (meta.firstItemAt !== undefined && meta.firstItemAt > meta.to) return `No items of ${topic} by then: the first is from ${iso(meta.firstItemAt)} — give a later --as-of.\n`;
  return 'No buckets in that period.\n';
}

function timelineTable(rows: TimelineRow[], ctx: RenderContext, meta: TimelineMeta): string {
  const { chalk } = ctx;
  const head = `${stripControl(meta.topic)}: ${formatDuration(meta.bucketMs)} buckets, ${iso(meta.from)} → ${iso(meta.to)}\n`;
  if (rows.length === 0) return `${head}${noBuckets(meta)}`;
  const width = Math.max(20, Math.min(ctx.width, 160) - 10);
  const shown = rows.slice(-width);
  const marks = shown.map((r) => (r.volumeFlag ? '▲' : r.sentimentFlag === 'negative' ? '▼' : r.sentimentFlag === 'positive' ? '△' : ' ')).join('');
  const tone = shown.map((r) => (r.sentimentMean === null ? ' ' : r.sentimentMean <= -0.2 ? chalk.red('−') : r.sentimentMean >= 0.2 ? chalk.green('+') : '·')).join('');
  let out = head;
  out += `stories  ${sparkline(shown.map((r) => r.count))}\n`;
  out += `tone     ${tone}\n`;
  out += `moments  ${chalk.yellow(marks)}\n`;
  out += chalk.dim('         ▲ spike  ▼ negative shift  △ positive shift\n');
  // what the tone marks mean, and which part of the period the chart shows when it has more buckets than the
  // terminal has columns: it showed the last 71 of 672 under a header naming the whole week, without a word
  out += chalk.dim(`         tone: + at least +0.2, − at most −0.2, · between\n`);
  if (shown.length < rows.length) {
    const note = `the chart shows the last ${shown.length} of ${rows.length} buckets, from ${fmtUtcShort(shown[0]!.start)} UTC (the table has them all; --since or --bucket for another view)`;
    out += wrap(note, tableWidth(ctx), '         ', '         ').map((l) => `${chalk.dim(l)}\n`).join('');
  }
  out += '\n';
  const cells: string[][] = [];
  for (const r of rows) {
    const moment = r.volumeFlag ? `spike ${r.volumeScore.toFixed(1)}` : r.sentimentFlag ? `${r.sentimentFlag} ${r.sentimentScore.toFixed(1)}` : r.judged ? '' : r.learning ? 'learning' : 'not over';
    cells.push([
      fmtUtcShort(r.start),
      String(r.count),
      r.judged ? r.expected.toFixed(1) : '',
      r.sentimentMean === null ? '' : r.sentimentMean.toFixed(2),
      r.baselineSentiment === null ? '' : r.baselineSentiment.toFixed(2),
      moment,
    ]);
  }
  return out + drawTable({ head: ['Bucket (UTC)', 'Stories', 'Expected', 'Tone', 'Baseline', 'Moment'], widths: [18, 9, 10, 7, 10, 'fill'], right: [1, 2, 3, 4] }, cells, ctx);
}
