import { ConfigError } from '../../core/errors.js';
import { checkHttpUrl, type SourceDefinition } from './kind.js';

/** Any RSS, Atom or JSON feed, by its URL: every other URL's kind. */
export const rss: SourceDefinition<'rss'> = {
  kind: 'rss',
  type: 'web',
  options: { url: checkHttpUrl },
  shorthand: 'url',
  searches: false,
  missing: (spec) => (spec.url === undefined ? 'expected the feed URL of rss: write { rss: https://example.com/feed.xml }' : null),
  feedUrl() {
    throw new ConfigError('source rss: a feed URL is required');
  },
};
