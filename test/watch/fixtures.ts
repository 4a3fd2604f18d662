import { initialState, reduce, type Column, type ViewState, type WatchItem, type WatchMoment } from '../../src/watch/state.js';

/** Columns and states for the watch view's unit tests (sample-like data at 2026-11-20 12:00 UTC). */
export const AS_OF = Date.parse('2026-11-20T12:00:00Z');
const H = 3_600_000;

export function moment(topic: string, o: Partial<WatchMoment> = {}): WatchMoment {
  const start = o.start ?? AS_OF - 24 * H;
  return {
    type: 'moment',
    key: `${topic}|volume-spike|up|${start}`,
    id: 1,
    topic,
    kind: 'volume-spike',
    direction: 'up',
    score: 12.5,
    start,
    end: AS_OF,
    ongoing: true,
    stage: 'peaked',
    firstSeenAt: AS_OF - H,
    topTerms: ['glide', 'launch'],
    link: 'https://example.com/m',
    verdict: null,
    fresh: false,
    ...o,
  };
}

export function item(id: number, o: Partial<WatchItem> = {}): WatchItem {
  return {
    type: 'item',
    id,
    title: `Item number ${id}`,
    link: `https://example.com/${id}`,
    source: 'Daily Ledger',
    publishedAt: AS_OF - id * 600_000,
    sentiment: 0,
    momentKey: null,
    ...o,
  };
}

export function column(name: string, items: WatchItem[], moments: WatchMoment[] = []): Column {
  return { name, mutedUntil: null, mutedByAll: false, moments, items };
}

export function sampleColumns(): Column[] {
  const m = moment('Acme Robotics');
  return [
    column('Acme Robotics', [item(1, { momentKey: m.key, sentiment: 0.6 }), item(2, { sentiment: -0.5 }), item(3)], [m]),
    column('Northwind Airlines', [item(11, { sentiment: -0.7 }), item(12)]),
    column('Globex', [item(21), item(22), item(23), item(24)]),
    column('Initech', []),
  ];
}

/** A loaded state of the given size. */
export function loaded(width: number, height: number, columns: Column[] = sampleColumns()): ViewState {
  const s = initialState({ width, height, asOf: AS_OF, fixed: true, since: AS_OF - 7 * 24 * H });
  return reduce(s, { type: 'data', columns, asOf: AS_OF }).state;
}
