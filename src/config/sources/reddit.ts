import { checkSearch, describeValue, withQuery, type SourceDefinition, type SourceEntryError } from './kind.js';

export const REDDIT_SORTS: readonly string[] = ['relevance', 'hot', 'top', 'new', 'comments'];

/** Reddit search RSS, site-wide or in one subreddit. */
export const reddit: SourceDefinition<'reddit'> = {
  kind: 'reddit',
  type: 'reddit',
  options: { search: checkSearch, subreddit: checkSubreddit, sort: checkSort },
  shorthand: 'subreddit',
  searches: true,
  recognizes: (url) => /(?:^|\.)reddit\.com$/.test(url.hostname.toLowerCase()),
  feedUrl(spec, p) {
    const sort = p.checked('sort', checkSort, spec.sort ?? 'new');
    if (spec.subreddit === undefined) return withQuery('https://www.reddit.com/search.rss', [['q', p.query('google')], ['sort', sort]]);
    const sub = p.checked('subreddit', checkSubreddit, spec.subreddit);
    return withQuery(`https://www.reddit.com/r/${sub}/search.rss`, [['q', p.query('google')], ['restrict_sr', 'on'], ['sort', sort]]);
  },
};

function checkSubreddit(raw: unknown): string | SourceEntryError {
  const s = typeof raw === 'string' ? raw.trim().replace(/^\/?r\//i, '').replace(/\/$/, '') : null;
  if (s !== null && /^[A-Za-z0-9_]{2,21}$/.test(s)) return s;
  return { error: `expected a subreddit name (2 to 21 letters, digits or underscores, such as robotics), got ${describeValue(raw)}` };
}

function checkSort(raw: unknown): string | SourceEntryError {
  if (typeof raw === 'string' && REDDIT_SORTS.includes(raw.trim().toLowerCase())) return raw.trim().toLowerCase();
  return { error: `expected one of ${REDDIT_SORTS.join(', ')}, got ${describeValue(raw)}` };
}
