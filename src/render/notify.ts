import type { OutboxRow, Silence } from '../notify/outbox.js';
import { iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable, tableWidth } from './table.js';
import { cellText, timeColumn, wrapShown } from './text.js';
import type { Column, Listing, RenderContext } from './types.js';

/** A delivery as `momentscan notify list` shows it (one outbox row: one alert to one channel). */
export interface DeliveryRow {
  id: string;
  createdAt: number;
  channel: string;
  event: string;
  topic: string;
  kind: string;
  direction: string;
  score: number;
  alertNo: number;
  eventAt: number;
  status: string;
  attempts: number;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  httpStatus: number | null;
  error: string | null;
  sentAt: number | null;
}

/** An outbox row as a delivery. */
export function deliveryRow(r: OutboxRow): DeliveryRow {
  const { id, createdAt, channel, event, topic, alertNo, eventAt, status, attempts, lastAttemptAt, nextAttemptAt, httpStatus, error, sentAt } = r;
  // a missed alert is stored under its number negated (it never counts as announced): shown as its number
  return { id, createdAt, channel, event, topic, kind: r.payload.kind, direction: r.payload.direction, score: r.payload.score, alertNo: Math.abs(alertNo), eventAt, status, attempts, lastAttemptAt, nextAttemptAt, httpStatus, error, sentAt };
}

const t = (x: number | null | undefined) => (x === null || x === undefined ? null : iso(x));

export function deliveryJson(r: DeliveryRow): Record<string, unknown> {
  return {
    id: r.id,
    createdAt: iso(r.createdAt),
    channel: r.channel,
    event: r.event,
    topic: r.topic,
    kind: r.kind,
    direction: r.direction,
    score: r.score,
    alert: r.alertNo,
    eventAt: iso(r.eventAt),
    status: r.status,
    attempts: r.attempts,
    lastAttemptAt: t(r.lastAttemptAt),
    nextAttemptAt: r.status === 'pending' ? t(r.nextAttemptAt) : null,
    httpStatus: r.httpStatus,
    error: r.error,
    sentAt: t(r.sentAt),
  };
}

const DELIVERY_COLUMNS: Column<DeliveryRow>[] = Object.keys(deliveryJson({ createdAt: 0, eventAt: 0 } as DeliveryRow)).map((key) => ({
  key,
  value: (r: DeliveryRow) => deliveryJson(r)[key] as string | number | null,
}));

export function deliveriesListing(rows: DeliveryRow[]): Listing<DeliveryRow> {
  return { rows, json: deliveryJson, columns: DELIVERY_COLUMNS, table: deliveriesTable };
}

function deliveriesTable(rows: DeliveryRow[], ctx: RenderContext): string {
  if (rows.length === 0) return 'No deliveries in the period.\n';
  const { chalk } = ctx;
  const status = (r: DeliveryRow) =>
    r.status === 'sent' ? chalk.green('sent') : r.status === 'failed' ? chalk.red('failed') : r.status === 'silenced' ? chalk.dim('silenced') : chalk.yellow('pending');
  const created = timeColumn('Created', rows.map((r) => r.createdAt), ctx.timeZone);
  const table = drawTable(
    { head: [created.head, 'Channel', 'Event', 'Topic', 'Status', 'Tries', 'Problem'], widths: [created.width, 'fill', 10, 'fill', 10, 7, 'fill'], right: [5], minFill: 10 },
    rows.map((r) => [created.cell(r.createdAt), stripControl(r.channel), r.event.replace(/^moment\./, ''), stripControl(r.topic), status(r), String(r.attempts), stripControl(r.error ?? '')]),
    ctx,
  );
  // in full, under the table (a cell cuts them: "http:/…" at 80 columns), once per channel and problem
  const problems = new Map<string, { channel: string; error: string; n: number }>();
  for (const r of rows) {
    if (!r.error) continue;
    const key = `${r.channel}\n${r.error}`;
    const p = problems.get(key) ?? { channel: stripControl(r.channel), error: cellText(r.error), n: 0 };
    p.n++;
    problems.set(key, p);
  }
  if (problems.size === 0) return table;
  const lines = [...problems.values()].flatMap((p) => wrapShown(`${p.error}${p.n > 1 ? ` (${p.n} deliveries)` : ''}`, tableWidth(ctx), `  ${chalk.bold(p.channel)}: `, '    '));
  return `${table}\nProblems:\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** A silence as `momentscan silence list` shows it: as the outbox keeps it. */
export type SilenceRow = Silence;

export function silenceJson(s: SilenceRow): Record<string, unknown> {
  return { id: s.id, topic: s.topic, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), comment: s.comment, createdAt: iso(s.createdAt) };
}

const SILENCE_COLUMNS: Column<SilenceRow>[] = Object.keys(silenceJson({ startsAt: 0, endsAt: 0, createdAt: 0 } as SilenceRow)).map((key) => ({
  key,
  value: (s: SilenceRow) => silenceJson(s)[key] as string | number | null,
}));

export function silencesListing(rows: SilenceRow[], now: number): Listing<SilenceRow> {
  return {
    rows,
    json: silenceJson,
    columns: SILENCE_COLUMNS,
    table: (list, ctx) => {
      if (list.length === 0) return 'No silences.\n';
      const left = (s: SilenceRow) => (s.endsAt <= now ? 'over' : s.startsAt > now ? 'not yet' : timeLeft(s.endsAt - now));
      const until = timeColumn('Until', list.map((s) => s.endsAt), ctx.timeZone);
      return drawTable(
        { head: ['Id', 'Topic', until.head, 'Left', 'Comment'], widths: [6, 'fill', until.width, 9, 'fill'], right: [0] },
        list.map((s) => [String(s.id), s.topic === '*' ? '* (every topic)' : stripControl(s.topic), until.cell(s.endsAt), left(s), stripControl(s.comment ?? '')]),
        ctx,
      );
    },
  };
}

/** A silence's time left, briefly: "7m", "1h30m", "23h", "1d", "29d12h" (it was "43200m" for 30 days). */
function timeLeft(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  if (m < 60) return `${m}m`;
  if (m < 48 * 60) return `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}`;
  const h = Math.round(m / 60);
  // (from 100 days on, the hours say nothing and cut the cell: '36,499d23h' read '36,499…')
  const d = Math.floor(h / 24);
  return `${d.toLocaleString('en-US')}d${h % 24 && d < 100 ? `${h % 24}h` : ''}`;
}
