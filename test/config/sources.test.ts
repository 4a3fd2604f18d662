import { describe, expect, it } from 'vitest';
import {
  SOURCE_KINDS,
  buildFeedUrl,
  guessKind,
  mastodonTag,
  normalizeCountry,
  normalizeLanguage,
  parseSourceEntry,
  sourceTypeOf,
  type SourceKind,
  type SourceSpec,
} from '../../src/config/sources.js';
import { ConfigError } from '../../src/core/errors.js';
import { feedSourceLabel } from '../../src/render/feeds.js';

type Search = { google: string; simple: string };
const EN_US = { language: 'en', country: 'US' };
const ACME: Search = { google: '"acme robotics" OR acme', simple: 'acme robotics' };
const AWKWARD: Search = { google: '"Procter & Gamble" #1 C++ "café" -"Zürich"', simple: 'AT&T #5G c++ crème brûlée' };
const ALERTS = 'https://www.google.com/alerts/feeds/01234567890123456789/9876543210987654321';

/** [label, spec, search, defaults]: every kind, languages, countries, subreddits, awkward search strings. */
const CASES: [string, SourceSpec, Search, { language: string; country: string }][] = [
  ['google-news, English, US', { kind: 'google-news' }, ACME, EN_US],
  ['google-news, English, GB', { kind: 'google-news', country: 'GB' }, ACME, EN_US],
  ['google-news, German', { kind: 'google-news' }, ACME, { language: 'de', country: 'DE' }],
  ['google-news, French in Canada', { kind: 'google-news', language: 'fr', country: 'CA' }, ACME, EN_US],
  ['google-news, Dutch', { kind: 'google-news', language: 'nl', country: 'NL' }, ACME, EN_US],
  ['google-news, Spanish', { kind: 'google-news', language: 'es', country: 'ES' }, ACME, EN_US],
  ['google-news, awkward search', { kind: 'google-news' }, AWKWARD, EN_US],
  ['google-news, own search with site:', { kind: 'google-news', search: 'acme site:example.com when:7d' }, ACME, EN_US],
  ['google-alerts', { kind: 'google-alerts', url: ALERTS }, ACME, EN_US],
  ['bing-news, English, US', { kind: 'bing-news' }, ACME, EN_US],
  ['bing-news, German, AT', { kind: 'bing-news', language: 'de', country: 'AT' }, ACME, EN_US],
  ['bing-news, awkward search', { kind: 'bing-news' }, AWKWARD, EN_US],
  ['reddit, all of it', { kind: 'reddit' }, ACME, EN_US],
  ['reddit, one subreddit', { kind: 'reddit', subreddit: 'robotics' }, ACME, EN_US],
  ['reddit, subreddit, sorted by top', { kind: 'reddit', subreddit: 'Home_Automation', sort: 'top' }, ACME, EN_US],
  ['reddit, awkward search', { kind: 'reddit' }, AWKWARD, EN_US],
  ['hackernews', { kind: 'hackernews' }, ACME, EN_US],
  ['hackernews, awkward search', { kind: 'hackernews' }, AWKWARD, EN_US],
  ['hackernews, own search', { kind: 'hackernews', search: 'acme' }, ACME, EN_US],
  ['mastodon', { kind: 'mastodon', instance: 'mastodon.social', hashtag: 'robotics' }, ACME, EN_US],
  ['mastodon, default instance', { kind: 'mastodon', hashtag: 'robotics' }, ACME, EN_US],
  ['mastodon, other instance', { kind: 'mastodon', instance: 'fosstodon.org', hashtag: 'RustLang' }, ACME, EN_US],
  ['mastodon, non-ASCII hashtag', { kind: 'mastodon', instance: 'mastodon.social', hashtag: 'café' }, ACME, EN_US],
  ['rss', { kind: 'rss', url: 'https://blog.example/feed.xml?lang=en&cat=news' }, ACME, EN_US],
  ['ndjson, an absolute path', { kind: 'ndjson', path: '/srv/exports/mentions.ndjson' }, ACME, EN_US],
];

describe('buildFeedUrl', () => {
  it('builds the URL of every kind (golden)', async () => {
    const lines = CASES.map(([label, spec, search, defaults]) => {
      const { url } = buildFeedUrl(spec, search, defaults);
      return `${label}\n  spec     ${JSON.stringify(spec)}\n  search   ${JSON.stringify(search)}\n  defaults ${defaults.language}-${defaults.country}\n  → ${url}\n`;
    });
    await expect(lines.join('\n')).toMatchFileSnapshot('../golden/source-urls.txt');
  });

  it('covers every kind', () => {
    expect(new Set(CASES.map(([, spec]) => spec.kind))).toEqual(new Set(SOURCE_KINDS));
  });

  it.each(CASES)('%s: the search reads back exactly and the URL is recognised as its kind', (_label, spec, search, defaults) => {
    const feed = buildFeedUrl(spec, search, defaults);
    expect(feed.kind).toBe(spec.kind);
    expect(guessKind(feed.url)).toBe(spec.kind);
    const url = new URL(feed.url);
    expect(url.href).toBe(feed.url);
    expect(url.hash).toBe('');
    const q = url.searchParams.get('q');
    if (spec.kind === 'hackernews') expect(q).toBe(spec.search ?? search.simple);
    else if (spec.kind === 'google-news' || spec.kind === 'bing-news' || spec.kind === 'reddit') expect(q).toBe(spec.search ?? search.google);
    else expect(feed.url).not.toContain('acme');
  });

  it('writes Google News language and country as Google does', () => {
    const params = (language: string, country: string): string[] => {
      const url = new URL(buildFeedUrl({ kind: 'google-news', language, country }, ACME, EN_US).url);
      return ['hl', 'gl', 'ceid'].map((k) => url.searchParams.get(k) ?? '');
    };
    expect(params('en', 'US')).toEqual(['en-US', 'US', 'US:en']);
    expect(params('EN', 'gb')).toEqual(['en-GB', 'GB', 'GB:en']);
    expect(params('de', 'CH')).toEqual(['de', 'CH', 'CH:de']);
  });

  // each edition as Google News' own links write it (they were hl=pt, BR:pt; es, MX:es; zh, TW:zh; fr, CA:fr)
  it.each([
    ['de', 'DE', ['de', 'DE', 'DE:de']],
    ['fr', 'FR', ['fr', 'FR', 'FR:fr']],
    ['fr', 'CA', ['fr-CA', 'CA', 'CA:fr']],
    ['es', 'ES', ['es', 'ES', 'ES:es']],
    ['es', 'MX', ['es-419', 'MX', 'MX:es-419']],
    ['es', 'US', ['es-419', 'US', 'US:es-419']],
    ['pt', 'BR', ['pt-BR', 'BR', 'BR:pt-419']],
    ['pt', 'PT', ['pt-PT', 'PT', 'PT:pt-150']],
    ['en', 'GB', ['en-GB', 'GB', 'GB:en']],
    ['zh', 'CN', ['zh-CN', 'CN', 'CN:zh-Hans']],
    ['zh', 'TW', ['zh-TW', 'TW', 'TW:zh-Hant']],
    ['ja', 'JP', ['ja', 'JP', 'JP:ja']],
  ])('Google News in %s for %s: hl, gl, ceid %j', (language, country, want) => {
    const url = new URL(buildFeedUrl({ kind: 'google-news', language, country }, ACME, EN_US).url);
    expect(['hl', 'gl', 'ceid'].map((k) => url.searchParams.get(k))).toEqual(want);
  });

  it('a language with no country searches its home edition, unless the config gives defaults.country', () => {
    const gl = (spec: SourceSpec, defaults: { language: string; country: string; countryFromLanguage?: boolean }) => new URL(buildFeedUrl(spec, ACME, defaults).url).searchParams.get('ceid');
    // (they were US:de and US:pt: editions Google News does not have)
    expect(gl({ kind: 'google-news', language: 'de' }, { ...EN_US, countryFromLanguage: true })).toBe('DE:de');
    expect(gl({ kind: 'google-news' }, { language: 'pt', country: 'US', countryFromLanguage: true })).toBe('BR:pt-419');
    expect(gl({ kind: 'google-news' }, { ...EN_US, countryFromLanguage: true })).toBe('US:en');
    expect(gl({ kind: 'google-news', language: 'de' }, { language: 'en', country: 'CH' })).toBe('CH:de');
  });

  it('returns a spec with a URL as that URL, whatever its kind', () => {
    const url = 'https://news.google.com/rss/search?q=acme&hl=en-US&gl=US&ceid=US:en';
    expect(buildFeedUrl({ kind: 'google-news', url }, ACME, EN_US)).toEqual({ kind: 'google-news', url });
  });

  it.each<[string, SourceSpec, Search, { language: string; country: string }, RegExp]>([
    ['a bad default language', { kind: 'google-news' }, ACME, { language: 'english', country: 'US' }, /language: expected a two-letter language code/],
    ['a bad default country', { kind: 'bing-news' }, ACME, { language: 'en', country: 'USA' }, /country: expected a two-letter country code/],
    ['an empty search', { kind: 'hackernews' }, { google: 'x', simple: '  ' }, EN_US, /search string is empty/],
    ['rss without a URL', { kind: 'rss' }, ACME, EN_US, /a feed URL is required/],
    ['mastodon without a hashtag', { kind: 'mastodon' }, ACME, EN_US, /a hashtag is required/],
    ['a bad subreddit', { kind: 'reddit', subreddit: 'no spaces' }, ACME, EN_US, /subreddit: expected a subreddit name/],
    ['an alerts URL that is not one', { kind: 'google-alerts', url: 'https://example.com/feed' }, ACME, EN_US, /Google Alert/],
  ])('throws a ConfigError for %s', (_label, spec, search, defaults, message) => {
    expect(() => buildFeedUrl(spec, search, defaults)).toThrow(ConfigError);
    expect(() => buildFeedUrl(spec, search, defaults)).toThrow(message);
  });
});

describe('parseSourceEntry', () => {
  it.each<[string, unknown, SourceSpec]>([
    ['a bare name', 'google-news', { kind: 'google-news' }],
    ['a bare name with spaces around', ' hackernews ', { kind: 'hackernews' }],
    ['a bare reddit', 'reddit', { kind: 'reddit' }],
    ['a name with nothing under it', { 'bing-news': null }, { kind: 'bing-news' }],
    ['a name with options', { 'google-news': { language: 'DE', country: 'at' } }, { kind: 'google-news', language: 'de', country: 'AT' }],
    ['reddit with a subreddit', { reddit: { subreddit: 'robotics' } }, { kind: 'reddit', subreddit: 'robotics' }],
    ['reddit shorthand, r/ prefix', { reddit: 'r/robotics' }, { kind: 'reddit', subreddit: 'robotics' }],
    ['reddit with search and sort', { reddit: { search: 'acme OR globex', sort: 'Top' } }, { kind: 'reddit', search: 'acme OR globex', sort: 'top' }],
    ['rss shorthand', { rss: 'https://blog.example/feed.xml' }, { kind: 'rss', url: 'https://blog.example/feed.xml' }],
    ['rss with url', { rss: { url: 'http://blog.example/feed' } }, { kind: 'rss', url: 'http://blog.example/feed' }],
    ['google-alerts shorthand', { 'google-alerts': ALERTS }, { kind: 'google-alerts', url: ALERTS }],
    ['mastodon', { mastodon: { instance: 'Fosstodon.org', hashtag: '#rust' } }, { kind: 'mastodon', instance: 'fosstodon.org', hashtag: 'rust' }],
    ['mastodon shorthand', { mastodon: '#robotics' }, { kind: 'mastodon', hashtag: 'robotics' }],
    ['mastodon, instance as a URL', { mastodon: { instance: 'https://hachyderm.io/', hashtag: 'ai' } }, { kind: 'mastodon', instance: 'hachyderm.io', hashtag: 'ai' }],
    ['type form', { type: 'reddit', subreddit: 'robotics' }, { kind: 'reddit', subreddit: 'robotics' }],
    ['type form, rss', { type: 'rss', url: 'https://blog.example/feed.xml' }, { kind: 'rss', url: 'https://blog.example/feed.xml' }],
    ['a plain URL', 'https://blog.example/feed.xml', { kind: 'rss', url: 'https://blog.example/feed.xml' }],
    ['a plain Google News URL', 'https://news.google.com/rss/search?q=acme', { kind: 'google-news', url: 'https://news.google.com/rss/search?q=acme' }],
    ['a url mapping', { url: 'https://hnrss.org/frontpage' }, { kind: 'hackernews', url: 'https://hnrss.org/frontpage' }],
    ['a numeric search', { hackernews: { search: 2026 } }, { kind: 'hackernews', search: '2026' }],
  ])('reads %s', (_label, raw, expected) => {
    expect(parseSourceEntry(raw)).toEqual(expected);
  });

  it.each<[string, unknown, string, string | undefined]>([
    ['nothing', null, 'expected a source name (google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss), a feed URL or a mapping, got nothing', undefined],
    ['a list', ['reddit'], 'expected a source name (google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss), a feed URL or a mapping, got a list', undefined],
    ['an unknown name', 'twitter', 'unknown source "twitter"; expected one of google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss, or a feed URL', undefined],
    ['a misspelt name', 'google_news', 'unknown source "google_news" (did you mean "google-news"?); expected one of google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss, or a feed URL', undefined],
    ['an abbreviation', { hn: null }, 'unknown source "hn" (did you mean "hackernews"?); expected one of google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss, or a feed URL', undefined],
    ['a misspelt type', { type: 'redit' }, 'unknown source "redit" (did you mean "reddit"?); expected one of google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss, or a feed URL', 'type'],
    ['rss without a URL', 'rss', 'expected the feed URL of rss: write { rss: https://example.com/feed.xml }', undefined],
    ['google-alerts without a URL', { 'google-alerts': null }, 'expected the feed URL of google-alerts: write { google-alerts: https://www.google.com/alerts/feeds/… }', 'google-alerts'],
    ['mastodon without a hashtag', 'mastodon', 'expected a hashtag for mastodon: write { mastodon: { hashtag: robotics, instance: mastodon.social } }', undefined],
    ['an unknown option', { reddit: { subredit: 'robotics' } }, 'unknown option for reddit (did you mean "subreddit"?); expected one of search, subreddit, sort', 'reddit.subredit'],
    ['an option of another kind', { hackernews: { language: 'en' } }, 'unknown option for hackernews; expected search', 'hackernews.language'],
    ['options beside the name', { reddit: null, subreddit: 'robotics' }, 'expected the options of reddit indented under it (reddit: { subreddit }), or a mapping with type: reddit', undefined],
    ['two sources in one entry', { reddit: null, hackernews: null }, 'expected one source per entry: a mapping with one key (the source name) or with type:, got the keys reddit, hackernews', undefined],
    ['an empty mapping', {}, 'expected a source, got an empty mapping', undefined],
    ['a string for a kind without shorthand', { 'google-news': 'acme' }, 'expected the options of google-news (search, language, country) as a mapping, or nothing, got "acme"', 'google-news'],
    ['a list of options', { reddit: ['robotics'] }, 'expected the options of reddit (search, subreddit, sort) as a mapping, got a list', 'reddit'],
    ['a bad language', { 'google-news': { language: 'english' } }, 'expected a two-letter language code such as en, de or fr, or one with its country such as pt-BR or en-GB, got "english"', 'google-news.language'],
    ['a bad country', { 'bing-news': { country: 'USA' } }, 'expected a two-letter country code such as US, GB or DE, got "USA"', 'bing-news.country'],
    ['an empty search', { hackernews: { search: '  ' } }, 'expected a search string, got "  "', 'hackernews.search'],
    ['a bad subreddit', { reddit: 'r/no spaces' }, 'expected a subreddit name (2 to 21 letters, digits or underscores, such as robotics), got "r/no spaces"', 'reddit.subreddit'],
    ['a too long subreddit', { type: 'reddit', subreddit: 'a'.repeat(22) }, `expected a subreddit name (2 to 21 letters, digits or underscores, such as robotics), got "${'a'.repeat(22)}"`, 'subreddit'],
    ['a bad sort', { reddit: { sort: 'newest' } }, 'expected one of relevance, hot, top, new, comments, got "newest"', 'reddit.sort'],
    ['a bad instance', { mastodon: { instance: 'mastodon.social/@me', hashtag: 'x' } }, 'expected the host name of a Mastodon server, such as mastodon.social, got "mastodon.social/@me"', 'mastodon.instance'],
    ['an instance that is not a host', { mastodon: { instance: 'localhost', hashtag: 'x' } }, 'expected the host name of a Mastodon server, such as mastodon.social, got "localhost"', 'mastodon.instance'],
    ['a bad hashtag', { mastodon: { hashtag: 'two words' } }, 'expected a hashtag (letters, digits and underscores, with or without the #), got "two words"', 'mastodon.hashtag'],
    ['a hashtag with punctuation', { mastodon: { hashtag: 'c++' } }, 'expected a hashtag (letters, digits and underscores, with or without the #), got "c++"', 'mastodon.hashtag'],
    ['an rss URL of another scheme', { rss: 'ftp://files.example/feed.xml' }, 'expected an http(s) feed URL, got "ftp://files.example/feed.xml"', 'rss.url'],
    ['an rss path', { rss: './feed.xml' }, 'expected an http(s) feed URL, got "./feed.xml"', 'rss.url'],
    ['a broken URL', 'https://exa mple.com/feed', 'expected an http(s) feed URL, got "https://exa mple.com/feed"', undefined],
    [
      'an alerts URL that is not one',
      { 'google-alerts': 'https://www.google.com/alerts?hl=en' },
      'expected the RSS feed URL of a Google Alert, https://www.google.com/alerts/feeds/<numbers>/<numbers> (in Google Alerts, choose "Deliver to: RSS feed" and copy the feed icon\'s link), got "https://www.google.com/alerts?hl=en"',
      'google-alerts.url',
    ],
    ['a plain alerts URL over http', ALERTS.replace('https:', 'http:'), expect.stringMatching(/^expected the RSS feed URL of a Google Alert/) as unknown as string, undefined],
    ['an alerts URL over http', { 'google-alerts': ALERTS.replace('https:', 'http:') }, expect.stringMatching(/^expected the RSS feed URL of a Google Alert/) as unknown as string, 'google-alerts.url'],
    // a feed link copied short of the alert's id: refused, instead of a 404 on every fetch
    ['an alerts URL without the alert', { 'google-alerts': 'https://www.google.com/alerts/feeds/01234567890123456789' }, expect.stringMatching(/^expected the RSS feed URL of a Google Alert, .*got "https:\/\/www.google.com\/alerts\/feeds\/01234567890123456789"$/) as unknown as string, 'google-alerts.url'],
    ['an alerts URL with more after the alert', { 'google-alerts': ALERTS + '/extra' }, expect.stringMatching(/^expected the RSS feed URL of a Google Alert/) as unknown as string, 'google-alerts.url'],
  ])('rejects %s', (_label, raw, error, field) => {
    expect(parseSourceEntry(raw)).toEqual(field === undefined ? { error } : { error, field });
  });

  it('accepts what it returns: every spec read builds a URL', () => {
    for (const raw of ['google-news', 'bing-news', 'reddit', 'hackernews', { mastodon: '#robotics' }, { reddit: 'robotics' }, { rss: 'https://b.example/f' }]) {
      const spec = parseSourceEntry(raw);
      expect(spec).not.toHaveProperty('error');
      expect(() => buildFeedUrl(spec as SourceSpec, ACME, EN_US)).not.toThrow();
    }
  });
});

describe('guessKind', () => {
  it.each<[string, SourceKind]>([
    ['https://news.google.com/rss/search?q=acme&hl=en-US&gl=US&ceid=US:en', 'google-news'],
    ['https://news.google.com/rss/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB', 'google-news'],
    [ALERTS, 'google-alerts'],
    ['https://google.com/alerts/feeds/1/2', 'google-alerts'],
    ['https://www.google.com/search?q=acme', 'rss'],
    ['https://www.bing.com/news/search?q=acme&format=rss', 'bing-news'],
    ['https://www.bing.com/search?q=acme&format=rss', 'rss'],
    ['https://www.reddit.com/r/robotics/.rss', 'reddit'],
    ['https://old.reddit.com/search.rss?q=acme', 'reddit'],
    ['https://reddit.com/r/robotics/new/.rss', 'reddit'],
    ['https://notreddit.com/feed', 'rss'],
    ['https://hnrss.org/newest?q=acme', 'hackernews'],
    ['https://hnrss.org/frontpage', 'hackernews'],
    ['https://news.ycombinator.com/rss', 'hackernews'],
    ['https://mastodon.social/tags/robotics.rss', 'mastodon'],
    ['https://fosstodon.org/tags/RustLang.rss', 'mastodon'],
    ['https://mastodon.social/@someone.rss', 'rss'],
    ['https://blog.example/tags/robotics/feed.rss', 'rss'],
    ['https://blog.example/feed.xml', 'rss'],
    ['file:///srv/feeds/a.xml', 'rss'],
    ['not a url', 'rss'],
  ])('%s → %s', (url, kind) => {
    expect(guessKind(url)).toBe(kind);
  });

  // one reading of a tag feed's URL for its kind, the topic's hashtag and the feed's label (a query string
  // after .rss stopped the topic's own reading, not the other two)
  it.each<[string, string | null, string]>([
    ['https://mastodon.social/tags/acme.rss', 'acme', 'mastodon #acme'],
    ['https://mastodon.social/tags/acme.rss?limit=40', 'acme', 'mastodon #acme'],
    ['https://fosstodon.org/tags/Z%C3%BCrich.rss#top', 'Z%C3%BCrich', 'mastodon #Zürich (fosstodon.org)'],
    ['https://blog.example/tags/robotics/feed.rss', null, 'blog.example/tags/robotics/feed.rss'],
    ['not a url', null, 'not a url'],
  ])('the tag feed %s: tag %s, shown as %s', (url, tag, label) => {
    expect(mastodonTag(url)).toBe(tag);
    expect(guessKind(url) === 'mastodon').toBe(tag !== null);
    expect(feedSourceLabel(url)).toBe(label);
  });
});

describe('source types', () => {
  it.each<[SourceKind, string]>([
    ['google-news', 'news'],
    ['google-alerts', 'news'],
    ['bing-news', 'news'],
    ['reddit', 'reddit'],
    ['hackernews', 'hackernews'],
    ['mastodon', 'mastodon'],
    ['rss', 'web'],
  ])('%s is %s', (kind, type) => {
    expect(sourceTypeOf(kind)).toBe(type);
  });

  it('a feed kind this version does not know (stored by a newer one) counts as the web', () => {
    expect(sourceTypeOf('bluesky')).toBe('web');
  });

  it.each([
    ['en', 'en'],
    [' DE ', 'de'],
    ['eng', null],
    [1, null],
  ])('normalizeLanguage(%j)', (raw, expected) => {
    const got = normalizeLanguage(raw);
    if (expected === null) expect(got).toHaveProperty('error');
    else expect(got).toBe(expected);
  });

  it.each([
    ['us', 'US'],
    ['GB', 'GB'],
    ['U.S.', null],
  ])('normalizeCountry(%j)', (raw, expected) => {
    const got = normalizeCountry(raw);
    if (expected === null) expect(got).toHaveProperty('error');
    else expect(got).toBe(expected);
  });
});
