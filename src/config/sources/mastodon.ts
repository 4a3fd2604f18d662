import { ConfigError } from '../../core/errors.js';
import { describeValue, type SourceDefinition, type SourceEntryError, type UrlView } from './kind.js';

export const DEFAULT_MASTODON_INSTANCE = 'mastodon.social';

/** A hashtag's public timeline on a Mastodon server, as RSS. */
export const mastodon: SourceDefinition<'mastodon'> = {
  kind: 'mastodon',
  type: 'mastodon',
  options: { instance: checkInstance, hashtag: checkHashtag },
  shorthand: 'hashtag',
  searches: false,
  missing: (spec) => (spec.hashtag === undefined ? 'expected a hashtag for mastodon: write { mastodon: { hashtag: robotics, instance: mastodon.social } }' : null),
  recognizes: (url) => mastodonTag(url) !== null,
  feedUrl(spec, p) {
    const host = p.checked('instance', checkInstance, spec.instance ?? DEFAULT_MASTODON_INSTANCE);
    if (spec.hashtag === undefined) throw new ConfigError('source mastodon: a hashtag is required');
    const tag = p.checked('hashtag', checkHashtag, spec.hashtag);
    const url = new URL(`https://${host}/`);
    url.pathname = `/tags/${tag}.rss`; // the setter percent-encodes a non-ASCII tag
    return url.href;
  },
};

const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}(?::\d{1,5})?$/;

/** A Mastodon server's host name (`mastodon.social`; an `https://` prefix or a trailing `/` are tolerated), in lower case / punycode. */
function checkInstance(raw: unknown): string | SourceEntryError {
  const expected = { error: `expected the host name of a Mastodon server, such as mastodon.social, got ${describeValue(raw)}` };
  if (typeof raw !== 'string') return expected;
  const text = raw.trim().replace(/^https:\/\//i, '').replace(/\/$/, '');
  if (text === '' || /[/?#@\s\\]/.test(text)) return expected;
  let host: string;
  try {
    host = new URL(`https://${text}/`).host;
  } catch {
    return expected;
  }
  return host.length <= 253 && HOST_NAME.test(host) ? host : expected;
}

/** A hashtag without its `#`: letters (any script), digits and underscores. */
function checkHashtag(raw: unknown): string | SourceEntryError {
  const s = typeof raw === 'string' ? raw.trim().replace(/^#/, '') : typeof raw === 'number' ? String(raw) : null;
  if (s !== null && /^[\p{L}\p{M}\p{N}_]{1,100}$/u.test(s)) return s;
  return { error: `expected a hashtag (letters, digits and underscores, with or without the #), got ${describeValue(raw)}` };
}

/**
 * The hashtag of a Mastodon tag feed's URL, `/tags/NAME.rss` on any server, as written in it (percent-encoded:
 * `Z%C3%BCrich`), whatever query string or fragment follows (`?limit=40`); null for any other URL. The one
 * place that reads such a URL: the source's kind, the topic's hashtag (config/schema.ts) and the feed's label
 * (render/feeds.ts) all go by it.
 */
export function mastodonTag(url: string | Pick<UrlView, 'pathname'>): string | null {
  let pathname: string;
  if (typeof url === 'string') {
    try {
      pathname = new URL(url).pathname;
    } catch {
      return null;
    }
  } else pathname = url.pathname;
  return /^\/tags\/([^/]+)\.rss$/i.exec(pathname)?.[1] ?? null;
}
