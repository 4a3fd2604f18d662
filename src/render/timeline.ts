import type { BucketScore } from '../detect/detect.js';
import { formatDuration, iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable } from './table.js';
import { cellText, clip, shownAt, shownSpan, sparkline, textWidth, timeColumn, unglueEmoji, wrapShown } from './text.js';
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
    // scores to two decimals, as moments' score is (they were 0.9149278287686309)
    volumeScore: round(r.volumeScore, 2),
    spike: r.volumeFlag,
    sentiment: round(r.sentimentMean),
    sentimentBaseline: round(r.baselineSentiment),
    sentimentScore: round(r.sentimentScore, 2),
    shift: r.sentimentFlag,
    learning: r.learning,
    // a period nobody fetched: the stories are what the feeds still held when fetching resumed
    unfetched: r.unfetched,
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
function noBuckets(meta: TimelineMeta, tz?: string): string {
  const topic = stripControl(meta.topic);
  if (meta.firstItemAt === null) return `No items of ${topic} are stored yet — fetch the feeds with \`momentscan fetch\` (\`momentscan feeds list\` shows how they fare).\n`;
  if (meta.firstItemAt !== undefined && meta.firstItemAt > meta.to) return `No items of ${topic} by then: the first is from ${shownAt(meta.firstItemAt, tz)} — give a later --as-of.\n`;
  // (buckets start at the topic's first item: none is a topic that has matched nothing yet, or only later)
  return 'No stories in that period: nothing fetched matches this topic, or only after it.\n';
}

function timelineTable(rows: TimelineRow[], ctx: RenderContext, meta: TimelineMeta): string {
  const { chalk } = ctx;
  const tz = ctx.timeZone;
  // (a long topic name is cut so that the line fits the table's width, as the table's cells are)
  const period = `: ${formatDuration(meta.bucketMs)} buckets, ${shownSpan(meta.from, meta.to, tz)}`;
  const head = `${clip(unglueEmoji(cellText(meta.topic)), Math.max(10, ctx.width - textWidth(period)))}${period}\n`;
  if (rows.length === 0) return `${head}${noBuckets(meta, tz)}`;
  const width = Math.max(20, Math.min(ctx.width, 160) - 10);
  // more buckets than columns: several buckets to a bar, so that the chart covers the period the title names
  const perBar = Math.ceil(rows.length / width);
  const bars = chartBars(rows, perBar);
  const marks = bars.map((b) => (b.spike ? '▲' : b.negative ? '▼' : b.positive ? '△' : ' ')).join('');
  const tone = bars.map((b) => (b.tone === null ? ' ' : b.tone <= -0.2 ? chalk.red('−') : b.tone >= 0.2 ? chalk.green('+') : '·')).join('');
  let out = head;
  out += `stories  ${sparkline(bars.map((b) => b.count))}\n`;
  out += `tone     ${tone}\n`;
  out += `moments  ${chalk.yellow(marks)}\n`;
  out += chalk.dim('         ▲ spike  ▼ negative shift  △ positive shift\n');
  out += chalk.dim(`         tone: + at least +0.2, − at most −0.2, · between\n`);
  if (perBar > 1) out += chalk.dim(`         a bar is ${perBar} buckets (${formatDuration(perBar * meta.bucketMs)})\n`);
  // the period asked for begins before the topic's first item: say why the chart and table begin later
  // (the title said 2026-09-21 and both began at 2026-10-20, without a word)
  if (rows[0]!.start >= meta.from + meta.bucketMs) {
    const first = meta.firstItemAt ?? rows[0]!.start;
    out += `${wrapShown(`nothing before ${shownAt(rows[0]!.start, tz)}: the topic's first stored item is from ${shownAt(first, tz)}, so the chart and the table begin there`, ctx.width, '         ', '         ').map((l) => chalk.dim(l)).join('\n')}\n`;
  }
  const unfetched = rows.filter((r) => r.unfetched);
  if (unfetched.length > 0) {
    const note = `not fetched: ${unfetched.length === 1 ? 'a bucket' : `${unfetched.length} buckets`} from ${shownAt(unfetched[0]!.start, tz)} met a time nobody fetched the topic's feeds, which dropped items meanwhile (the fetch log): their stories are what the feeds still held, and they are not judged`;
    out += `${wrapShown(note, ctx.width, '         ', '         ').map((l) => chalk.dim(l)).join('\n')}\n`;
  }
  out += '\n';
  const cells: string[][] = [];
  const bucket = timeColumn('Bucket', rows.map((r) => r.start), tz);
  for (const r of rows) {
    const verdict = r.volumeFlag ? `spike ${r.volumeScore.toFixed(1)}` : r.sentimentFlag ? `${r.sentimentFlag} ${r.sentimentScore.toFixed(1)}` : r.judged ? '' : r.unfetched ? 'not fetched' : r.learning ? 'learning' : 'not over';
    // a team's calendar day the clocks changed in (commands/timeline.ts: 23 or 25 hours) says so
    const odd = r.bucketMs !== meta.bucketMs ? `${Math.round(r.bucketMs / 3_600_000)}-hour day` : '';
    const moment = verdict && odd ? `${verdict}; ${odd}` : verdict || odd;
    cells.push([
      bucket.cell(r.start),
      String(r.count),
      r.judged ? r.expected.toFixed(1) : '',
      r.sentimentMean === null ? '' : r.sentimentMean.toFixed(2),
      r.baselineSentiment === null ? '' : r.baselineSentiment.toFixed(2),
      moment,
    ]);
  }
  return out + drawTable({ head: [bucket.head, 'Stories', 'Expected', 'Tone', 'Baseline', 'Moment'], widths: [bucket.width, 9, 10, 7, 10, 'fill'], right: [1, 2, 3, 4] }, cells, ctx);
}

/** A bar of the chart: `perBar` buckets' stories, their mean tone (by stories) and whether any had a moment. */
interface ChartBar {
  count: number;
  tone: number | null;
  spike: boolean;
  negative: boolean;
  positive: boolean;
}

function chartBars(rows: TimelineRow[], perBar: number): ChartBar[] {
  const bars: ChartBar[] = [];
  for (let i = 0; i < rows.length; i += perBar) {
    const group = rows.slice(i, i + perBar);
    let count = 0;
    let toneSum = 0;
    let toneWeight = 0;
    for (const r of group) {
      count += r.count;
      if (r.sentimentMean !== null) {
        // (a bucket's tone weighs by its stories; one with a tone but no count, by 1)
        const w = Math.max(1, r.count);
        toneSum += r.sentimentMean * w;
        toneWeight += w;
      }
    }
    bars.push({
      count,
      tone: toneWeight > 0 ? toneSum / toneWeight : null,
      spike: group.some((r) => r.volumeFlag),
      negative: group.some((r) => r.sentimentFlag === 'negative'),
      positive: group.some((r) => r.sentimentFlag === 'positive'),
    });
  }
  return bars;
}
