import { describe, expect, it } from 'vitest';
import { render } from '../../src/watch/render.js';
import { reduce, type ViewState } from '../../src/watch/state.js';
import { textWidth } from '../../src/render/text.js';
import { AS_OF, column, item, loaded, moment } from './fixtures.js';

const SGR = /\x1b\[[0-9;]*m/g;
const plain = (lines: string[]) => lines.map((l) => l.replace(SGR, ''));

/** What a user can rely on for any state: the screen filled exactly, and nothing but SGR codes. */
function checkScreen(s: ViewState, color: boolean, timeZone?: string): string[] {
  const lines = render(s, { color, ...(timeZone ? { timeZone } : {}) });
  expect(lines).toHaveLength(s.height);
  for (const l of lines) {
    const text = l.replace(SGR, '');
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(textWidth(text)).toBe(s.width);
  }
  return plain(lines);
}

describe('watch render', () => {
  it('a planned moment (it overlaps a planned event) says so on its line', () => {
    const cols = [column('Acme Robotics', [item(1)], [moment('Acme Robotics', { planned: true })])];
    const screen = checkScreen(loaded(80, 8, cols), false);
    expect(screen.find((l) => l.startsWith('★ SPIKE'))).toMatch(/^★ SPIKE 12\.5 peaked planned 19 Nov 12:00→now/);
  });

  it('80 columns: two topics side by side, the moment on top, items with time, tone and source', () => {
    const screen = checkScreen(loaded(80, 12), false);
    expect(screen).toEqual([
      ' momentscan watch  as of 2026-11-20 12:00 UTC (fixed) · ? keys                  ',
      ' Acme Robotics ★ 1 ongoing 3 items     │ Northwind Airlines 2 items             ',
      '───────────────────────────────────────┼────────────────────────────────────────',
      '★ SPIKE 12.5 peaked 19 Nov 12:00→now   │›10:10 ▼−0.70 Daily Ledger              ',
      '  glide, launch                        │› Item number 11                        ',
      '┃11:50 ▲+0.60 Daily Ledger             │ 10:00 ·+0.00 Daily Ledger              ',
      '┃ Item number 1                        │  Item number 12                        ',
      ' 11:40 ▼−0.50 Daily Ledger             │                                        ',
      '  Item number 2                        │                                        ',
      ' 11:30 ·+0.00 Daily Ledger             │                                        ',
      '  Item number 3                        │                                        ',
      'j/k move · h/l column · o open · r real · n noise · m mute · f fetch · q quit   ',
    ]);
  });

  it("a team in Tokyo: the times and the day are on its clock (21:00 on 20 Nov there is 12:00 UTC)", () => {
    const screen = checkScreen(loaded(80, 12), false, 'Asia/Tokyo');
    expect(screen[0]).toBe(' momentscan watch  as of 2026-11-20 21:00 UTC+9 (fixed) · ? keys                ');
    // the moment began 19 Nov 12:00 UTC, 21:00 in Tokyo; the items of 10:10–11:50 UTC are 19:10–20:50 there, the same day as the view
    expect(screen[3]).toBe('★ SPIKE 12.5 peaked 19 Nov 21:00→now   │›19:10 ▼−0.70 Daily Ledger              ');
    expect(screen[5]).toMatch(/^┃20:50 ▲\+0\.60 Daily Ledger/);
  });

  it('a message wider than the screen (the link shown when there is no desktop) takes the lines it needs: none of the link is cut', () => {
    const url = 'https://www.roboticsweekly.example/2026/11/19/acme-responds-to-acme-glide-preorder-glitches-and-double-charges/?utm_source=feed';
    const s = { ...loaded(80, 12), message: `no desktop to open it here; the link: ${url}` };
    const screen = checkScreen(s, false);
    const bottom = screen.slice(-3);
    expect(bottom[0]).toMatch(/^no desktop to open it here; the link: +$/);
    expect(bottom.slice(1).map((l) => l.trimEnd()).join('')).toBe(url);
    // the view keeps its top bar and headers; the body gives up the lines
    expect(screen[0]).toMatch(/^ momentscan watch/);
    expect(screen.join('\n')).not.toContain('…');
  });

  it('no feed read for hours before the view\'s time: the bottom line says so (as moments does), a message still first', () => {
    // (it said nothing: a stopped cron left a week-old view looking like a quiet week)
    const s = reduce(loaded(80, 12), { type: 'data', columns: loaded(80, 12).columns, asOf: AS_OF, stale: AS_OF - 7 * 24 * 3_600_000 }).state;
    const screen = checkScreen(s, false);
    expect(screen.slice(-2).map((l) => l.trimEnd()).join(' ')).toBe(
      'no feed was read after 2026-11-13 12:00 UTC (7d before the --as-of time): what was published since is not shown — run momentscan fetch',
    );
    expect(screen.at(-1)).not.toContain('j/k move');
    expect(checkScreen({ ...s, message: 'Acme Robotics: verdict withdrawn' }, false).at(-1)!.trimEnd()).toBe('Acme Robotics: verdict withdrawn');
    // read again since: the keys are back
    const fresh = reduce(s, { type: 'data', columns: s.columns, asOf: AS_OF, stale: null }).state;
    expect(checkScreen(fresh, false).at(-1)).toMatch(/^j\/k move/);
  });

  it('40 columns: one topic at a time, a tab line says which and how to reach the others', () => {
    let s = loaded(40, 10);
    let screen = checkScreen(s, false);
    expect(screen[1]).toBe('‹ 1/4 Acme Robotics ›  h/l: other topics');
    expect(screen[2]).toMatch(/^ Acme Robotics ★ 1 ongoing 3 items +$/);
    expect(screen.join('\n')).not.toContain('Northwind');
    s = reduce(s, { type: 'key', key: { char: 'l' } }).state;
    screen = checkScreen(s, false);
    expect(screen[1]).toMatch(/^‹ 2\/4 Northwind Airlines ›/);
    expect(screen[4]).toMatch(/^ 10:10 ▼−0.70 Daily Ledger/);
  });

  it('hostile feed text: escapes stripped, wide text cut by display width, columns stay in place', () => {
    const evil = item(1, {
      title: '\x1b[2J\x1b[H\x1b]0;owned\x07日本語のニュース🔥🔥 が\u202eとても長い見出し\r\nsecond line',
      source: '\x1b[31mEvil\x1b[0m 👩‍👩‍👧 Source\tTab',
      sentiment: -0.9,
    });
    const m = moment('悪', { topTerms: ['\x1b[5mblink', '🔥'], key: 'k' });
    const cols = [column('悪いトピック\x1b[?1049l', [evil], [m]), column('B', [item(2, { title: 'x'.repeat(300) })])];
    for (const [w, h] of [[80, 10], [40, 10], [37, 9], [120, 8]] as const) {
      for (const color of [false, true]) {
        const screen = checkScreen(loaded(w, h, cols), color);
        const all = screen.join('\n');
        expect(all).not.toContain('owned');
        expect(all).toContain('日本語');
      }
    }
    const screen = checkScreen(loaded(80, 10, cols), false);
    // an emoji sequence unglued (👩👩👧: drawn alike, two columns a picture, by every terminal)
    expect(screen[5]).toMatch(/^ 11:50 ▼−0.90 Evil 👩👩👧 Source Tab +│/);
    // cut by display width: the next wide character would not fit in the one column left, a space pads
    expect(screen[6]).toMatch(/^  日本語のニュース🔥🔥 がとても長い見… │/);
    expect(screen[4]).toMatch(/^  blink, 🔥 +│/);
  });

  it('colour only when asked; selection in reverse video either way', () => {
    const s = loaded(80, 12);
    const mono = render(s, { color: false }).join('\n');
    const color = render(s, { color: true }).join('\n');
    expect(mono).not.toMatch(/\x1b\[[0-9;]*3[1-7][;m]/);
    expect(color).toMatch(/\x1b\[[0-9;]*31m▼−0.50/);
    expect(mono).toMatch(/\x1b\[7(;[0-9]+)*m★ /);
  });

  it('marks: the verdict, muted topics, new moments', () => {
    let s = loaded(80, 12, [column('A', [item(1)], [moment('A', { fresh: true, firstSeenAt: AS_OF, key: 'a' })]), column('B', [item(2)])]);
    let screen = checkScreen(s, false);
    expect(screen[3]).toMatch(/^✦ SPIKE 12.5 NEW peaked/);
    s = reduce(s, { type: 'key', key: { char: 'n' } }).state;
    s = reduce(s, { type: 'muted', topic: 'B', until: AS_OF + 3_600_000 }).state;
    screen = checkScreen(s, false);
    expect(screen[4]).toMatch(/^   ✗ noise · glide, launch/);
    expect(screen[1]).toMatch(/│ B muted until 13:00 1 items/);
  });

  it('the help lists the keys', () => {
    const s = reduce(loaded(80, 16), { type: 'key', key: { char: '?' } }).state;
    const all = checkScreen(s, false).join('\n');
    for (const k of ['k j', 'h l', 'Enter', 'r  n', 'm ', 'q  Ctrl-C']) expect(all).toContain(k);
  });

  it('tiny terminals still get exactly their size', () => {
    for (const [w, h] of [[1, 1], [10, 3], [20, 4], [79, 5]] as const) checkScreen(loaded(w, h), true);
  });
});
