/**
 * The source kinds, one file each: adding one (say Bluesky) is a file beside these and a line in
 * SOURCES. The order is the order kinds are listed in messages and tried when guessing a URL's kind
 * (rss, which takes any URL, last).
 */
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { bingNews } from './bing-news.js';
import { googleAlerts } from './google-alerts.js';
import { googleNews } from './google-news.js';
import { hackernews } from './hackernews.js';
import { checkHttpUrl, homeCountry, normalizeCountry, normalizeLanguage, ok, type SourceDefinition, type SourceSpec, type SourceType, type UrlView } from './kind.js';
import { mastodon } from './mastodon.js';
import { ndjson } from './ndjson.js';
import { reddit } from './reddit.js';
import { rss } from './rss.js';

export const SOURCES = [googleNews, googleAlerts, bingNews, reddit, hackernews, mastodon, ndjson, rss] as const;

export type SourceKind = (typeof SOURCES)[number]['kind'];
export const SOURCE_KINDS: readonly SourceKind[] = SOURCES.map((s) => s.kind);

const BY_KIND = new Map<string, SourceDefinition>(SOURCES.map((s) => [s.kind, s]));

/** The definition of a kind (undefined for a name that is not one). */
export function sourceOf(kind: string): SourceDefinition | undefined {
  return BY_KIND.get(kind);
}

/** The kind of outlet a feed of this kind is ('web' for a plain feed, or a kind this version does not know). */
export function sourceTypeOf(kind: string): SourceType {
  return BY_KIND.get(kind)?.type ?? 'web';
}

export interface ExpandedFeed {
  url: string;
  kind: SourceKind;
}

/**
 * Builds the feed URL. `search` is the engine search string (already in the engine's syntax):
 * `google` for Google News, Bing News and Reddit, `simple` for Hacker News; spec.search overrides
 * it. A spec with a `url` is that URL. Throws ConfigError for a spec or defaults that
 * parseSourceEntry/normalizeLanguage/normalizeCountry would have rejected.
 */
export function buildFeedUrl(
  spec: SourceSpec,
  search: { google: string; simple: string },
  defaults: { language: string; country: string; countryFromLanguage?: boolean; dir?: string },
): ExpandedFeed {
  const kind = spec.kind as SourceKind;
  const def = BY_KIND.get(kind);
  if (!def) throw new ConfigError(`source ${kind}: unknown source`);
  if (spec.url !== undefined) return { kind, url: ok((def.options.url ?? checkHttpUrl)(spec.url), kind, 'url') };
  if (!def.feedUrl) throw new ConfigError(`source ${kind}: a feed URL is required`);
  const url = def.feedUrl(spec, {
    query(engine) {
      const q = (spec.search ?? search[engine]).trim();
      if (q === '') throw new ConfigError(`source ${kind}: the search string is empty`);
      return q;
    },
    language: () => ok(normalizeLanguage(spec.language ?? defaults.language), kind, 'language'),
    // countryFromLanguage (the config writes no defaults.country): a language with no country of its own
    // searches its home edition (de: DE), not the built-in US
    country: () => {
      const home = !defaults.countryFromLanguage ? undefined : homeCountry(String(spec.language ?? defaults.language).trim().toLowerCase());
      return ok(normalizeCountry(spec.country ?? home ?? defaults.country), kind, 'country');
    },
    checked: (field, check, value) => ok(check(value), kind, field),
    file: (p) => path.resolve(defaults.dir ?? '.', p),
  });
  return { kind, url };
}

/** The language a source's items are expected in (a hint for language identification), if it says. */
export function languageHint(spec: SourceSpec, defaultLanguage: string): string | undefined {
  return spec.language ?? (BY_KIND.get(spec.kind)?.configuredLanguage ? defaultLanguage : undefined);
}

/**
 * Which source a URL looks like: news.google.com → google-news, google.com/alerts/feeds →
 * google-alerts, bing.com/news → bing-news, reddit.com → reddit, hnrss.org (and Hacker News' own
 * RSS) → hackernews, `/tags/<tag>.rss` on any other host → mastodon, anything else → rss.
 */
export function guessKind(url: string | URL): SourceKind {
  let u: URL;
  try {
    // (a URL already parsed is not parsed again: a config's 2,000 feeds took ~5 ms of each command's start a parse)
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return 'rss';
  }
  const view: UrlView = { hostname: u.hostname, pathname: u.pathname, protocol: u.protocol };
  return SOURCES.find((s: SourceDefinition) => s.recognizes?.(view))?.kind ?? 'rss';
}
