import type { OutboxRow, Silence } from '../notify/outbox.js';
import { iso, fmtUtcShort, roughDuration } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable } from './table.js';
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
  return { id, createdAt, channel, event, topic, kind: r.payload.kind, direction: r.payload.direction, score: r.payload.score, alertNo, eventAt, status, attempts, lastAttemptAt, nextAttemptAt, httpStatus, error, sentAt };
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

const short = fmtUtcShort;

function deliveriesTable(rows: DeliveryRow[], ctx: RenderContext): string {
  if (rows.length === 0) return 'No deliveries in the period.\n';
  const { chalk } = ctx;
  const status = (r: DeliveryRow) =>
    r.status === 'sent' ? chalk.green('sent') : r.status === 'failed' ? chalk.red('failed') : r.status === 'silenced' ? chalk.dim('silenced') : chalk.yellow('pending');
  return drawTable(
    { head: ['Created (UTC)', 'Channel', 'Event', 'Topic', 'Status', 'Tries', 'Problem'], widths: [18, 'fill', 10, 'fill', 10, 7, 'fill'], right: [5], minFill: 10 },
    rows.map((r) => [short(r.createdAt), stripControl(r.channel), r.event.replace(/^moment\./, ''), stripControl(r.topic), status(r), String(r.attempts), stripControl(r.error ?? '')]),
    ctx,
  );
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
      const left = (s: SilenceRow) => (s.endsAt <= now ? 'over' : s.startsAt > now ? 'not yet' : roughDuration(s.endsAt - now));
      return drawTable(
        { head: ['Id', 'Topic', 'Until (UTC)', 'Left', 'Comment'], widths: [6, 'fill', 18, 9, 'fill'], right: [0] },
        list.map((s) => [String(s.id), s.topic === '*' ? '* (every topic)' : stripControl(s.topic), short(s.endsAt), left(s), stripControl(s.comment ?? '')]),
        ctx,
      );
    },
  };
}
