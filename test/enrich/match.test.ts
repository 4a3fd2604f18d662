import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { compileTopic, matchTopics, viewOf, type MatchInput } from '../../src/enrich/match.js';

/** Topics as a user writes them in the config. */
function topics(yaml: string) {
  return parseConfigText(`topics:\n${yaml}`, '/cfg/m.yaml').topics.map(compileTopic);
}
const input = (title: string, over: Partial<MatchInput> = {}): MatchInput => ({ title, summary: '', language: 'en', feedUrl: 'https://x.example/rss', ...over });
const matches = (yaml: string, title: string, over: Partial<MatchInput> = {}) => matchTopics(topics(yaml), input(title, over)).length > 0;

describe('topic matching', () => {
  it.each([
    [['acme'], 'Acme unveils the Glide', true],
    [['acme'], 'ACME shares jump', true],
    [['acme'], 'Acmeville mayor resigns', false], // whole words only
    [['acme'], 'the acme-robotics deal', true],
    [['acme robotics'], 'Acme  Robotics recalls kettles', true],
    [['acme robotics'], 'Acme-Robotics recalls kettles', true],
    [['acme robotics'], 'Robotics firm Acme recalls kettles', false],
    [['cafe'], 'Café in Zürich reopens', true], // accents folded
    [['zürich'], 'Zurich flights resume', true],
    [['northwind', 'nwa'], 'NWA adds routes', true],
  ])('keywords %j in %j → %s', (keywords, text, want) => {
    expect(matches(`  - name: T\n    keywords: ${JSON.stringify(keywords)}\n`, text)).toBe(want);
  });

  it('exclude words veto a match', () => {
    const yaml = '  - name: T\n    keywords: [acme]\n    exclude: [acme markets]\n';
    expect(matches(yaml, 'Acme Markets opens a store')).toBe(false);
    expect(matches(yaml, 'Acme Robotics opens a store')).toBe(true);
  });

  it.each([
    ['"acme robotics" OR (acme AND vacuum)', 'Acme recalls its vacuum', true],
    ['"acme robotics" OR (acme AND vacuum)', 'Acme recalls its kettle', false],
    ['acme -stock', 'Acme stock falls', false],
    ['acme NOT (stock OR shares)', 'Acme shares fall', false],
    ['robot*', 'Robotics fair opens', true],
    ['northwind (strike OR outage)', 'Northwind outage strands thousands', true],
  ])('query %j on %j → %s', (query, text, want) => {
    expect(matches(`  - name: T\n    query: '${query}'\n`, text)).toBe(want);
  });

  it('with stem: true, a query word matches its other forms in the item’s language', () => {
    const yaml = '  - name: T\n    query: "acme recall"\n    stem: true\n';
    expect(matches(yaml, 'Acme recalls 40,000 kettles')).toBe(true);
    expect(matches('  - name: T\n    query: "acme recall"\n', 'Acme recalls 40,000 kettles')).toBe(false);
    expect(matches('  - name: T\n    query: "northwind vlucht"\n    stem: true\n', 'Northwind annuleert vluchten', { language: 'nl' })).toBe(true);
  });

  it('a topic restricted to languages ignores items in others, but keeps those whose language is unknown', () => {
    const yaml = '  - name: T\n    keywords: [northwind]\n    languages: [en, nl]\n';
    expect(matches(yaml, 'Northwind strike', { language: 'en' })).toBe(true);
    expect(matches(yaml, 'Streik bei Northwind', { language: 'de' })).toBe(false);
    expect(matches(yaml, 'Northwind', { language: null })).toBe(true);
  });

  it('a topic of whole feeds takes every item of its feeds and nothing else', () => {
    const [t] = topics('  - name: Blogs\n    feeds: [https://blog.example/rss]\n');
    const view = { words: [], folded: '' } as never;
    expect(t!.matches(input('Anything at all', { feedUrl: 'https://blog.example/rss' }), view)).toBe(true);
    expect(t!.matches(input('Anything at all', { feedUrl: 'https://other.example/rss' }), view)).toBe(false);
  });

  it('matches title and summary, and lists every matching topic', () => {
    const all = topics('  - name: Acme\n    keywords: [acme]\n  - name: Globex\n    keywords: [globex]\n');
    expect(matchTopics(all, { ...input('Acme buys a stake'), summary: 'The seller is Globex.' })).toEqual(['Acme', 'Globex']);
    expect(matchTopics(all, input('Weather today'))).toEqual([]);
  });

  it('explains which terms matched', () => {
    const [t] = topics('  - name: T\n    query: \'"acme robotics" OR glide\'\n');
    const item = input('Acme Robotics launches the Glide');
    expect(t!.explain(item, viewOf(item))).toEqual(['acme robotics', 'glide']);
  });

  it('the definition changes when the query does (so history is re-matched)', () => {
    const [a] = topics('  - name: T\n    keywords: [acme]\n');
    const [b] = topics('  - name: T\n    keywords: [acme, glide]\n');
    expect(a!.definition).not.toBe(b!.definition);
  });
});

describe('matching every topic at once', () => {
  it('names the same topics, in config order, as asking each topic: languages, stemming and whole-feed topics included', () => {
    const ms = topics(`  - name: Acme
    keywords: [acme, "acme robotics"]
    exclude: [acme markets]
  - name: Feed only
    feeds: [https://feed.example/rss]
  - name: Stemmed
    query: recall* OR strike
    stem: true
  - name: Dutch only
    keywords: [staking, northwind]
    languages: [nl]
  - name: Always acme
    query: acme OR zürich
`);
    let seed = 5;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const words = ['Acme', 'acme', 'Markets', 'Robotics', 'recalls', 'recalled', 'strikes', 'staking', 'Northwind', 'Zurich', 'the', 'of', 'kettle'];
    const languages = ['en', 'nl', 'de', null];
    const feeds = ['https://feed.example/rss', 'https://other.example/rss'];
    let hits = 0;
    for (let i = 0; i < 1500; i++) {
      const title = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => words[Math.floor(rnd() * words.length)]).join(' ');
      const it = input(title, { language: languages[i % languages.length]!, feedUrl: feeds[Math.floor(rnd() * 2)]!, summary: rnd() < 0.3 ? 'Acme recalls' : '' });
      const view = viewOf(it);
      const oneByOne = ms.filter((m) => m.matches(it, view)).map((m) => m.name);
      expect(matchTopics(ms, it)).toEqual(oneByOne);
      hits += oneByOne.length;
    }
    expect(hits).toBeGreaterThan(1000);
  });
});
