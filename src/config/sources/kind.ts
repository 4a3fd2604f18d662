/**
 * What a source kind is (google-news, reddit, rss...): one file per kind in this folder, listed in
 * index.ts. A kind says which options its config entry takes and how to check them, what kind of outlet
 * it is, whether it searches for the topic, which language its items are in, what its URLs look like,
 * and where its items come from: a feed URL (fetched and parsed by fetch/ and parse/) or, for a source
 * that is not a feed, a reader of its own in ingest/sources/. Pure: no I/O, no environment.
 */
import { ConfigError } from '../../core/errors.js';
import { languageCode } from '../../core/language.js';

/** The kind of outlet a source is, for "corroborated by N source types". */
export type SourceType = 'news' | 'reddit' | 'hackernews' | 'mastodon' | 'web';

/** A source entry of the config, checked. Which fields a kind takes is its `options`. */
export interface SourceSpec {
  kind: string;
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
  /** A local file (ndjson): absolute, or relative to the config file's folder. */
  path?: string;
}

export type SourceOption = Exclude<keyof SourceSpec, 'kind'>;

/** A source entry that is not valid: what was expected, and where inside the entry (e.g. `reddit.subreddit`), if not the entry itself. */
export interface SourceEntryError {
  error: string;
  field?: string;
}

/** Checks one option's raw value: the value to keep, or what was expected. */
export type OptionCheck = (raw: unknown) => string | SourceEntryError;

/** What building a kind's feed URL may use: the search string, language and country, each checked. */
export interface UrlParts {
  /** The search string for an engine of this syntax (the spec's own search if it has one); throws when empty. */
  query(engine: 'google' | 'simple'): string;
  /** The language (the spec's, else the default). */
  language(): string;
  /** The country (the spec's, else the default). */
  country(): string;
  /** An option's value, checked again (throws ConfigError naming the option). */
  checked(field: SourceOption, check: OptionCheck, value: unknown): string;
  /** A local path as an absolute one (relative paths are relative to the config file's folder). */
  file(path: string): string;
}

export interface SourceDefinition<K extends string = string> {
  readonly kind: K;
  readonly type: SourceType;
  /** The options its entry takes besides its name, in the order they are checked. */
  readonly options: Readonly<Partial<Record<SourceOption, OptionCheck>>>;
  /** What a one-string value means (`{ rss: https://… }`, `{ reddit: robotics }`), if anything. */
  readonly shorthand?: SourceOption;
  /** It searches for the topic: it needs the topic's keywords or query, or a search of its own. */
  readonly searches: boolean;
  /** Its items are in the configured language (a news search asked for one): a hint for language identification. */
  readonly configuredLanguage?: boolean;
  /** What a complete entry of this kind still lacks (a required option), or null. */
  missing?(spec: SourceSpec): string | null;
  /** Does this URL look like one of this kind's feeds? (guessing a plain URL's kind) */
  readonly recognizes?: (url: UrlView) => boolean;
  /** The feed URL for an entry without a `url`; a kind that needs one given throws a ConfigError. */
  feedUrl?(spec: SourceSpec, parts: UrlParts): string;
  /**
   * Not a feed: its items are read by ingest/sources/<kind>.ts from the id its `feedUrl` gives (a URL-like
   * string with the kind's own scheme, `ndjson:/path/to/items.ndjson`), instead of fetched and parsed.
   */
  readonly readsItems?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by several kinds

/** A config value as an error message shows it: "nothing", "a list", "a mapping", a quoted string, or its type and value. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

export function isError(value: unknown): value is SourceEntryError {
  return value !== null && typeof value === 'object' && 'error' in value;
}

/** A two-letter language code, lower case (`en`, `de`), or what was expected. */
export function normalizeLanguage(raw: unknown): string | SourceEntryError {
  // the program's rule (core/language.ts), without a region: a search engine is asked for this language
  const code = languageCode(raw);
  if (code !== null && (raw as string).trim().length === 2) return code;
  return { error: `expected a two-letter language code such as en, de or fr, or one with its country such as pt-BR or en-GB, got ${describeValue(raw)}` };
}

/**
 * A language as a topic's `languages` lists it: a two-letter code, or one with its country (`pt-BR`, `en-GB`):
 * items are matched by the language; a search source asks for that country's edition.
 */
export function normalizeTongue(raw: unknown): { language: string; country: string | null } | SourceEntryError {
  const m = typeof raw === 'string' ? /^\s*([a-z]{2})(?:[-_]([a-z]{2}))?\s*$/i.exec(raw) : null;
  if (m) return { language: m[1]!.toLowerCase(), country: m[2]?.toUpperCase() ?? null };
  return { error: `expected a two-letter language code such as en, de or fr, or one with its country such as pt-BR or en-GB, got ${describeValue(raw)}` };
}

/**
 * The country of a language's main news edition (de: DE, pt: BR, ja: JP), for a search in that language that
 * names no country: Google News has no German edition for the US, and Bing no de-US market.
 */
const HOME_COUNTRY: Record<string, string> = {
  en: 'US', de: 'DE', fr: 'FR', es: 'ES', pt: 'BR', it: 'IT', nl: 'NL', sv: 'SE', no: 'NO', nb: 'NO', da: 'DK',
  fi: 'FI', pl: 'PL', cs: 'CZ', sk: 'SK', hu: 'HU', ro: 'RO', el: 'GR', tr: 'TR', ru: 'RU', uk: 'UA', he: 'IL',
  ar: 'EG', hi: 'IN', id: 'ID', ms: 'MY', th: 'TH', vi: 'VN', ja: 'JP', ko: 'KR', zh: 'CN', bg: 'BG', sr: 'RS',
  sl: 'SI', lt: 'LT', lv: 'LV', et: 'EE', ta: 'IN', bn: 'BD',
};
export function homeCountry(language: string): string | undefined {
  return HOME_COUNTRY[language];
}

/** A two-letter country code, upper case (`US`, `DE`), or what was expected. */
export function normalizeCountry(raw: unknown): string | SourceEntryError {
  if (typeof raw === 'string' && /^[a-z]{2}$/i.test(raw.trim())) return raw.trim().toUpperCase();
  return { error: `expected a two-letter country code such as US, GB or DE, got ${describeValue(raw)}` };
}

export function checkSearch(raw: unknown): string | SourceEntryError {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
  if (s === null || s === '') return { error: `expected a search string, got ${describeValue(raw)}` };
  return s;
}

export function checkHttpUrl(raw: unknown): string | SourceEntryError {
  const expected = { error: `expected an http(s) feed URL, got ${describeValue(raw)}` };
  if (typeof raw !== 'string' || !/^https?:\/\//i.test(raw.trim())) return expected;
  try {
    return new URL(raw.trim()).href;
  } catch {
    return expected;
  }
}

/** An https URL with the given query, every value encoded as a form value (`+` for space); `:` is left readable. */
export function withQuery(base: string, params: [string, string][]): string {
  const url = new URL(base);
  url.search = new URLSearchParams(params).toString().replace(/%3A/g, ':');
  return url.href;
}

/** The value, or a ConfigError naming the source and the option. */
export function ok<T>(value: T | SourceEntryError, kind: string, field: string): T {
  if (isError(value)) throw new ConfigError(`source ${kind}: ${field}: ${value.error}`);
  return value;
}

/**
 * What `recognizes` may read of a URL: read once per URL by guessKind (a URL's getters, read by each kind in
 * turn, were about a third of guessing the kinds of a config's 2,000 feeds, each command's start).
 */
export type UrlView = Pick<URL, 'hostname' | 'pathname' | 'protocol'>;
