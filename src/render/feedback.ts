import { formatDuration, iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import type { Quality as QualityRow } from '../moments/quality.js';
import type { PlannedEvent } from '../store/model.js';
import { eventJson } from './moments.js';
import { drawTable, tableWidth } from './table.js';
import { shownAt, textWidth, timeColumn, wrap } from './text.js';
import type { Column, Listing, RenderContext } from './types.js';

/** `momentscan events list`: the planned events. */
const EVENT_COLUMNS: Column<PlannedEvent>[] = [
  { key: 'id', value: (e) => e.id },
  { key: 'topic', value: (e) => e.topic },
  { key: 'uid', value: (e) => e.uid },
  { key: 'start', value: (e) => iso(e.start) },
  { key: 'end', value: (e) => iso(e.end) },
  { key: 'lead', value: (e) => formatDuration(e.leadMs) },
  { key: 'lag', value: (e) => formatDuration(e.lagMs) },
  { key: 'note', value: (e) => e.note },
  { key: 'categories', value: (e) => e.categories.join('; ') },
  { key: 'source', value: (e) => e.source },
];

export function eventsListing(rows: PlannedEvent[]): Listing<PlannedEvent> {
  return {
    rows,
    json: eventJson,
    columns: EVENT_COLUMNS,
    table: (list: PlannedEvent[], ctx: RenderContext) => {
      // (wrapped to the terminal: it was one line of 155 columns)
      if (list.length === 0) {
        const text = 'No planned events. Add one with momentscan events add TOPIC --from TIME --to TIME --note TEXT, or import a calendar with momentscan events import FILE.ics.';
        return wrap(text, tableWidth(ctx), '', '').map((l) => `${l}\n`).join('');
      }
      // the id as wide as the largest, Lead/lag only when some event has one, the topic as wide as its name (up
      // to 30) and the note what is left: at 80 columns the topic read "Acme Ro…" and the note "launch"
      const leadLag = list.some((e) => e.leadMs || e.lagMs);
      const from = timeColumn('From', list.map((e) => e.start), ctx.timeZone);
      const to = timeColumn('To', list.map((e) => e.end), ctx.timeZone);
      const cells = list.map((e) => [
        String(e.id),
        e.topic === '*' ? '* (every topic)' : stripControl(e.topic),
        from.cell(e.start),
        to.cell(e.end),
        ...(leadLag ? [[e.leadMs ? `-${formatDuration(e.leadMs)}` : '', e.lagMs ? `+${formatDuration(e.lagMs)}` : ''].filter(Boolean).join(' ')] : []),
        stripControl(e.note ?? ''),
      ]);
      const idWidth = cells.reduce((w, c) => Math.max(w, c[0]!.length + 2), 4);
      return drawTable(
        {
          head: ['Id', 'Topic', from.head, to.head, ...(leadLag ? ['Lead/lag'] : []), 'Note'],
          widths: [idWidth, 'fill', from.width, to.width, ...(leadLag ? [10] : []), 'fill'],
          right: [0],
          // the note keeps 12 columns, or what it needs when less
          minFill: Math.min(12, cells.reduce((w, c) => Math.max(w, textWidth(c.at(-1)!) + 2), 6)),
          fit: [{ col: 1, max: 32 }],
        },
        cells,
        ctx,
      );
    },
  };
}


export type { QualityRow };

const QUALITY_COLUMNS: Column<QualityRow>[] = [
  { key: 'topic', value: (r) => r.topic },
  { key: 'labelled', value: (r) => r.labelled },
  { key: 'real', value: (r) => r.real },
  { key: 'noise', value: (r) => r.noise },
  { key: 'planned', value: (r) => r.planned },
  { key: 'precision', value: (r) => r.precision },
  { key: 'moments', value: (r) => r.moments },
  { key: 'alerts', value: (r) => r.alerts },
  { key: 'alertsPerWeek', value: (r) => r.alertsPerWeek },
  { key: 'unlabelled', value: (r) => r.unlabelled },
  { key: 'threshold', value: (r) => r.threshold.level },
  // (as in the JSON and topics --csv: they were missing here)
  { key: 'thresholdBase', value: (r) => r.threshold.base },
  { key: 'thresholdSource', value: (r) => r.threshold.source },
  { key: 'thresholdWhy', value: (r) => r.threshold.why },
];

function qualityJson(r: QualityRow): Record<string, unknown> {
  return {
    topic: r.topic,
    labelled: r.labelled,
    real: r.real,
    noise: r.noise,
    planned: r.planned,
    precision: r.precision,
    moments: r.moments,
    alerts: r.alerts,
    alertsPerWeek: r.alertsPerWeek,
    unlabelled: r.unlabelled,
    threshold: r.threshold.level,
    thresholdBase: r.threshold.base,
    thresholdSource: r.threshold.source,
    thresholdWhy: r.threshold.why,
  };
}

export function qualityListing(rows: QualityRow[], meta: { from: number; to: number }): Listing<QualityRow> {
  return {
    rows,
    json: qualityJson,
    columns: QUALITY_COLUMNS,
    table: (list: QualityRow[], ctx: RenderContext) => {
      if (list.length === 0) return 'No topics.\n';
      const cells = list.map((r) => [
        stripControl(r.topic),
        String(r.labelled),
        `${r.real}/${r.noise}/${r.planned}`,
        r.precision === null ? '-' : `${Math.round(r.precision * 100)}%`,
        String(r.moments),
        r.alertsPerWeek.toFixed(1),
        String(r.threshold.level),
      ]);
      const table = drawTable(
        // the fixed columns leave the topic 14 columns of 80 (with 'Real/noise/planned' they left it 1, and the table overflowed)
        { head: ['Topic', 'Labels', 'R/N/P', 'Precision', 'Moments', 'Per week', 'Threshold'], widths: ['fill', 8, 9, 11, 9, 10, 11], right: [1, 3, 4, 5, 6], minFill: 8 },
        cells,
        ctx,
      );
      // wrapped to the table's width, as topics' are (a learned threshold's why was one line of 126 columns)
      const why = list.flatMap((r) => wrap(r.threshold.why, tableWidth(ctx), `  ${stripControl(r.topic)}: `, '    ', textWidth)).join('\n');
      return `${table}From ${shownAt(meta.from, ctx.timeZone)} to ${shownAt(meta.to, ctx.timeZone)}.\nR/N/P: labels real/noise/planned; precision: (real + planned) ÷ labels.\nThresholds:\n${why}\n`;
    },
  };
}
