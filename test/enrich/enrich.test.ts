import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { ParsedItem } from '../../src/core/types.js';
import { enrichItems } from '../../src/enrich/enrich.js';
import { compileTopic } from '../../src/enrich/match.js';

const FEED = 'https://news.example/rss';
const item = (title: string): ParsedItem => ({
  guid: title,
  title,
  summary: '',
  link: null,
  canonicalUrl: null,
  author: null,
  source: null,
  sourceDomain: null,
  publishedAt: 0,
  dateEstimated: false,
});
const matchers = (yaml: string) => parseConfigText(`topics:\n${yaml}`, '/cfg/m.yaml').topics.map(compileTopic);

describe('enrichItems: language and sentiment', () => {
  it('the languages of the topics that list the feed settle a headline the text leaves close', () => {
    const title = 'Northwind in Brussel';
    const none = enrichItems([item(title)], matchers(`  - name: nw\n    keywords: [northwind]\n`), { feedUrl: FEED, declaredLanguage: null });
    expect(none[0]!.language).toBe('nl');
    const de = matchers(`  - name: nw\n    keywords: [northwind]\n    languages: [de]\n    feeds: [${FEED}]\n`);
    const got = enrichItems([item(title)], de, { feedUrl: FEED, declaredLanguage: null });
    expect(got[0]!.language).toBe('de');
    expect(got[0]!.topics).toEqual(['nw']);
    // a topic that does not list this feed says nothing about it
    expect(enrichItems([item(title)], de, { feedUrl: 'https://other.example/rss', declaredLanguage: null })[0]!.language).toBe('nl');
  });

  it('an item in another script has no language and no sentiment, not English with 0', () => {
    const [ru, en] = enrichItems([item('Забастовка в Northwind: отменены сотни рейсов'), item('Northwind strike: hundreds of flights cancelled, passengers furious')], [], {
      feedUrl: FEED,
      declaredLanguage: 'en',
    });
    expect([ru!.language, ru!.sentiment]).toEqual([null, null]);
    expect(en!.language).toBe('en');
    expect(en!.sentiment).toBeLessThan(0);
  });
});
