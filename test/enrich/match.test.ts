import { describe, expect, it } from 'vitest';
import { compileTopic, matchTopics } from '../../src/enrich/match.js';

const topic = (keywords: string[], exclude: string[] = []) => compileTopic({ name: 'T', keywords, exclude, feeds: [], bucketMs: null });

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
    [['c++'], 'Why C++ still matters', true],
  ])('%j in %j → %s', (keywords, text, want) => {
    expect(topic(keywords).test(text)).toBe(want);
  });

  it('exclude words veto a match', () => {
    const t = topic(['acme'], ['acme markets']);
    expect(t.test('Acme Markets opens a store')).toBe(false);
    expect(t.test('Acme Robotics opens a store')).toBe(true);
  });

  it('matches title and summary, and lists every matching topic', () => {
    const a = compileTopic({ name: 'Acme', keywords: ['acme'], exclude: [], feeds: [], bucketMs: null });
    const g = compileTopic({ name: 'Globex', keywords: ['globex'], exclude: [], feeds: [], bucketMs: null });
    expect(matchTopics([a, g], 'Acme buys a stake', 'The seller is Globex.')).toEqual(['Acme', 'Globex']);
    expect(matchTopics([a, g], 'Weather today', '')).toEqual([]);
  });

  it('the definition changes when the keywords do (so history is re-matched)', () => {
    expect(topic(['acme']).definition).not.toBe(topic(['acme', 'glide']).definition);
  });
});
