import { describe, expect, it } from 'vitest';
import { scoreSentiment } from '../../src/enrich/sentiment.js';

describe('scoreSentiment', () => {
  it.each([
    ['Northwind praised for record on-time performance', 'positive'],
    ['Customers love the new Acme Glide, reviews are great', 'positive'],
    ['Thousands stranded as Northwind outage causes chaos and cancelled flights', 'negative'],
    ['Furious passengers slam Northwind after terrible delays', 'negative'],
    ['Globex to open regional office in Denver', 'neutral'],
    ['Initech publishes quarterly filing', 'neutral'],
  ])('%s → %s', (text, label) => {
    const s = scoreSentiment(text)!;
    if (label === 'positive') expect(s).toBeGreaterThan(0.3);
    if (label === 'negative') expect(s).toBeLessThan(-0.3);
    if (label === 'neutral') expect(Math.abs(s)).toBeLessThan(0.05);
  });

  it('negation turns the tone around', () => {
    expect(scoreSentiment('The update is good')!).toBeGreaterThan(0);
    expect(scoreSentiment('The update is not good')!).toBeLessThan(0);
    expect(scoreSentiment("The update isn't good")!).toBeLessThan(0);
  });

  it('boosters strengthen and "but" shifts weight to the second clause', () => {
    expect(scoreSentiment('a very bad day')!).toBeLessThan(scoreSentiment('a bad day')!);
    expect(scoreSentiment('The food was good but the service was terrible')!).toBeLessThan(0);
  });

  it('stays within [-1, 1] however much is piled on', () => {
    const s = scoreSentiment('awful terrible horrible disaster catastrophe '.repeat(200) + '!!!!!!')!;
    expect(s).toBeGreaterThanOrEqual(-1);
    expect(s).toBeLessThan(-0.99);
  });

  it.each([[''], ['   '], ['!!! ???'], ['\u0000\u0007']])('text without words (%j) has no score', (text) => {
    expect(scoreSentiment(text)).toBeNull();
  });

  it.each([['constructor'], ['__proto__'], ['toString hasOwnProperty'], ['😀🔥'], ['ǅ ﷽ \u202e']])('odd input %j gives a number, never NaN', (text) => {
    const s = scoreSentiment(text);
    expect(s === null || Number.isFinite(s)).toBe(true);
  });
});
