import { formatDuration, iso, fmtUtcShort } from '../core/time.js';
import { stripControl } from '../core/text.js';
import type { Quality as QualityRow } from '../moments/quality.js';
import type { PlannedEvent } from '../store/model.js';
import { eventJson } from './moments.js';
import { drawTable } from './table.js';
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
      if (list.length === 0) return 'No planned events. Add one with momentscan events add TOPIC --from TIME --to TIME --note TEXT, or import a calendar with momentscan events import FILE.ics.\n';
      const cells = list.map((e) => [
        String(e.id),
        e.topic === '*' ? '* (every topic)' : stripControl(e.topic),
        fmtUtcShort(e.start),
        fmtUtcShort(e.end),
        [e.leadMs ? `-${formatDuration(e.leadMs)}` : '', e.lagMs ? `+${formatDuration(e.lagMs)}` : ''].filter(Boolean).join(' '),
        stripControl(e.note ?? ''),
      ]);
      return drawTable({ head: ['Id', 'Topic', 'From (UTC)', 'To (UTC)', 'Lead/lag', 'Note'], widths: [6, 'fill', 18, 18, 10, 'fill'], right: [0], minFill: 8 }, cells, ctx);
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
      const why = list.map((r) => `  ${stripControl(r.topic)}: ${r.threshold.why}`).join('\n');
      return `${table}From ${iso(meta.from)} to ${iso(meta.to)}.\nR/N/P: labels real/noise/planned; precision: (real + planned) ÷ labels.\nThresholds:\n${why}\n`;
    },
  };
}
