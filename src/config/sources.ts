/**
 * Sources: where a topic's items come from. A topic names the sources to watch (`google-news`,
 * `reddit`, `{ mastodon: { hashtag: robotics } }`, `{ rss: https://… }`...) and its keywords once;
 * this module reads and validates each source entry. What each kind takes and how its feed URL is
 * built is in sources/, one file per kind. Pure: no I/O, no environment.
 */
import { closeEnough } from '../core/text.js';
import { SOURCE_KINDS, sourceOf, guessKind, type SourceKind } from './sources/index.js';
import { checkHttpUrl, describeValue, isError, normalizeTongue, type SourceEntryError, type SourceSpec } from './sources/kind.js';

export { DEFAULT_MASTODON_INSTANCE, mastodonTag } from './sources/mastodon.js';
export { REDDIT_SORTS } from './sources/reddit.js';
export { SOURCES, SOURCE_KINDS, buildFeedUrl, guessKind, languageHint, sourceOf, sourceTypeOf, type ExpandedFeed, type SourceKind } from './sources/index.js';
export {
  describeValue,
  normalizeCountry,
  normalizeLanguage,
  normalizeTongue,
  type SourceDefinition,
  type SourceEntryError,
  type SourceSpec,
  type SourceType,
} from './sources/kind.js';

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
  const checked = sourceOf(kind)!.options.url?.(url) ?? url;
  return isError(checked) ? checked : { kind, url: checked };
}

function fromValue(kind: SourceKind, value: unknown): SourceSpec | SourceEntryError {
  if (value === null || value === undefined) return fromOptions(kind, {}, kind);
  if (typeof value === 'string' || typeof value === 'number') {
    const key = sourceOf(kind)!.shorthand;
    if (key === undefined) {
      return { error: `expected the options of ${kind} (${optionsOf(kind).join(', ')}) as a mapping, or nothing, got ${describeValue(value)}`, field: kind };
    }
    return fromOptions(kind, { [key]: value }, kind);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { error: `expected the options of ${kind} (${optionsOf(kind).join(', ')}) as a mapping, got ${describeValue(value)}`, field: kind };
  }
  return fromOptions(kind, value as Obj, kind);
}

function fromOptions(kind: SourceKind, options: Obj, at: string): SourceSpec | SourceEntryError {
  const field = (name: string): string => (at ? `${at}.${name}` : name);
  const def = sourceOf(kind)!;
  const allowed = optionsOf(kind);
  for (const key of Object.keys(options)) {
    if (!(allowed as readonly string[]).includes(key)) {
      const near = allowed.find((a) => closeEnough(a, key));
      return {
        error: `unknown option for ${kind}${near ? ` (did you mean "${near}"?)` : ''}; expected ${allowed.length > 1 ? 'one of ' : ''}${allowed.join(', ')}`,
        field: field(key),
      };
    }
  }
  // a language with its country (pt-BR, en-GB), as topics[].languages takes it: that language, in that country
  const tongue = def.options.language && def.options.country ? withCountry(options.language, options.country) : null;
  if (tongue && 'error' in tongue) return { error: tongue.error, field: field('language') };
  if (tongue) options = { ...options, ...tongue };
  const spec: SourceSpec = { kind };
  for (const [key, check] of Object.entries(def.options)) {
    if (options[key] === undefined || options[key] === null) continue;
    const value = check(options[key]);
    if (isError(value)) return { ...value, field: field(key) };
    (spec as unknown as Record<string, string>)[key] = value;
  }
  const missing = def.missing?.(spec);
  if (missing) return { error: missing, ...(at ? { field: at } : {}) };
  return spec;
}

/**
 * A `language` written with its country (`pt-BR`, `en_GB`) as the language and the country (`pt`, `BR`), or
 * null when it is not so written; a `country` given beside it that says another is an error.
 */
export function withCountry(language: unknown, country: unknown): { language: string; country: string } | SourceEntryError | null {
  const t = typeof language === 'string' && /[-_]/.test(language) ? normalizeTongue(language) : null;
  if (!t || 'error' in t || t.country === null) return null;
  if (country !== undefined && country !== null && String(country).trim().toUpperCase() !== t.country) {
    return { error: `"${String(language).trim()}" names the country ${t.country}, and country says ${describeValue(country)}: give the country once` };
  }
  return { language: t.language, country: t.country };
}

/** The options a kind takes besides its name. */
function optionsOf(kind: SourceKind): string[] {
  return Object.keys(sourceOf(kind)!.options);
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
