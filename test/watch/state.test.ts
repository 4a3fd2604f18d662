import { describe, expect, it } from 'vitest';
import { cursorOf, layout, reduce, selected, type Action, type Key, type ViewState } from '../../src/watch/state.js';
import { AS_OF, column, item, loaded, moment, sampleColumns } from './fixtures.js';

const key = (k: string): Action => ({ type: 'key', key: (k.length === 1 ? { char: k } : k) as Key });
function press(s: ViewState, ...keys: string[]): ViewState {
  for (const k of keys) s = reduce(s, key(k)).state;
  return s;
}
const name = (s: ViewState) => s.columns[s.focus]!.name;
const sel = (s: ViewState) => {
  const e = selected(s);
  return e ? (e.type === 'moment' ? `moment ${e.topic}` : `item ${e.id}`) : null;
};

describe('watch layout', () => {
  it.each([
    [200, 4, false, 4],
    [120, 4, false, 3],
    [80, 4, false, 2],
    [79, 4, true, 1],
    [40, 4, true, 1],
    [120, 1, false, 1],
  ])('%i columns wide, %i topics: narrow %s, %i shown', (width, topics, narrow, shown) => {
    const l = layout(width, 24, topics);
    expect(l.narrow).toBe(narrow);
    expect(l.shown).toBe(shown);
    // the columns and the rules between them fill the width exactly
    expect(l.widths.reduce((a, b) => a + b, 0) + l.shown - 1).toBe(width);
  });
});

describe('watch reducer: keys', () => {
  it('j/k and the arrows move within a column, and stop at its ends', () => {
    let s = loaded(120, 30);
    expect(sel(s)).toBe('moment Acme Robotics');
    s = press(s, 'j');
    expect(sel(s)).toBe('item 1');
    s = press(s, 'down', 'down', 'down', 'down');
    expect(sel(s)).toBe('item 3');
    s = press(s, 'k', 'up');
    expect(sel(s)).toBe('item 1');
    s = press(s, 'G');
    expect(sel(s)).toBe('item 3');
    s = press(s, 'g');
    expect(sel(s)).toBe('moment Acme Robotics');
  });

  it('h/l and the arrows move between columns and stop at the ends; Tab wraps', () => {
    let s = loaded(120, 30);
    expect(name(s)).toBe('Acme Robotics');
    s = press(s, 'l');
    expect(name(s)).toBe('Northwind Airlines');
    s = press(s, 'right', 'right', 'right');
    expect(name(s)).toBe('Initech');
    s = press(s, 'tab');
    expect(name(s)).toBe('Acme Robotics');
    s = press(s, 'backtab');
    expect(name(s)).toBe('Initech');
    s = press(s, 'h', 'left');
    expect(name(s)).toBe('Northwind Airlines');
  });

  it('each column keeps its own cursor', () => {
    let s = press(loaded(120, 30), 'j', 'j', 'l', 'j');
    expect(sel(s)).toBe('item 12');
    s = press(s, 'h');
    expect(sel(s)).toBe('item 2');
  });

  it('the columns shown follow the focus when they do not all fit', () => {
    let s = loaded(80, 30);
    expect(s.firstColumn).toBe(0);
    s = press(s, 'l', 'l');
    expect(s.firstColumn).toBe(1);
    s = press(s, 'l');
    expect(s.firstColumn).toBe(2);
    s = press(s, 'h', 'h', 'h');
    expect(s.firstColumn).toBe(0);
  });

  it('scrolls to keep the cursor on screen (2 lines an entry)', () => {
    const many = column('Busy', Array.from({ length: 40 }, (_, i) => item(i + 1)));
    // 24 lines: top bar, header, rule, bottom line → 20 lines, 10 entries
    let s = loaded(120, 24, [many]);
    expect(layout(120, 24, 1).rows).toBe(10);
    s = press(s, ...Array(12).fill('j'));
    expect(cursorOf(s, 'Busy')).toEqual({ index: 12, top: 3 });
    s = press(s, 'pagedown');
    expect(cursorOf(s, 'Busy')).toEqual({ index: 22, top: 13 });
    s = press(s, 'G');
    expect(cursorOf(s, 'Busy')).toEqual({ index: 39, top: 30 });
    s = reduce(s, { type: 'resize', width: 120, height: 44 }).state;
    expect(cursorOf(s, 'Busy').index).toBe(39);
    expect(cursorOf(s, 'Busy').top).toBe(20);
  });

  it('q and Ctrl-C quit; any key closes the help', () => {
    const s = loaded(120, 30);
    expect(reduce(s, key('q')).effects).toEqual([{ type: 'quit' }]);
    expect(reduce(s, key('ctrl-c')).effects).toEqual([{ type: 'quit' }]);
    const help = press(s, '?');
    expect(help.help).toBe(true);
    expect(press(help, 'j').help).toBe(false);
    expect(sel(press(help, 'j'))).toBe('moment Acme Robotics');
  });

  it('o opens the selected link; an item without one says so', () => {
    const s = press(loaded(120, 30), 'j');
    expect(reduce(s, key('o')).effects).toEqual([{ type: 'open', url: 'https://example.com/1' }]);
    expect(reduce(s, key('enter')).effects).toEqual([{ type: 'open', url: 'https://example.com/1' }]);
    const none = loaded(120, 30, [column('A', [item(1, { link: null })])]);
    const r = reduce(none, key('o'));
    expect(r.effects).toEqual([]);
    expect(r.state.message).toBe('this item has no link');
  });

  it('r/n mark the selected moment, or the moment an item falls in; again withdraws', () => {
    let s = loaded(120, 30);
    let r = reduce(s, key('n'));
    expect(r.effects).toMatchObject([{ type: 'verdict', verdict: 'noise', moment: { topic: 'Acme Robotics' } }]);
    expect(r.state.columns[0]!.moments[0]!.verdict).toBe('noise');
    // item 1 falls in that moment: r there marks the moment real
    s = press(r.state, 'j');
    r = reduce(s, key('r'));
    expect(r.effects).toMatchObject([{ type: 'verdict', verdict: 'real' }]);
    r = reduce(r.state, key('r'));
    expect(r.effects).toMatchObject([{ type: 'verdict', verdict: null }]);
    expect(r.state.columns[0]!.moments[0]!.verdict).toBeNull();
    // item 2 is in no moment
    r = reduce(press(s, 'j'), key('n'));
    expect(r.effects).toEqual([]);
    expect(r.state.message).toMatch(/^not part of a moment/);
  });

  it('m mutes the focused topic, or unmutes it when muted', () => {
    let s = press(loaded(120, 30), 'l');
    expect(reduce(s, key('m')).effects).toEqual([{ type: 'mute', topic: 'Northwind Airlines', mute: true }]);
    s = reduce(s, { type: 'muted', topic: 'Northwind Airlines', until: AS_OF + 86_400_000 }).state;
    expect(reduce(s, key('m')).effects).toEqual([{ type: 'mute', topic: 'Northwind Airlines', mute: false }]);
  });
});

describe('watch reducer: new data', () => {
  it('keeps the focus and the selected item when new items arrive above it', () => {
    let s = press(loaded(120, 30), 'l', 'j');
    expect(sel(s)).toBe('item 12');
    const next = sampleColumns();
    next[1] = column('Northwind Airlines', [item(10), item(9), ...next[1]!.items]);
    s = reduce(s, { type: 'data', columns: next, asOf: AS_OF }).state;
    expect(name(s)).toBe('Northwind Airlines');
    expect(sel(s)).toBe('item 12');
  });

  it('a moment that appears while watching is new until the cursor has been on it', () => {
    let s = press(loaded(120, 30), 'l');
    const fired = moment('Northwind Airlines', { kind: 'sentiment-shift', direction: 'negative', key: 'N|shift' });
    const next = sampleColumns();
    next[1] = column('Northwind Airlines', next[1]!.items, [fired]);
    s = reduce(s, { type: 'data', columns: next, asOf: AS_OF }).state;
    expect(s.columns[1]!.moments[0]!.fresh).toBe(true);
    // still new after another reload
    s = reduce(s, { type: 'data', columns: next, asOf: AS_OF }).state;
    expect(s.columns[1]!.moments[0]!.fresh).toBe(true);
    // the cursor stayed on item 11, now below the moment: go up to it, then away
    s = press(s, 'k');
    expect(s.columns[1]!.moments[0]!.fresh).toBe(true);
    s = press(s, 'j');
    expect(s.columns[1]!.moments[0]!.fresh).toBe(false);
  });

  it('on the first load, moments this evaluation saw first are new', () => {
    const cols = [column('A', [], [moment('A', { firstSeenAt: AS_OF, key: 'a' }), moment('A', { firstSeenAt: AS_OF - 1, key: 'b' })])];
    const s = loaded(120, 30, cols);
    expect(s.columns[0]!.moments.map((m) => m.fresh)).toEqual([true, false]);
  });
});
