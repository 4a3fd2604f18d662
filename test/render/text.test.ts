import { describe, expect, it } from 'vitest';
import { cellText, clip, fit, textWidth, zonedText } from '../../src/render/text.js';

describe('watch text: hostile feed text made fit for a terminal cell', () => {
  it.each([
    ['plain', 'Acme launches Glide', 'Acme launches Glide'],
    ['a colour code and a cursor move', 'Red\x1b[31m alert\x1b[2J\x1b[H', 'Red alert'],
    ['a window-title OSC', 'x\x1b]0;pwned\x07y', 'xy'],
    ['an OSC 8 hyperlink', '\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\', 'click'],
    ['C1 controls and bidi overrides', 'a\u009b31mb\u202ec\u2066d', 'a31mbcd'],
    ['line breaks, tabs, separators', 'one\ntwo\r\nthree\tfour\u2028five', 'one two three four five'],
    ['null', null, ''],
  ])('%s', (_what, input, expected) => {
    expect(cellText(input)).toBe(expected);
  });

  it.each([
    ['ASCII', 'hello', 5],
    ['CJK, two columns each', '日本語', 6],
    ['Hangul', '한국', 4],
    ['fullwidth letters', 'ＡＢ', 4],
    ['an emoji', '🔥', 2],
    ['a ZWJ family (one grapheme)', '👩‍👩‍👧', 2],
    ['a flag (two regional indicators)', '🇳🇱', 2],
    ['combining accents take no column', 'e\u0301e\u0301', 2],
    ['a zero-width space takes none', 'a\u200bb', 2],
    ['an emoji with VS16', '❤️', 2],
    ['Latin-1 and Latin Extended letters', 'Société Générale Łódź', 21],
    ['Greek and Cyrillic letters', 'Ελλάδα Москва', 13],
    ['Latin letters with a combining mark and a wide character', 'Café\u0301 東京', 9],
    ['Cyrillic with a combining titlo', 'Б\u0483г', 2],
  ])('%s is %i columns', (_what, text, width) => {
    expect(textWidth(text)).toBe(width);
  });

  it.each([
    ['Acme Robotics', 8, 'Acme Ro…'],
    ['日本語のニュース', 7, '日本語…'],
    ['日本語のニュース', 8, '日本語…'],
    ['🔥🔥🔥🔥', 5, '🔥🔥…'],
    ['👩‍👩‍👧👩‍👩‍👧', 3, '👩‍👩‍👧…'],
    ['short', 10, 'short'],
    ['Société Générale', 8, 'Société…'],
    ['Ελλάδα Москва', 9, 'Ελλάδα М…'],
  ])('clip(%s, %i) = %s, never wider', (text, width, expected) => {
    const c = clip(text, width);
    expect(c).toBe(expected);
    expect(textWidth(c)).toBeLessThanOrEqual(width);
  });

  it('fit pads to exactly the width, wide characters counted twice', () => {
    for (const w of [1, 2, 3, 7, 20]) {
      expect(textWidth(fit('日本語🔥 news', w))).toBe(w);
    }
    expect(fit('12', 5, true)).toBe('   12');
  });
});

describe("a message's times on the team's clock", () => {
  it.each([
    ['HTTP 503 — it will be retried by the first fetch after 2026-11-20T13:00:00Z (fetch --force to try sooner)', 'Europe/Amsterdam', 'HTTP 503 — it will be retried by the first fetch after 2026-11-20 14:00 CET (fetch --force to try sooner)'],
    ['not due until 2026-07-01T10:15:00Z', 'America/New_York', 'not due until 2026-07-01 06:15 EDT'],
    ['after 2026-11-20T13:00:00Z', 'UTC', 'after 2026-11-20 13:00 UTC'],
    // a time inside an address or a word is the address's, not a time to show
    ['https://x.example/feed?since=2026-11-20T13:00:00Z failed', 'Europe/Amsterdam', 'https://x.example/feed?since=2026-11-20T13:00:00Z failed'],
  ])('%s in %s', (text, tz, want) => {
    expect(zonedText(text, tz)).toBe(want);
  });
});
