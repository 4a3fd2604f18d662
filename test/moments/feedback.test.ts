import { describe, expect, it } from 'vitest';
import { notesFor, overlapping } from '../../src/moments/notes.js';
import { quality } from '../../src/moments/quality.js';
import { replayLabels } from '../../src/moments/replay.js';
import { learnThreshold } from '../../src/moments/thresholds.js';
import { routeTakes } from '../../src/notify/route.js';
import type { RouteConfig } from '../../src/config/notify.js';
import type { Label, PlannedEvent } from '../../src/store/model.js';

const H = 3_600_000;
const T = Date.UTC(2026, 10, 18, 12);
const event = (over: Partial<PlannedEvent>): PlannedEvent => ({
  id: 1, topic: 'Acme', uid: null, start: T, end: T + 2 * H, leadMs: 0, lagMs: 0, note: 'launch', categories: [], source: 'cli', createdAt: 0, ...over,
});
const label = (over: Partial<Label>): Label => ({
  momentId: 1, topic: 'Acme', kind: 'volume-spike', direction: 'up', start: T, end: T + 6 * H, verdict: 'real', note: null, at: T + 24 * H, source: 'cli', ...over,
});

describe('a moment overlapping a planned event is planned', () => {
  it.each([
    ['inside it', T + H, T + 3 * H, {}, true],
    ['before it, touching its start', T - 6 * H, T, {}, false],
    ['before it, within its lead', T - 6 * H, T - H, { leadMs: 2 * H }, true],
    ['after it, beyond its lag', T + 5 * H, T + 8 * H, { lagMs: 2 * H }, false],
    ['after it, within its lag', T + 3 * H, T + 8 * H, { lagMs: 2 * H }, true],
    ['another topic\'s event', T, T + H, { topic: 'Globex' }, false],
    ['an event of every topic (*)', T, T + H, { topic: '*' }, true],
    ['an instant event inside the moment', T - H, T + H, { end: T }, true],
  ])('%s', (_what, start, end, over, want) => {
    expect(overlapping({ topic: 'Acme', start, end }, [event(over)]).length > 0).toBe(want);
  });

  it('a moment labelled planned is planned without an event; its label is carried', () => {
    const n = notesFor({ topic: 'Acme', start: T, end: T + H }, 9, [], new Map([[9, label({ momentId: 9, verdict: 'planned', note: 'we knew' })]]));
    expect(n).toEqual({ id: 9, planned: true, events: [], label: { verdict: 'planned', note: 'we knew', at: T + 24 * H } });
    expect(notesFor({ topic: 'Acme', start: T, end: T + H }, null, [], new Map()).planned).toBe(false);
  });
});

describe('a backtest replays the labels', () => {
  it('counts the labelled real moments it caught and the noise ones it raised, per topic, with ids', () => {
    const labels = [
      label({ momentId: 1, start: T, end: T + 6 * H, verdict: 'real' }),
      label({ momentId: 2, start: T + 48 * H, end: T + 50 * H, verdict: 'real' }),
      label({ momentId: 3, start: T + 96 * H, end: T + 98 * H, verdict: 'noise' }),
      label({ momentId: 4, start: T + 120 * H, end: T + 121 * H, verdict: 'noise' }),
      label({ momentId: 5, start: T - 30 * 24 * H, end: T - 29 * 24 * H, verdict: 'real' }), // before the period
    ];
    const rows = [
      { topic: 'Acme', kind: 'volume-spike', direction: 'up', start: T + 2 * H, end: T + 8 * H }, // moment 1, started later in the replay
      { topic: 'Acme', kind: 'volume-spike', direction: 'up', start: T + 96 * H, end: T + 97 * H }, // noise moment 3
      { topic: 'Acme', kind: 'sentiment-shift', direction: 'negative', start: T + 48 * H, end: T + 50 * H }, // another kind than moment 2
    ];
    expect(replayLabels(rows, labels, ['Acme', 'Globex'], T - 24 * H, T + 200 * H)).toEqual([
      { topic: 'Acme', real: 2, caught: 1, noise: 2, raised: 1, missedIds: [2], raisedIds: [3] },
      { topic: 'Globex', real: 0, caught: 0, noise: 0, raised: 0, missedIds: [], raisedIds: [] },
    ]);
  });
});

describe('quality', () => {
  it('precision is (real + planned) / labelled; alerts per week count growth alerts too, not only the moments', () => {
    const labels = [label({ momentId: 1 }), label({ momentId: 2, verdict: 'noise' }), label({ momentId: 3, verdict: 'planned' }), label({ momentId: 4, verdict: 'noise' })];
    const th = new Map([['Acme', learnThreshold('medium', labels, T + 30 * 24 * H)], ['Globex', learnThreshold('medium', [], T)]]);
    const [acme, globex] = quality(['Acme', 'Globex'], labels, new Map([['Acme', { moments: 6, alerts: 9 }]]), th, T - 14 * 24 * H, T + 14 * 24 * H);
    expect(acme).toMatchObject({ labelled: 4, real: 1, noise: 2, planned: 1, precision: 0.5, moments: 6, alerts: 9, alertsPerWeek: 2.25, unlabelled: 2 });
    expect(acme!.threshold.level).toBe(3.5);
    expect(globex).toMatchObject({ labelled: 0, precision: null, moments: 0, alerts: 0, alertsPerWeek: 0 });
  });
});

describe('a route with skipPlanned', () => {
  const route = (skipPlanned: boolean): RouteConfig => ({
    field: 'notify.routes[0]', channels: ['ops'], topics: null, tags: null, kinds: ['volume-spike', 'sentiment-shift'], events: ['detected'],
    minScore: 0, minAttention: 0, skipPlanned, groupWaitMs: 0, intervalMs: 0, quietHours: null,
  });
  const alert = (planned: boolean) => ({ topic: 'Acme', tags: [], kind: 'volume-spike', score: 9, attention: 9, planned });
  it('does not take planned moments; other routes still do', () => {
    expect(routeTakes(route(true), alert(true), 'detected')).toBe(false);
    expect(routeTakes(route(true), alert(false), 'detected')).toBe(true);
    expect(routeTakes(route(false), alert(true), 'detected')).toBe(true);
  });
});
