import { checkSearch, normalizeCountry, normalizeLanguage, withQuery, type SourceDefinition } from './kind.js';

/** Google News search RSS: the topic's search, in a language and country. */
export const googleNews: SourceDefinition<'google-news'> = {
  kind: 'google-news',
  type: 'news',
  options: { search: checkSearch, language: normalizeLanguage, country: normalizeCountry },
  searches: true,
  configuredLanguage: true,
  recognizes: (url) => url.hostname.toLowerCase() === 'news.google.com',
  feedUrl(_spec, p) {
    const [l, c] = [p.language(), p.country()];
    const hl = l === 'en' ? `${l}-${c}` : l;
    return withQuery('https://news.google.com/rss/search', [['q', p.query('google')], ['hl', hl], ['gl', c], ['ceid', `${c}:${l}`]]);
  },
};
