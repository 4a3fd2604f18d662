/**
 * Sources: where a topic's items come from. A topic names the sources to watch (`google-news`,
 * `reddit`, `{ mastodon: { hashtag: robotics } }`, `{ rss: https://… }`...) and its keywords once;
 * this module validates each source entry and builds its feed URL, encoded for that source. Pure:
 * no I/O, no environment.
 */
import { ConfigError } from '../core/errors.js';
import { closeEnough } from '../core/text.js';

export type SourceKind = 'google-news' | 'google-alerts' | 'bing-news' | 'reddit' | 'hackernews' | 'mastodon' | 'rss';
export const SOURCE_KINDS: readonly SourceKind[] = [
  'google-news',
  'google-alerts',
  'bing-news',
  'reddit',
  'hackernews',
  'mastodon',
  'rss',
];

/** The kind of outlet a source is, for "corroborated by N source types". */
export type SourceType = 'news' | 'reddit' | 'hackernews' | 'mastodon' | 'web';
export const SOURCE_TYPES: readonly SourceType[] = ['news', 'reddit', 'hackernews', 'mastodon', 'web'];

export function sourceTypeOf(kind: SourceKind): SourceType {
  switch (kind) {
    case 'google-news':
    case 'google-alerts':
    case 'bing-news':
      return 'news';
    case 'rss':
      return 'web';
    case 'reddit':
    case 'hackernews':
    case 'mastodon':
      return kind;
  }
}

export interface SourceSpec {
  kind: SourceKind;
  /** The feed URL itself: for `rss` and `google-alerts`, or any kind given as a plain URL. */
  url?: string;
  /** The search string in the engine's own syntax, instead of the one built from the topic's keywords. */
  search?: string;
  /** Two-letter language code, lower case (google-news, bing-news). */
  language?: string;
  /** Two-letter country code, upper case (google-news, bing-news). */
  country?: string;
  /** Subreddit name without `r/` (reddit). */
  subreddit?: string;
  /** Host name of the Mastodon server (mastodon; default mastodon.social). */
  instance?: string;
  /** Hashtag without `#` (mastodon). */
  hashtag?: string;
  /** Reddit search order: relevance, hot, top, new (default), comments. */
  sort?: string;
}

export interface ExpandedFeed {
  url: string;
  kind: SourceKind;
}

/** A source entry that is not valid: what was expected, and where inside the entry (e.g. `reddit.subreddit`), if not the entry itself. */
export interface SourceEntryError {
  error: string;
  field?: string;
}

export const DEFAULT_MASTODON_INSTANCE = 'mastodon.social';
export const REDDIT_SORTS: readonly string[] = ['relevance', 'hot', 'top', 'new', 'comments'];

/** The options each kind takes, besides its name. */
const OPTIONS: Record<SourceKind, readonly (keyof SourceSpec)[]> = {
  'google-news': ['search', 'language', 'country'],
  'google-alerts': ['url'],
  'bing-news': ['search', 'language', 'country'],
  reddit: ['search', 'subreddit', 'sort'],
  hackernews: ['search'],
  mastodon: ['instance', 'hashtag'],
  rss: ['url'],
};

/** What a one-string value means for each kind (`{ rss: https://… }`, `{ reddit: robotics }`), if anything. */
const SHORTHAND: Partial<Record<SourceKind, keyof SourceSpec>> = {
  'google-alerts': 'url',
  rss: 'url',
  reddit: 'subreddit',
  mastodon: 'hashtag',
};

// ---------------------------------------------------------------------------------------------
// Building feed URLs

/**
 * Builds the feed URL. `search` is the engine search string (already in the engine's syntax):
 * `google` for Google News, Bing News and Reddit, `simple` for Hacker News; spec.search overrides
 * it. A spec with a `url` is that URL. Throws ConfigError for a spec or defaults that
 * parseSourceEntry/normalizeLanguage/normalizeCountry would have rejected.
 */
export function buildFeedUrl(
  spec: SourceSpec,
  search: { google: string; simple: string },
  defaults: { language: string; country: string },
): ExpandedFeed {
  const { kind } = spec;
  if (spec.url !== undefined) {
    const url = kind === 'google-alerts' ? checkAlertsUrl(spec.url) : checkHttpUrl(spec.url);
    return { kind, url: ok(url, kind, 'url') };
  }
  const query = (engine: 'google' | 'simple'): string => {
    const q = (spec.search ?? search[engine]).trim();
    if (q === '') throw new ConfigError(`source ${kind}: the search string is empty`);
    return q;
  };
  const lang = (): string => ok(normalizeLanguage(spec.language ?? defaults.language), kind, 'language');
  const country = (): string => ok(normalizeCountry(spec.country ?? defaults.country), kind, 'country');
  switch (kind) {
    case 'google-news': {
      const [l, c] = [lang(), country()];
      const hl = l === 'en' ? `${l}-${c}` : l;
      return { kind, url: withQuery('https://news.google.com/rss/search', [['q', query('google')], ['hl', hl], ['gl', c], ['ceid', `${c}:${l}`]]) };
    }
    case 'bing-news':
      return {
        kind,
        url: withQuery('https://www.bing.com/news/search', [['q', query('google')], ['format', 'rss'], ['setlang', lang()], ['cc', country()]]),
      };
    case 'reddit': {
      const sort = ok(checkSort(spec.sort ?? 'new'), kind, 'sort');
      if (spec.subreddit === undefined) {
        return { kind, url: withQuery('https://www.reddit.com/search.rss', [['q', query('google')], ['sort', sort]]) };
      }
      const sub = ok(checkSubreddit(spec.subreddit), kind, 'subreddit');
      return {
        kind,
        url: withQuery(`https://www.reddit.com/r/${sub}/search.rss`, [['q', query('google')], ['restrict_sr', 'on'], ['sort', sort]]),
      };
    }
    case 'hackernews':
      return { kind, url: withQuery('https://hnrss.org/newest', [['q', query('simple')]]) };
    case 'mastodon': {
      const host = ok(checkInstance(spec.instance ?? DEFAULT_MASTODON_INSTANCE), kind, 'instance');
      if (spec.hashtag === undefined) throw new ConfigError('source mastodon: a hashtag is required');
      const tag = ok(checkHashtag(spec.hashtag), kind, 'hashtag');
      const url = new URL(`https://${host}/`);
      url.pathname = `/tags/${tag}.rss`; // the setter percent-encodes a non-ASCII tag
      return { kind, url: url.href };
    }
    case 'google-alerts':
    case 'rss':
      throw new ConfigError(`source ${kind}: a feed URL is required`);
  }
}

/** An https URL with the given query, every value encoded as a form value (`+` for space); `:` is left readable. */
function withQuery(base: string, params: [string, string][]): string {
  const url = new URL(base);
  url.search = new URLSearchParams(params).toString().replace(/%3A/g, ':');
  return url.href;
}

function ok<T>(value: T | SourceEntryError, kind: SourceKind, field: string): T {
  if (isError(value)) throw new ConfigError(`source ${kind}: ${field}: ${value.error}`);
  return value;
}

function isError(value: unknown): value is SourceEntryError {
  return value !== null && typeof value === 'object' && 'error' in value;
}

// ---------------------------------------------------------------------------------------------
// Validating values

/** A two-letter language code, lower case (`en`, `de`), or what was expected. */
export function normalizeLanguage(raw: unknown): string | SourceEntryError {
  if (typeof raw === 'string' && /^[a-z]{2}$/i.test(raw.trim())) return raw.trim().toLowerCase();
  return { error: `expected a two-letter language code such as en, de or fr, got ${describeValue(raw)}` };
}

/** A two-letter country code, upper case (`US`, `DE`), or what was expected. */
export function normalizeCountry(raw: unknown): string | SourceEntryError {
  if (typeof raw === 'string' && /^[a-z]{2}$/i.test(raw.trim())) return raw.trim().toUpperCase();
  return { error: `expected a two-letter country code such as US, GB or DE, got ${describeValue(raw)}` };
}

function checkSearch(raw: unknown): string | SourceEntryError {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (s === null || s === '') return { error: `expected a search string, got ${describeValue(raw)}` };
  return s;
}

function checkSubreddit(raw: unknown): string | SourceEntryError {
  const s = typeof raw === 'string' ? raw.trim().replace(/^\/?r\//i, '').replace(/\/$/, '') : null;
  if (s !== null && /^[A-Za-z0-9_]{2,21}$/.test(s)) return s;
  return { error: `expected a subreddit name (2 to 21 letters, digits or underscores, such as robotics), got ${describeValue(raw)}` };
}

function checkSort(raw: unknown): string | SourceEntryError {
  if (typeof raw === 'string' && REDDIT_SORTS.includes(raw.trim().toLowerCase())) return raw.trim().toLowerCase();
  return { error: `expected one of ${REDDIT_SORTS.join(', ')}, got ${describeValue(raw)}` };
}

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

function checkHttpUrl(raw: unknown): string | SourceEntryError {
  const expected = { error: `expected an http(s) feed URL, got ${describeValue(raw)}` };
  if (typeof raw !== 'string' || !/^https?:\/\//i.test(raw.trim())) return expected;
  try {
    return new URL(raw.trim()).href;
  } catch {
    return expected;
  }
}

/** A Google Alerts feed: https://www.google.com/alerts/feeds/<user>/<alert>. */
function checkAlertsUrl(raw: unknown): string | SourceEntryError {
  const url = checkHttpUrl(raw);
  const alerts = typeof url === 'string' && isAlertsFeed(new URL(url)) && url.startsWith('https:');
  if (alerts) return url;
  return {
    error:
      'expected the RSS feed URL of a Google Alert, https://www.google.com/alerts/feeds/…' +
      ` (in Google Alerts, choose "Deliver to: RSS feed" and copy the feed icon's link), got ${describeValue(raw)}`,
  };
}

function isAlertsFeed(url: URL): boolean {
  return /^(?:www\.)?google\.com$/i.test(url.hostname) && /^\/alerts\/feeds\/[^/]+/.test(url.pathname);
}

// ---------------------------------------------------------------------------------------------
// Reading source entries

type Obj = Record<string, unknown>;

const KIND_HINTS = SOURCE_KINDS.join(', ');

/**
 * Validates one raw YAML source entry and returns a spec, or an error saying what was expected
 * (`field`, when present, is where inside the entry: `reddit.subreddit`; the caller prefixes the
 * file and the entry's path). Accepted shapes:
 * - a source name: `google-news`, `bing-news`, `reddit`, `hackernews`;
 * - an http(s) URL: `https://…` (its kind guessed from the URL);
 * - a mapping with one key, the source name, and its options or its one-string shorthand:
 *   `{ reddit: { subreddit: robotics } }`, `{ reddit: robotics }`, `{ rss: https://… }`,
 *   `{ google-alerts: https://www.google.com/alerts/feeds/… }`, `{ mastodon: { instance: fosstodon.org, hashtag: rust } }`;
 * - a mapping with `type`: `{ type: reddit, subreddit: robotics }`; or with just `url`: `{ url: https://… }`.
 */
export function parseSourceEntry(raw: unknown): SourceSpec | SourceEntryError {
  if (typeof raw === 'string') return fromString(raw.trim());
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { error: `expected a source name (${KIND_HINTS}), a feed URL or a mapping, got ${describeValue(raw)}` };
  }
  const obj = raw as Obj;
  const keys = Object.keys(obj);
  if ('type' in obj) {
    const kind = kindOf(obj.type);
    if (isError(kind)) return { ...kind, field: 'type' };
    const { type: _type, ...options } = obj;
    return fromOptions(kind, options, '');
  }
  if (keys.length === 1 && keys[0] === 'url') {
    const spec = fromUrl(obj.url);
    return isError(spec) ? { ...spec, field: 'url' } : spec;
  }
  if (keys.length === 1) {
    const kind = kindOf(keys[0]);
    if (isError(kind)) return kind;
    return fromValue(kind, obj[keys[0]!]);
  }
  const named = keys.filter((k) => (SOURCE_KINDS as readonly string[]).includes(k));
  if (named.length === 1 && obj[named[0]!] === null) {
    // `- reddit:` with its options written beside it instead of under it.
    return {
      error: `expected the options of ${named[0]} indented under it (${named[0]}: { ${keys.filter((k) => k !== named[0]).join(', ')} }), or a mapping with type: ${named[0]}`,
    };
  }
  return {
    error:
      keys.length === 0
        ? `expected a source, got an empty mapping`
        : `expected one source per entry: a mapping with one key (the source name) or with type:, got the keys ${keys.join(', ')}`,
  };
}

function fromString(text: string): SourceSpec | SourceEntryError {
  if (/^https?:\/\//i.test(text)) return fromUrl(text);
  const kind = kindOf(text);
  if (isError(kind)) return kind;
  return fromOptions(kind, {}, '');
}

/** A feed given as a plain URL: its kind guessed from the URL. */
function fromUrl(raw: unknown): SourceSpec | SourceEntryError {
  const url = checkHttpUrl(raw);
  if (isError(url)) return url;
  const kind = guessKind(url);
  const checked = kind === 'google-alerts' ? checkAlertsUrl(url) : url;
  return isError(checked) ? checked : { kind, url: checked };
}

function fromValue(kind: SourceKind, value: unknown): SourceSpec | SourceEntryError {
  if (value === null || value === undefined) return fromOptions(kind, {}, kind);
  if (typeof value === 'string' || typeof value === 'number') {
    const key = SHORTHAND[kind];
    if (key === undefined) {
      return { error: `expected the options of ${kind} (${OPTIONS[kind].join(', ')}) as a mapping, or nothing, got ${describeValue(value)}`, field: kind };
    }
    return fromOptions(kind, { [key]: value }, kind);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { error: `expected the options of ${kind} (${OPTIONS[kind].join(', ')}) as a mapping, got ${describeValue(value)}`, field: kind };
  }
  return fromOptions(kind, value as Obj, kind);
}

function fromOptions(kind: SourceKind, options: Obj, at: string): SourceSpec | SourceEntryError {
  const field = (name: string): string => (at ? `${at}.${name}` : name);
  const allowed = OPTIONS[kind];
  for (const key of Object.keys(options)) {
    if (!(allowed as readonly string[]).includes(key)) {
      const near = allowed.find((a) => closeEnough(a, key));
      return {
        error: `unknown option for ${kind}${near ? ` (did you mean "${near}"?)` : ''}; expected ${allowed.length > 1 ? 'one of ' : ''}${allowed.join(', ')}`,
        field: field(key),
      };
    }
  }
  const spec: SourceSpec = { kind };
  const checks: [keyof SourceSpec, (raw: unknown) => string | SourceEntryError][] = [
    ['url', kind === 'google-alerts' ? checkAlertsUrl : checkHttpUrl],
    ['search', checkSearch],
    ['language', normalizeLanguage],
    ['country', normalizeCountry],
    ['subreddit', checkSubreddit],
    ['sort', checkSort],
    ['instance', checkInstance],
    ['hashtag', checkHashtag],
  ];
  for (const [key, check] of checks) {
    if (options[key] === undefined || options[key] === null) continue;
    const value = check(options[key]);
    if (isError(value)) return { ...value, field: field(key) };
    (spec as unknown as Record<string, string>)[key] = value;
  }
  if ((kind === 'rss' || kind === 'google-alerts') && spec.url === undefined) {
    const example = kind === 'rss' ? '{ rss: https://example.com/feed.xml }' : '{ google-alerts: https://www.google.com/alerts/feeds/… }';
    return { error: `expected the feed URL of ${kind}: write ${example}`, ...(at ? { field: at } : {}) };
  }
  if (kind === 'mastodon' && spec.hashtag === undefined) {
    return { error: 'expected a hashtag for mastodon: write { mastodon: { hashtag: robotics, instance: mastodon.social } }', ...(at ? { field: at } : {}) };
  }
  return spec;
}

function kindOf(raw: unknown): SourceKind | SourceEntryError {
  if (typeof raw === 'string' && (SOURCE_KINDS as readonly string[]).includes(raw)) return raw as SourceKind;
  const text = typeof raw === 'string' ? raw : '';
  const norm = text.trim().toLowerCase().replace(/[\s_.]+/g, '-');
  const near =
    SOURCE_KINDS.find((k) => k === norm || k.replace(/-/g, '') === norm.replace(/-/g, '')) ??
    (norm === 'hn' ? 'hackernews' : norm === 'bing' ? 'bing-news' : norm === 'alerts' ? 'google-alerts' : undefined) ??
    SOURCE_KINDS.find((k) => text !== '' && closeEnough(k, norm));
  return {
    error: `unknown source ${describeValue(raw)}${near ? ` (did you mean "${near}"?)` : ''}; expected one of ${KIND_HINTS}, or a feed URL`,
  };
}

// ---------------------------------------------------------------------------------------------
// Guessing

const REDDIT_HOST = /(?:^|\.)reddit\.com$/;
const MASTODON_TAG_PATH = /^\/tags\/[^/]+\.rss$/i;

/**
 * Which source a URL looks like: news.google.com → google-news, google.com/alerts/feeds →
 * google-alerts, bing.com/news → bing-news, reddit.com → reddit, hnrss.org (and Hacker News' own
 * RSS) → hackernews, `/tags/<tag>.rss` on any other host → mastodon, anything else → rss.
 */
export function guessKind(url: string): SourceKind {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'rss';
  }
  const host = u.hostname.toLowerCase();
  const path = u.pathname;
  if (host === 'news.google.com') return 'google-news';
  if (isAlertsFeed(u)) return 'google-alerts';
  if (/^(?:www\.)?bing\.com$/.test(host) && /^\/news(?:\/|$)/i.test(path)) return 'bing-news';
  if (REDDIT_HOST.test(host)) return 'reddit';
  if (host === 'hnrss.org' || (host === 'news.ycombinator.com' && path === '/rss')) return 'hackernews';
  if (MASTODON_TAG_PATH.test(path)) return 'mastodon';
  return 'rss';
}

// ---------------------------------------------------------------------------------------------

/** A config value as an error message shows it: "nothing", "a list", "a mapping", a quoted string, or its type and value. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}


