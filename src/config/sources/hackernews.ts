import { checkSearch, withQuery, type SourceDefinition } from './kind.js';

/** Hacker News stories matching the search, via hnrss.org. */
export const hackernews: SourceDefinition<'hackernews'> = {
  kind: 'hackernews',
  type: 'hackernews',
  options: { search: checkSearch },
  searches: true,
  recognizes: (url) => {
    const host = url.hostname.toLowerCase();
    return host === 'hnrss.org' || (host === 'news.ycombinator.com' && url.pathname === '/rss');
  },
  feedUrl: (_spec, p) => withQuery('https://hnrss.org/newest', [['q', p.query('simple')]]),
};
