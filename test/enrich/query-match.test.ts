import { describe, expect, it } from 'vitest';
import { formatQuery, keywordsToQuery, parseQuery, type QueryNode } from '../../src/config/query.js';
import { countLetters, foldText } from '../../src/core/text.js';
import { compileQuery, compileQuerySet, prepareText, type StemLanguage } from '../../src/enrich/query-match.js';

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The reference semantics, one regular expression per term as in match.ts (no stemming). */
function reference(node: QueryNode, folded: string): boolean {
  switch (node.type) {
    case 'term': {
      const words = foldText(node.text).match(/[\p{L}\p{N}]+/gu) ?? [];
      if (words.length === 0) return false;
      const end = node.prefix ? '' : '(?![\\p{L}\\p{N}])';
      return new RegExp(`(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join('[^\\p{L}\\p{N}]+')}${end}`, 'u').test(folded);
    }
    case 'not':
      return !reference(node.child, folded);
    case 'and':
      return node.children.every((c) => reference(c, folded));
    case 'or':
      return node.children.some((c) => reference(c, folded));
  }
}

const matches = (query: string, text: string, stemLanguage: StemLanguage | null = null): boolean =>
  compileQuery(parseQuery(query), { stemLanguage }).test(foldText(text));

const explain = (query: string, text: string, stemLanguage: StemLanguage | null = null): string[] =>
  compileQuery(parseQuery(query), { stemLanguage }).explain(foldText(text));

describe('query matching', () => {
  it.each([
    // case and accents
    ['acme', 'Acme unveils the Glide', true],
    ['ACME', 'acme shares jump', true],
    ['cafe', 'Café in Zürich reopens', true],
    ['Café', 'CAFE OPENS', true],
    ['zürich', 'Zurich flights resume', true],
    ['"crème brûlée"', 'Creme-Brulee recall', true],
    // whole words
    ['acme', 'Acmeville mayor resigns', false],
    ['acme', 'Mayor of Acmeville and Acme', true],
    ['acme', 'the acme-robotics deal', true],
    ['acme', "Acme's new kettle", true],
    ['recall', 'Acme recalls kettles', false],
    ['2024', 'Results for 2024 are in', true],
    ['2024', 'Item 20245 sold', false],
    ['c++', 'Why C++ still matters', true],
    ['or', 'this or that', true],
    // phrases: words in a row, any non-letters between them
    ['"acme robotics"', 'Acme  Robotics recalls kettles', true],
    ['"acme robotics"', 'Acme-Robotics recalls kettles', true],
    ['"acme robotics"', 'Acme, Robotics! and more', true],
    ['"acme robotics"', 'Acme\nRobotics', true],
    ['"acme robotics"', 'Robotics firm Acme recalls kettles', false],
    ['"acme robotics"', 'Acme Roboticsville', false],
    ['acme-robotics', 'ACME ROBOTICS', true],
    // implicit AND: any order
    ['acme robotics', 'Robotics firm Acme recalls kettles', true],
    ['acme robotics', 'Acme recalls kettles', false],
    // prefix
    ['robot*', 'Robots are coming', true],
    ['robot*', 'Acme Robotics', true],
    ['robot*', 'a robot', true],
    ['robot*', 'the cobot', false],
    ['robot*', 'robo', false],
    ['ro*', 'Roman roads', true],
    ['acme-robot*', 'Acme Robotics', true],
    ['acme-robot*', 'Robotics at Acme', false],
    ['"new acme" robot*', 'New Acme robots', true],
    // NOT vetoes
    ['acme -markets', 'Acme Markets opens a store', false],
    ['acme -markets', 'Acme Robotics opens a store', true],
    ['acme NOT "acme markets"', 'Acme markets and robots', false],
    ['acme NOT "acme markets"', 'Markets love Acme', true],
    ['acme -(markets OR stores)', 'Acme stores', false],
    ['acme -(markets stores)', 'Acme stores', true],
    ['acme -(markets stores)', 'Acme stores and markets', false],
    ['acme -robot*', 'Acme robotics', false],
    // OR and parentheses
    ['acme OR globex', 'Globex buys a stake', true],
    ['acme | globex', 'Initech buys a stake', false],
    ['acme (recall OR lawsuit)', 'Acme faces lawsuit', true],
    ['acme (recall OR lawsuit)', 'Acme faces critics', false],
    ['acme (recall OR lawsuit)', 'Lawsuit over recall', false],
    ['acme recall OR globex lawsuit', 'Globex lawsuit', true],
    ['acme recall OR globex lawsuit', 'Acme lawsuit', false],
    ['acme (robots OR -markets)', 'Acme news', true],
    ['acme (robots OR -markets)', 'Acme markets', false],
    ['acme (robots OR -markets)', 'Acme markets robots', true],
  ])('%j in %j → %s', (query, text, want) => {
    expect(matches(query, text)).toBe(want);
  });

  it.each([
    ['en', 'recall', 'Acme recalls kettles', true],
    ['en', 'recall', 'Kettles recalled', true],
    ['en', 'recall', 'Recalling the kettles', true],
    ['en', 'recalls', 'Acme issues recall', true],
    ['en', 'recall', 'Acme recaps', false],
    ['en', 'acme', 'Acmeville', false],
    ['en', '"kettle recall"', 'Kettles, recalled', true],
    ['en', '"kettle recall"', 'Recalled kettles', false],
    ['en', 'acme -recall', 'Acme recalled kettles', false],
    ['en', 'robot*', 'Robotics', true],
    ['en', 'acme-robot*', 'Acme robotics', true],
    ['nl', 'vlucht', 'Honderden vluchten geschrapt', true],
    ['nl', 'staking', 'Stakingen bij Schiphol', true],
    ['de', 'Streik', 'Streiks bei der Bahn', true],
    ['de', 'Streiks', 'Der Streik geht weiter', true],
    ['de', 'Flughafen', 'Chaos am Flughafens', true],
    ['fr', 'grève', 'Les grèves continuent', true],
    ['fr', 'greves', 'Une grève à Paris', true],
    ['es', 'huelga', 'Nuevas huelgas en Madrid', true],
    ['es', '"huelga general"', 'Huelgas generales convocadas', true],
  ] as const)('stemming %s: %j in %j → %s', (language, query, text, want) => {
    expect(matches(query, text, language)).toBe(want);
  });

  it.each([
    ['en', 'recall', 'Acme recalls kettles'],
    ['nl', 'vlucht', 'vluchten'],
    ['de', 'Streik', 'Streiks'],
    ['fr', 'grève', 'grèves'],
    ['es', 'huelga', 'huelgas'],
  ] as const)('without stemming, %s %j does not match %j', (_language, query, text) => {
    expect(matches(query, text)).toBe(false);
  });

  it('one prepared view serves every query; a string is prepared once and reused', () => {
    const folded = foldText('Acme Robotics recalls kettles; Globex shares fall');
    const view = prepareText(folded);
    expect(view.folded).toBe(folded);
    expect(view.words).toEqual(['acme', 'robotics', 'recalls', 'kettles', 'globex', 'shares', 'fall']);
    const queries = ['acme', 'globex -shares', '"acme robotics" recall', 'initech OR kettle*'].map((q) => ({
      plain: compileQuery(parseQuery(q)),
      stemmed: compileQuery(parseQuery(q), { stemLanguage: 'en' }),
    }));
    expect(queries.map((q) => q.plain.test(view))).toEqual([true, false, false, true]);
    expect(queries.map((q) => q.plain.test(folded))).toEqual([true, false, false, true]);
    expect(queries.map((q) => q.stemmed.test(view))).toEqual([true, false, true, true]);
    expect(queries.map((q) => q.stemmed.test(folded))).toEqual([true, false, true, true]);
    // a hand-made view works too
    expect(queries[0]!.plain.test({ folded, words: [] })).toBe(true);
  });

  it('long texts (many words) match the same way', () => {
    const filler = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const text = foldText(`${filler} Acme Robotics recalls ${filler}`);
    expect(compileQuery(parseQuery('"acme robotics"')).test(text)).toBe(true);
    expect(compileQuery(parseQuery('acme -word299')).test(text)).toBe(false);
    expect(compileQuery(parseQuery('word1 -word300')).test(text)).toBe(true);
    expect(compileQuery(parseQuery('recall'), { stemLanguage: 'en' }).test(text)).toBe(true);
  });

  it('keyword lists match like the keyword matcher', () => {
    const q = compileQuery(keywordsToQuery(['acme', 'acme robotics'], ['acme markets']));
    expect(q.test(foldText('Acme-Robotics recalls kettles'))).toBe(true);
    expect(q.test(foldText('Acme Markets opens a store'))).toBe(false);
    expect(q.test(foldText('Acmeville mayor resigns'))).toBe(false);
  });
});

describe('query sets and the reference semantics', () => {
  const vocabulary = ['acme', 'robot', 'robots', 'robotics', 'recall', 'recalls', 'kettle', 'cafe', 'zürich', 'or', '2024', 'rob', 'streik', 'grève'];
  const rnd = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const termText = (): string => {
    const r = rnd();
    if (r < 0.15) return `"${pick(vocabulary)} ${pick(vocabulary)}"`;
    if (r < 0.25) return `${pick(vocabulary).slice(0, 2 + Math.floor(rnd() * 4))}*`;
    if (r < 0.3) return `${pick(vocabulary)}-${pick(vocabulary)}`;
    return pick(vocabulary);
  };
  const queryText = (depth: number): string => {
    const parts = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const r = rnd();
      if (depth > 0 && r < 0.25) return `(${queryText(depth - 1)})`;
      return termText();
    });
    if (rnd() < 0.4) parts.push(`-${depth > 0 && rnd() < 0.3 ? `(${queryText(depth - 1)})` : termText()}`);
    return parts.join(rnd() < 0.3 ? ' AND ' : ' ') + (rnd() < 0.4 ? ` OR ${termText()}` : '');
  };
  const separators = [' ', ' ', ' ', ', ', '-', '. ', ' (', ') ', "'"];
  const texts = Array.from({ length: 300 }, () =>
    foldText(Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => (rnd() < 0.1 ? pick(['Acme', 'ROBOTS', 'Café', 'Zurich', 'Grèves']) : pick(vocabulary))).map((w) => w + pick(separators)).join('')),
  );
  const queries: QueryNode[] = [];
  while (queries.length < 200) {
    try {
      queries.push(parseQuery(queryText(2)));
    } catch {
      // an alternative that only excludes: skip it
    }
  }

  it('per-query tests agree with one regular expression per term, over random queries and texts', () => {
    const compiled = queries.map((q) => compileQuery(q));
    let matched = 0;
    for (const text of texts) {
      const view = prepareText(text);
      queries.forEach((q, i) => {
        const want = reference(q, text);
        if (want) matched++;
        if (compiled[i]!.test(view) !== want || compiled[i]!.test(text) !== want) {
          throw new Error(`${formatQuery(q)} on ${JSON.stringify(text)}: expected ${want}`);
        }
      });
    }
    expect(matched).toBeGreaterThan(1000); // the sample is not trivially all-false
  });

  it.each([null, 'en', 'de', 'fr'] as const)('a query set gives the same answers as each query (stemming %s)', (stemLanguage) => {
    const compiled = queries.map((q) => compileQuery(q, { stemLanguage }));
    const set = compileQuerySet(compiled);
    for (const text of texts) {
      const want = compiled.flatMap((q, i) => (q.test(text) ? [i] : []));
      expect(set.match(text)).toEqual(want);
      expect(set.match(prepareText(text))).toEqual(want);
    }
  });

  it('a query set may mix stem languages', () => {
    const set = compileQuerySet([
      compileQuery(parseQuery('grève'), { stemLanguage: 'fr' }),
      compileQuery(parseQuery('Streik')),
      compileQuery(parseQuery('Streik'), { stemLanguage: 'de' }),
      compileQuery(parseQuery('ro*')), // too short a prefix for the index: always tested
      compileQuery(parseQuery('recall OR robot*'), { stemLanguage: 'en' }),
    ]);
    expect(set.match(foldText('Les grèves et les Streiks'))).toEqual([0, 2]);
    expect(set.match(foldText('Roman robots recalled'))).toEqual([3, 4]);
    expect(set.match('')).toEqual([]);
  });

  it('only takes compiled queries', () => {
    expect(() => compileQuerySet([{ test: () => true, explain: () => [] }])).toThrow(TypeError);
  });
});

describe('explain', () => {
  it.each([
    ['acme OR globex', 'Acme and Globex', null, ['acme', 'globex']],
    ['globex OR acme', 'Acme and Globex', null, ['globex', 'acme']],
    ['"Acme Robotics" robot*', 'Acme Robotics robots', null, ['Acme Robotics', 'robot*']],
    ['acme acme OR ACME', 'acme', null, ['acme', 'ACME']],
    ['acme -markets', 'Acme markets', null, []],
    ['acme -markets', 'Acme robots', null, ['acme']],
    ['acme globex', 'Acme alone', null, []],
    ['(acme OR globex) -initech', 'Acme, Globex and Initech', null, []],
    ['acme b -c OR globex', 'acme b c globex', null, ['globex']],
    ['acme (recall OR lawsuit)', 'Acme lawsuit over recall', null, ['acme', 'recall', 'lawsuit']],
    ['recall', 'Kettles recalled', 'en', ['recall']],
    ['grève', 'Les grèves', 'fr', ['grève']],
  ] as const)('%j in %j (stems: %s) → %j', (query, text, language, want) => {
    expect(explain(query, text, language)).toEqual(want);
  });

  it('lists keywords as written', () => {
    const q = compileQuery(keywordsToQuery(['Acme', 'Acme Robotics']));
    expect(q.explain(prepareText(foldText('ACME ROBOTICS recalls')))).toEqual(['Acme', 'Acme Robotics']);
  });
});

describe('speed (printed, not asserted)', () => {
  it('20 topics × 5 keywords over 20,000 titles', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const syllables = ['ka', 'ro', 'mi', 'tel', 'san', 'do', 've', 'lu', 'pra', 'gon', 'ix', 'ter', 'bo', 'na', 'shi'];
    const word = (): string => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => syllables[Math.floor(rnd() * syllables.length)]).join('');
    const vocabulary = Array.from({ length: 5000 }, word);
    const pick = (): string => vocabulary[Math.floor(rnd() * vocabulary.length)]!;
    const titles = Array.from({ length: 20_000 }, () => foldText(Array.from({ length: 6 + Math.floor(rnd() * 10) }, pick).join(' ')));
    const topics = Array.from({ length: 20 }, () => keywordsToQuery(Array.from({ length: 5 }, () => (rnd() < 0.3 ? `${pick()} ${pick()}` : pick()))));
    for (const stemLanguage of [null, 'en'] as const) {
      const compiled = topics.map((t) => compileQuery(t, { stemLanguage }));
      let start = performance.now();
      let hits = 0;
      for (const title of titles) {
        const view = prepareText(title);
        for (const q of compiled) if (q.test(view)) hits++;
      }
      const each = performance.now() - start;
      const set = compileQuerySet(compiled);
      start = performance.now();
      let setHits = 0;
      for (const title of titles) setHits += set.match(title).length;
      const all = performance.now() - start;
      console.log(
        `query matching, stemming ${stemLanguage ?? 'off'}: ${titles.length} titles × ${compiled.length} topics: ` +
          `${each.toFixed(0)} ms query by query, ${all.toFixed(0)} ms as a set (${hits} matches)`,
      );
      expect(setHits).toBe(hits);
      expect(hits).toBeGreaterThan(0);
    }
  });
});

describe('text views', () => {
  const rnd = random(9);
  const pools = ['abcxyz ', 'ABC', '0123456789', 'éüßñçœ’', 'ΑΒΓαβγ', 'АБВабв', '中文日本語', 'ابت', '٠١٢', '\u0301\u0308', '.,;:!?-_()[]', '\u00a0\u2003\t\n', '😀🎉𝐀𝟘'];
  const texts = Array.from({ length: 2000 }, () => {
    let s = '';
    const n = Math.floor(rnd() * 80);
    for (let k = 0; k < n; k++) {
      const pool = [...pools[Math.floor(rnd() * pools.length)]!];
      s += pool[Math.floor(rnd() * pool.length)];
    }
    return s;
  });

  it('split words (runs of letters and digits, in any script) as the Unicode regular expression does', () => {
    for (const t of texts) expect(prepareText(t).words).toEqual(t.match(/[\p{L}\p{N}]+/gu) ?? []);
  });

  it('match the same whether or not the words were asked for first (they are read from the text only when asked)', () => {
    const queries = ['"abc xyz"', '"xyz abc*"', 'abc -xyz', '"0123 abc" OR cba', 'xyza*', '"éü abc"', 'abc'].map((q) => compileQuery(parseQuery(q)));
    const set = compileQuerySet(queries);
    const plain = texts.map((t) => foldText(t));
    const folded = [...plain, ...plain.map((t) => `${t} abc xyz`)];
    for (const t of folded) {
      const fresh = prepareText(t);
      const read = prepareText(t);
      expect(read.words.length).toBeGreaterThanOrEqual(0);
      expect(set.match(fresh)).toEqual(set.match(read));
      expect(queries.map((q) => q.test(prepareText(t)))).toEqual(queries.map((q) => q.test(read)));
      expect(queries.map((q) => q.explain(prepareText(t)))).toEqual(queries.map((q) => q.explain(read)));
    }
    expect(folded.filter((t) => set.match(prepareText(t)).length > 0).length).toBeGreaterThan(2000);
  });

  it('find a word whatever script it is in, and only whole words', () => {
    const q = compileQuery(parseQuery('grève OR 中文 OR αβγ OR 2024'), { stemLanguage: null });
    expect(q.test(prepareText(foldText('La GRÈVE continue')))).toBe(true);
    expect(q.test(prepareText('关于中文的新闻'))).toBe(false);
    expect(q.test(prepareText('关于 中文 的新闻'))).toBe(true);
    expect(q.test(prepareText('ΑΒΓ αβγ'.toLowerCase()))).toBe(true);
    expect(q.test(prepareText('in 20245'))).toBe(false);
  });
});

describe('countLetters', () => {
  it('counts letters (\\p{L}) in any script, astral ones once', () => {
    const rnd = random(11);
    const alphabet = [...'aZé9 ß’中-😀𝐀\u0301Ωж٣'];
    for (let i = 0; i < 2000; i++) {
      const t = Array.from({ length: Math.floor(rnd() * 40) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      expect(countLetters(t)).toBe(t.replace(/[^\p{L}]/gu, '').length);
    }
    expect(countLetters('Acme’s 2 kettles')).toBe(12);
  });
});
