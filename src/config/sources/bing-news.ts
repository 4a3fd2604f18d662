import { checkSearch, normalizeCountry, normalizeLanguage, withQuery, type SourceDefinition } from './kind.js';

/** Bing News search RSS: the topic's search, in a language and country. */
export const bingNews: SourceDefinition<'bing-news'> = {
  kind: 'bing-news',
  type: 'news',
  options: { search: checkSearch, language: normalizeLanguage, country: normalizeCountry },
  searches: true,
  configuredLanguage: true,
  recognizes: (url) => /^(?:www\.)?bing\.com$/.test(url.hostname.toLowerCase()) && /^\/news(?:\/|$)/i.test(url.pathname),
  feedUrl: (_spec, p) =>
    withQuery('https://www.bing.com/news/search', [['q', p.query('google')], ['format', 'rss'], ['setlang', p.language()], ['cc', p.country()]]),
};
