import { describe, expect, it } from 'vitest';
import { unscored, type SentimentResult } from '../../src/enrich/sentiment.js';
import { plain } from '../../src/render/color.js';
import { SCHEMA_VERSION, writer, type RenderContext } from '../../src/render/index.js';
import { sentimentRecord, sentimentSheet } from '../../src/render/sentiment.js';

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({ chalk: plain, color: false, width: 100, verbose: false, now: 0, ...over });

const scored: SentimentResult = { score: -0.4215, label: 'negative', positive: 0, neutral: 0.58, negative: 0.42, mixed: false, language: 'en' };
const explained: SentimentResult = { ...scored, explain: [{ word: 'awful', valence: -2.25 }, { word: 'share of the learned layer', valence: 0.6, rule: 'blend' }] };

/** What every ndjson row must be: JSON.stringify of the record with schemaVersion first (or cut to --fields). */
const reference = (fields: Record<string, unknown>, text: string, r: SentimentResult, explain: boolean, cut?: string[]) => {
  const full: Record<string, unknown> = { schemaVersion: SCHEMA_VERSION, ...sentimentRecord(fields, text, r, explain) };
  const record = cut ? Object.fromEntries([['schemaVersion', SCHEMA_VERSION], ...cut.filter((f) => f in full).map((f) => [f, full[f]])]) : full;
  return `${JSON.stringify(record)}\n`;
};

describe('momentscan sentiment records as NDJSON (written without JSON.stringify of the record where it can)', () => {
  it.each([
    ['plain text', {}, 'Awful battery 😭', scored, false],
    ['plain text, explained', {}, 'Awful battery', explained, true],
    ['text with quotes, escapes and a lone surrogate', {}, 'he said "no"\\ \u0007 \ud800 \u2028', scored, false],
    ['not scored (another script)', {}, 'Привет', unscored(null), false],
    ['not scored, explained', {}, 'Привет', unscored(null, true), true],
    ['a JSON line with fields of its own', { id: 7, tags: ['a'] }, 'Awful', scored, false],
    ['a JSON line with a field named like ours', { score: 'x' }, 'Awful', scored, true],
  ])('%s: the same bytes as JSON.stringify of the record', (_name, fields, text, r, explain) => {
    const out = writer('ndjson', sentimentSheet(explain), ctx());
    expect(out.row(sentimentRecord(fields, text, r, explain))).toBe(reference(fields, text, r, explain));
  });

  it('every score and share (multiples of 1/10,000, remembered once written) and other numbers: the same bytes as JSON.stringify', () => {
    const out = writer('ndjson', sentimentSheet(false), ctx());
    const numbers: number[] = [];
    for (let k = -10_000; k <= 10_000; k++) numbers.push(Math.round((k / 10_000) * 1e4) / 1e4, Math.round((k / 10_000) * 1e3) / 1e3);
    numbers.push(-0, 0.1 + 0.2, 1e-7, 1 / 3, 12345.6789, -1.00005, 2);
    // twice: the second time from what the first one remembered
    const results = numbers.map((v): SentimentResult => ({ ...scored, score: v, positive: v, neutral: 1 - v, negative: -v }));
    const expected = results.map((r) => reference({}, 'x', r, false)).join('');
    for (const pass of [1, 2]) expect(results.map((r) => out.row(sentimentRecord({}, 'x', r, false))).join(''), `pass ${pass}`).toBe(expected);
  });

  it('with --fields, the record cut to them', () => {
    const out = writer('ndjson', sentimentSheet(false), ctx({ fields: ['label', 'text'] }));
    expect(out.row(sentimentRecord({}, 'Awful', scored, false))).toBe(reference({}, 'Awful', scored, false, ['label', 'text']));
  });
});
