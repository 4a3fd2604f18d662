import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BITS, decodeModel, encodeModel, type Model } from '../../src/enrich/sentiment/model.js';

const shipped = readFileSync(new URL('../../src/enrich/sentiment/model.bin', import.meta.url));

describe('model.bin (the learned layer of the sentiment engine)', () => {
  it('ships a share for each language it was trained on, and none for Dutch (scored by the rules alone)', () => {
    const m = decodeModel(shipped, 'model.bin');
    // English posts (@mention, #hashtag, emoji) have a share and model of their own: "en#"
    expect([...m.blend.keys()].sort()).toEqual(['de', 'en', 'en#', 'es', 'fr']);
    for (const share of m.blend.values()) {
      expect(share).toBeGreaterThan(0);
      expect(share).toBeLessThanOrEqual(1);
    }
    expect(m.cut1).toBeLessThan(m.cut2);
    // each language scored by the model that cross-validated better on it
    expect([...m.kinds.keys()].sort()).toEqual(['de', 'en', 'en#', 'es', 'fr']);
    for (const kind of m.kinds.values()) expect(['ordinal', 'multinomial']).toContain(kind);
  });

  it('reads back what it wrote: cut points, spread, shares, models and weights (to the quantum)', () => {
    const weights = new Float32Array(3 << BITS);
    weights[7] = 1.5;
    weights[1000] = -0.25;
    weights[(3 << BITS) - 1] = 0.001;
    const m: Model = {
      weights,
      cut1: -0.5,
      cut2: 0.75,
      spread: 1.25,
      blend: new Map([['en', 0.75], ['en#', 1], ['fr', 1], ['xx-bad', 0.5]]),
      kinds: new Map([['en', 'ordinal'], ['en#', 'multinomial'], ['fr', 'multinomial']]),
    };
    const back = decodeModel(encodeModel(m), 'test');
    expect([back.cut1, back.cut2, back.spread]).toEqual([-0.5, 0.75, 1.25]);
    expect([...back.blend]).toEqual([['en', 0.75], ['en#', 1], ['fr', 1]]); // only two-letter codes (and "#" for posts) are written
    expect([...back.kinds]).toEqual([['en', 'ordinal'], ['en#', 'multinomial'], ['fr', 'multinomial']]);
    const quantum = 1.5 / 32767;
    expect(Math.abs(back.weights[7]! - 1.5)).toBeLessThanOrEqual(quantum);
    expect(Math.abs(back.weights[1000]! + 0.25)).toBeLessThanOrEqual(quantum);
    expect(back.weights[5]).toBe(0);
  });

  it.each([
    ['truncated', shipped.subarray(0, shipped.length - 2)],
    ['too short for a header', shipped.subarray(0, 10)],
    ['another format', Buffer.concat([Buffer.from('SNT2'), shipped.subarray(4)])],
    ['an unknown model for a language', Buffer.concat([shipped.subarray(0, 30), Buffer.from([7]), shipped.subarray(31)])],
    ['an unknown kind of text for a language', Buffer.concat([shipped.subarray(0, 31), Buffer.from([7]), shipped.subarray(32)])],
  ])('a damaged file (%s) is an error naming it, not a model', (_, bytes) => {
    expect(() => decodeModel(bytes, 'src/enrich/sentiment/model.bin')).toThrow(/^src\/enrich\/sentiment\/model\.bin: not an SNT3 file.*reinstall momentscan$/);
  });
});
