import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { isPostgresUrl } from '../core/paths.js';
import { closeEnough } from '../core/text.js';
import { baselineProblem } from '../core/limits.js';
import { canonicalZone, formatDuration, knownZone, parseDurationMs } from '../core/time.js';
import { QuerySyntaxError, formatQuery, keywordsToQuery, parseQuery, searchString, type QueryNode } from './query.js';
import { validateNotify, type NotifyConfig } from './notify.js';
import { SOURCE_KINDS, buildFeedUrl, describeValue, guessKind, languageHint, mastodonTag, normalizeCountry, normalizeLanguage, normalizeTongue, parseSourceEntry, sourceOf, withCountry, type SourceKind } from './sources.js';

import { SENSITIVITIES, type Sensitivity } from './sensitivity.js';

export { SENSITIVITIES, type Sensitivity } from './sensitivity.js';

export interface TopicConfig {
  name: string;
  /**
   * What an item must say to belong to the topic (from `query:`, or `keywords:` as any of them, minus
   * `exclude:`), matched on title and summary. Null for a topic of whole feeds: every item of its feeds.
   */
  query: QueryNode | null;
  /** The query in its canonical text form (null with the query). */
  queryText: string | null;
  /** The query's positive words and phrases (left out of a moment's "top terms"). */
  keywords: string[];
  /** Only items in these languages (ISO 639-1) count; null for any. Items whose language cannot be told count. */
  languages: string[] | null;
  /** Match words by their stem in the item's language ("recall" matches "recalled"). */
  stem: boolean;
  /** Feed URLs (http, https or file) watched for this topic: its `feeds:` and the URLs its `sources:` expand to. */
  feeds: string[];
  /** Per-topic bucket size: a duration, 'auto' (chosen from the topic's volume), or null for the default. */
  bucketMs: number | 'auto' | null;
  /** Labels for routing notifications (`notify.routes[].tags`); absent or empty: none. */
  tags?: string[];
}

export interface Config {
  /** The file it was read from, or null for the built-in defaults. */
  file: string | null;
  /** Database path from the file's `database:` key (resolved against the file's folder), or null. */
  database: string | null;
  defaults: {
    /** Bucket size, or 'auto': chosen per topic from its volume. */
    bucketMs: number | 'auto';
    baselineMs: number;
    sensitivity: Sensitivity;
    /** Language and country for search sources (Google News, Bing) that do not say. */
    language: string;
    country: string;
    /**
     * The team's time zone (IANA), `--tz` over `defaults.timeZone`, else UTC: how times are shown to people
     * and where a day (`digest --day`, a date alone on the command line) begins. Stored and machine-read times stay UTC.
     */
    timeZone: string;
  };
  fetch: {
    /** Feeds fetched at once, in all. */
    concurrency: number;
    /** Requests at once to one host. */
    perHost: number;
    /** Minimum time between the starts of two requests to one host. */
    hostDelayMs: number;
    /** A feed is fetched again once this long has passed (longer if the server asks, by max-age or <ttl>). */
    intervalMs: number;
    /** Retries of a transient failure (timeout, reset, 429, 5xx) within one run. */
    retries: number;
    timeoutMs: number;
    maxBytes: number;
    /** A feed failing this many runs in a row is a warning in the run summary. */
    warnAfter: number;
    /** Hosts (or host:port) a redirect may lead to although they are local: intranet feeds. */
    allowRedirectsTo: string[];
    /** Per-host manners (host, or host:port, lower case) instead of perHost and hostDelayMs: servers you own. */
    hosts: Map<string, HostManners>;
  };
  /** How moments are ranked (`rank:`). */
  rank: {
    /**
     * Attention points a moment gains for involving a known account (momentscan accounts import), times the
     * confidence of its strongest account match (0 to 1): 0 ranks as if there were no accounts.
     */
    accountsWeight: number;
  };
  topics: TopicConfig[];
  /** Feeds not tied to a topic: their items are matched against every topic. */
  feeds: string[];
  /** What kind of source each feed URL is (google-news, reddit, hackernews, mastodon, rss...). */
  feedKinds: Map<string, SourceKind>;
  /** The language a search feed was asked for (its items' language hint). */
  feedLanguages: Map<string, string>;
  /** Titles and tags given to feeds in the config (`{ url, title, tags }` entries). */
  feedTitles: Map<string, string>;
  feedTags: Map<string, string[]>;
  /** Where `momentscan digest --send` mails the digest; null when the file has no `email:` section. */
  email: EmailConfig | null;
  /** Where moments are sent as they happen (`momentscan notify`); null when the file has no `notify:` section. */
  notify?: NotifyConfig | null;
}

/** The `email:` section: recipients and SMTP server of the emailed digest. */
export interface EmailConfig {
  /** Recipients (addresses, or `Name <address>`); `--to` replaces them. */
  to: string[];
  /** The From address, or null for `momentscan@<this host>`. */
  from: string | null;
  /** SMTP server URL (`smtp://user@host:587`, `smtps://user@host:465`); `$MOMENTSCAN_SMTP_URL` wins. */
  smtp: string | null;
  /** File holding the SMTP password (resolved against the config file's folder), read when sending. */
  passwordFile: string | null;
  /** Subject prefix (default "momentscan"). */
  subjectPrefix: string;
}

/** rank.accountsWeight when the config does not say: a moment involving a known account ranks as if 2 more surprising. */
export const DEFAULT_ACCOUNTS_WEIGHT = 2;

/**
 * The longest a configured wait may be when a timer waits it (fetch.timeout, fetch.hostDelay, notify.timeout,
 * notify.deadline): an hour, far more than any of them needs. (Node's timers take at most 24.8 days: a longer
 * wait fired at once, with a TimeoutOverflowWarning — every feed 'timed out' at once, or a host's delay spun.)
 */
export const TIMER_MAX_MS = 3_600_000;

/**
 * The largest fetch.maxBytes: a body is held whole while it is read and parsed (a 600 MB one took 1.9 GB,
 * and one of over 512 MB cannot be made text at all), and each of fetch.concurrency feeds may be that big.
 */
export const MAX_BODY_BYTES = 256 * 1024 ** 2;

export const DEFAULTS = {
  bucketMs: 'auto' as number | 'auto',
  baselineMs: 14 * 86_400_000,
  sensitivity: 'medium' as Sensitivity,
  language: 'en',
  country: 'US',
  concurrency: 8,
  perHost: 2,
  hostDelayMs: 250,
  intervalMs: 15 * 60_000,
  retries: 2,
  timeoutMs: 20_000,
  maxBytes: 5 * 1024 * 1024,
  warnAfter: 3,
};

/** Requests at once and the delay between their starts, for one host. */
export interface HostManners {
  perHost: number;
  hostDelayMs: number;
}

export function defaultConfig(): Config {
  return {
    file: null,
    database: null,
    defaults: {
      bucketMs: DEFAULTS.bucketMs,
      baselineMs: DEFAULTS.baselineMs,
      sensitivity: DEFAULTS.sensitivity,
      language: DEFAULTS.language,
      country: DEFAULTS.country,
      timeZone: 'UTC',
    },
    fetch: {
      concurrency: DEFAULTS.concurrency,
      perHost: DEFAULTS.perHost,
      hostDelayMs: DEFAULTS.hostDelayMs,
      intervalMs: DEFAULTS.intervalMs,
      retries: DEFAULTS.retries,
      timeoutMs: DEFAULTS.timeoutMs,
      maxBytes: DEFAULTS.maxBytes,
      warnAfter: DEFAULTS.warnAfter,
      allowRedirectsTo: [],
      hosts: new Map(),
    },
    rank: { accountsWeight: DEFAULT_ACCOUNTS_WEIGHT },
    topics: [],
    feeds: [],
    feedKinds: new Map(),
    feedLanguages: new Map(),
    feedTitles: new Map(),
    feedTags: new Map(),
    email: null,
    notify: null,
  };
}

type Obj = Record<string, unknown>;

/** Validates the parsed YAML document and returns a typed config. Errors name the file and the field path. */
export function validateConfig(doc: unknown, file: string): Config {
  const v: Validator = new Validator(file);
  const cfg = defaultConfig();
  cfg.file = file;
  if (doc === null || doc === undefined) return cfg; // an empty file is a valid, empty config
  const root = v.object(doc, '');
  v.keys(root, '', ['defaults', 'fetch', 'rank', 'topics', 'feeds', 'database', 'email', 'notify']);
  const dir = path.dirname(file);

  if (root.database !== undefined && root.database !== null) {
    const db = v.string(root.database, 'database');
    // a postgres:// URL, or a file path relative to the config's folder
    cfg.database = isPostgresUrl(db) ? db.trim() : v.path(db, 'database', dir);
  }
  /** defaults.country is written in the config (else a search in a language names that language's home country). */
  let countryGiven = false;
  if (root.defaults !== undefined && root.defaults !== null) {
    const d = v.object(root.defaults, 'defaults');
    v.keys(d, 'defaults', ['bucket', 'baseline', 'sensitivity', 'language', 'country', 'timeZone']);
    if (d.timeZone !== undefined && d.timeZone !== null) cfg.defaults.timeZone = v.timeZone(d.timeZone, 'defaults.timeZone');
    // (pt-BR: the language pt, the country BR, as topics[].languages and a source's language take it)
    const tongue = withCountry(d.language, d.country);
    if (tongue && 'error' in tongue) v.fail('defaults.language', tongue.error);
    const language = tongue ? tongue.language : d.language;
    const country = tongue ? tongue.country : d.country;
    countryGiven = country !== undefined && country !== null;
    if (language !== undefined) cfg.defaults.language = v.code(normalizeLanguage(language), 'defaults.language');
    if (country !== undefined) cfg.defaults.country = v.code(normalizeCountry(country), 'defaults.country');
    if (d.bucket !== undefined) cfg.defaults.bucketMs = d.bucket === 'auto' ? 'auto' : v.duration(d.bucket, 'defaults.bucket', 60_000);
    if (d.baseline !== undefined) cfg.defaults.baselineMs = v.duration(d.baseline, 'defaults.baseline', 3_600_000);
    if (d.sensitivity !== undefined) cfg.defaults.sensitivity = v.oneOf(d.sensitivity, 'defaults.sensitivity', SENSITIVITIES);
    if (cfg.defaults.baselineMs < 4 * (cfg.defaults.bucketMs === 'auto' ? 86_400_000 : cfg.defaults.bucketMs)) {
      v.fail('defaults.baseline', `must be at least 4 buckets long (bucket is ${String(d.bucket ?? 'auto')}; auto buckets go up to 1d)`);
    }
    const tooLong = baselineProblem(cfg.defaults.baselineMs, cfg.defaults.bucketMs, 'defaults.bucket');
    if (tooLong) v.fail('defaults.baseline', tooLong);
  }
  if (root.fetch !== undefined && root.fetch !== null) {
    const f = v.object(root.fetch, 'fetch');
    v.keys(f, 'fetch', ['concurrency', 'perHost', 'hostDelay', 'interval', 'retries', 'timeout', 'maxBytes', 'warnAfter', 'allowRedirectsTo', 'hosts']);
    if (f.concurrency !== undefined) cfg.fetch.concurrency = v.integer(f.concurrency, 'fetch.concurrency', 1, 256);
    if (f.perHost !== undefined) cfg.fetch.perHost = v.integer(f.perHost, 'fetch.perHost', 1, 64);
    if (f.hostDelay !== undefined) cfg.fetch.hostDelayMs = v.duration(f.hostDelay, 'fetch.hostDelay', 0, TIMER_MAX_MS);
    if (f.interval !== undefined) cfg.fetch.intervalMs = v.duration(f.interval, 'fetch.interval', 0);
    if (f.retries !== undefined) cfg.fetch.retries = v.integer(f.retries, 'fetch.retries', 0, 10);
    if (f.warnAfter !== undefined) cfg.fetch.warnAfter = v.integer(f.warnAfter, 'fetch.warnAfter', 1, 1000);
    if (f.timeout !== undefined) cfg.fetch.timeoutMs = v.duration(f.timeout, 'fetch.timeout', 1000, TIMER_MAX_MS);
    if (f.maxBytes !== undefined) cfg.fetch.maxBytes = v.bytes(f.maxBytes, 'fetch.maxBytes', MAX_BODY_BYTES);
    if (f.allowRedirectsTo !== undefined && f.allowRedirectsTo !== null) cfg.fetch.allowRedirectsTo = v.stringList(f.allowRedirectsTo, 'fetch.allowRedirectsTo').map((h) => h.toLowerCase());
    if (f.hosts !== undefined && f.hosts !== null) {
      // after perHost and hostDelay: what a host does not set, it takes from them
      const hosts = v.object(f.hosts, 'fetch.hosts');
      for (const [host, value] of Object.entries(hosts)) {
        const p = `fetch.hosts.${host}`;
        if (!/^[a-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/i.test(host)) v.fail(p, 'must be a host name, or host:port, as in the feed URLs (e.g. feeds.example.com or 127.0.0.1:8080)');
        const h = v.object(value, p);
        v.keys(h, p, ['perHost', 'hostDelay']);
        cfg.fetch.hosts.set(host.toLowerCase(), {
          perHost: h.perHost !== undefined ? v.integer(h.perHost, `${p}.perHost`, 1, 64) : cfg.fetch.perHost,
          hostDelayMs: h.hostDelay !== undefined ? v.duration(h.hostDelay, `${p}.hostDelay`, 0, TIMER_MAX_MS) : cfg.fetch.hostDelayMs,
        });
      }
    }
  }
  if (root.rank !== undefined && root.rank !== null) {
    const r = v.object(root.rank, 'rank');
    v.keys(r, 'rank', ['accountsWeight']);
    if (r.accountsWeight !== undefined) {
      const w = r.accountsWeight;
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 20) v.fail('rank.accountsWeight', 'expected a number from 0 to 20 (attention points for a moment involving a known account; 0: none)');
      cfg.rank.accountsWeight = w;
    }
  }
  if (root.topics !== undefined && root.topics !== null) {
    const topics = v.array(root.topics, 'topics');
    const seen = new Map<string, number>();
    topics.forEach((t, i) => {
      const p = `topics[${i}]`;
      const o = v.object(t, p);
      v.keys(o, p, ['name', 'keywords', 'query', 'exclude', 'languages', 'stem', 'sources', 'feeds', 'bucket', 'tags']);
      const name = v.string(o.name, `${p}.name`).trim();
      if (!name) v.fail(`${p}.name`, 'must not be empty');
      const key = name.toLowerCase();
      if (seen.has(key)) v.fail(`${p}.name`, `"${name}" is already used by topics[${seen.get(key)}]; topic names must be unique`);
      seen.set(key, i);
      const has = (k: string) => o[k] !== undefined && o[k] !== null;
      if (has('keywords') && has('query')) v.fail(`${p}.query`, 'give keywords or a query, not both');
      for (const k of ['keywords', 'exclude'] as const) {
        // `keywords: acme, northwind` is one string in YAML, a phrase no text contains
        if (typeof o[k] === 'string' && o[k].includes(',')) {
          const parts = o[k].split(',').map((x) => x.trim()).filter(Boolean);
          v.fail(`${p}.${k}`, `got one string with commas in it ("${o[k]}"); write a list: ${k}: [${parts.join(', ')}]`);
        }
      }
      const keywords = has('keywords') ? v.stringList(o.keywords, `${p}.keywords`) : [];
      if (has('keywords') && keywords.length === 0) v.fail(`${p}.keywords`, 'expected at least one keyword or phrase');
      const exclude = has('exclude') ? v.stringList(o.exclude, `${p}.exclude`) : [];
      for (const [k, list] of [['keywords', keywords], ['exclude', exclude]] as const) {
        // a keyword is matched by its words: `#`, `&` or `+` alone has none (the query would be empty)
        if (list.length > 0 && !list.some((w) => /[\p{L}\p{N}]/u.test(w)))
          v.fail(`${p}.${k}`, `expected a keyword or phrase with letters or digits, got ${list.map((w) => JSON.stringify(w)).join(', ')} (words are matched, not punctuation)`);
      }
      let query: QueryNode | null = null;
      if (has('query')) {
        const text = v.string(o.query, `${p}.query`);
        try {
          query = parseQuery(text);
        } catch (err) {
          if (!(err instanceof QuerySyntaxError)) throw err;
          v.fail(`${p}.query`, `${err.reason} at column ${err.position + 1} of "${text}"`);
        }
        if (exclude.length) query = { type: 'and', children: [query, { type: 'not', child: keywordsToQuery(exclude) }] };
      } else if (keywords.length) {
        query = keywordsToQuery(keywords, exclude);
      } else if (exclude.length) {
        v.fail(`${p}.exclude`, 'needs keywords or a query to exclude from');
      }
      // (pt-BR, en-GB: matched as pt, en; a search source asks for that country's edition)
      const tongues = has('languages')
        ? v.stringList(o.languages, `${p}.languages`).map((l, k) => {
            const t = normalizeTongue(l);
            if ('error' in t) v.fail(`${p}.languages[${k}]`, t.error);
            return t;
          })
        : null;
      const languages = tongues ? [...new Set(tongues.map((t) => t.language))] : null;
      const stem = has('stem') ? v.boolean(o.stem, `${p}.stem`) : false;
      const feeds = has('feeds') ? v.feedList(o.feeds, `${p}.feeds`, dir, { titles: cfg.feedTitles, tags: cfg.feedTags, kinds: cfg.feedKinds }) : [];
      if (has('sources')) {
        const list = v.array(o.sources, `${p}.sources`);
        list.forEach((raw, k) => {
          const at = `${p}.sources[${k}]`;
          if (typeof raw === 'string' && !/^[a-z][a-z-]*$/i.test(raw) && !/^https?:/i.test(raw)) {
            // a local path or file URL: a plain feed
            const url = feedUrl(raw, dir) ?? v.fail(at, `expected a source name, a URL or a local path, got "${raw}"`);
            feeds.push(url);
            cfg.feedKinds.set(url, 'rss');
            return;
          }
          const spec = parseSourceEntry(raw);
          if ('error' in spec) v.fail(spec.field ? `${at}.${spec.field}` : at, spec.error);
          if (sourceOf(spec.kind)!.searches && !query && !spec.search) v.fail(at, `a ${spec.kind} source searches for the topic: give the topic keywords or a query (or the source a search)`);
          const search = query ? { google: searchString(query, 'google'), simple: searchString(query, 'simple') } : { google: '', simple: '' };
          // a search in a language of its own (Google News, Bing) that names none searches in each of the
          // topic's languages: `languages: [de]` is German news, not the defaults' English
          const asked = sourceOf(spec.kind)!.configuredLanguage && spec.language === undefined && tongues?.length ? tongues : [null];
          for (const t of asked) {
            const one = t === null ? spec : { ...spec, language: t.language, ...(spec.country === undefined && t.country ? { country: t.country } : {}) };
            let built;
            try {
              built = buildFeedUrl(one, search, { language: cfg.defaults.language, country: cfg.defaults.country, countryFromLanguage: !countryGiven, dir });
            } catch (err) {
              v.fail(at, err instanceof Error ? err.message.replace(/^source [\w-]+: /, '') : String(err));
            }
            feeds.push(built.url);
            cfg.feedKinds.set(built.url, built.kind);
            const lang = languageHint(one, cfg.defaults.language);
            if (lang) cfg.feedLanguages.set(built.url, lang);
          }
        });
      }
      if (!query && feeds.length === 0) v.fail(p, 'expected keywords, a query, or feeds whose every item belongs to the topic');
      const bucketMs = o.bucket === undefined ? null : o.bucket === 'auto' ? 'auto' : v.duration(o.bucket, `${p}.bucket`, 60_000);
      if (typeof bucketMs === 'number') {
        if (cfg.defaults.baselineMs < 4 * bucketMs) v.fail(`${p}.bucket`, `must be at most a quarter of the baseline (defaults.baseline is ${formatDuration(cfg.defaults.baselineMs)})`);
        const tooMany = baselineProblem(cfg.defaults.baselineMs, bucketMs, `${p}.bucket`);
        if (tooMany) v.fail(`${p}.bucket`, tooMany);
      }
      if (query) query = withHashtags(query, feeds, cfg.feedKinds);
      cfg.topics.push({
        name,
        query,
        queryText: query ? formatQuery(query) : null,
        keywords: query ? positiveTerms(query) : [],
        languages,
        stem,
        feeds: [...new Set(feeds)],
        bucketMs,
        ...(has('tags') ? { tags: v.stringList(o.tags, `${p}.tags`) } : {}),
      });
    });
  }
  if (root.feeds !== undefined && root.feeds !== null) {
    cfg.feeds = v.feedList(root.feeds, 'feeds', dir, { titles: cfg.feedTitles, tags: cfg.feedTags, kinds: cfg.feedKinds });
  }
  if (root.email !== undefined && root.email !== null) cfg.email = validateEmail(v, root.email, dir);
  if (root.notify !== undefined && root.notify !== null) cfg.notify = validateNotify(v, root.notify, dir, cfg);
  return cfg;
}

/**
 * A topic with a query and a Mastodon hashtag feed of its own (`mastodon: acmerobotics`, or a `/tags/NAME.rss`
 * URL) also takes posts carrying the hashtag: such a feed is the topic's own search, and most of its posts
 * name the subject by the tag alone (`#AcmeRobotics`), which the query's words ("acme robotics") do not match.
 * The tag is added as an alternative of the query for matching (after the feed URLs are built from it).
 */
function withHashtags(query: QueryNode, feeds: string[], kinds: Map<string, SourceKind>): QueryNode {
  const tags = new Set<string>();
  for (const url of feeds) {
    if ((kinds.get(url) ?? guessKind(url)) !== 'mastodon') continue;
    const tag = mastodonTag(url);
    if (tag === null) continue;
    let text: string;
    try {
      text = decodeURIComponent(tag);
    } catch {
      continue;
    }
    if (/[\p{L}\p{N}]/u.test(text)) tags.add(text);
  }
  if (tags.size === 0) return query;
  const terms: QueryNode[] = [...tags].map((text) => ({ type: 'term', text, phrase: true, prefix: false }));
  const or = (node: QueryNode): QueryNode => ({ type: 'or', children: [...(node.type === 'or' ? node.children : [node]), ...terms] });
  // the topic's exclusions still hold (`keywords` with `exclude`, `x -"acme markets"`): the tag joins what is looked for
  if (query.type === 'and') {
    const looked = query.children.filter((c) => c.type !== 'not');
    if (looked.length === 1) return { type: 'and', children: query.children.map((c) => (c === looked[0] ? or(c) : c)) };
  }
  return or(query);
}

/** The `email:` section. The SMTP URL is never echoed with its password in an error. */
function validateEmail(v: Validator, value: unknown, dir: string): EmailConfig {
  const e = v.object(value, 'email');
  v.keys(e, 'email', ['to', 'from', 'smtp', 'passwordFile', 'subjectPrefix']);
  const has = (k: string) => e[k] !== undefined && e[k] !== null;
  const out: EmailConfig = { to: [], from: null, smtp: null, passwordFile: null, subjectPrefix: 'momentscan' };
  if (has('to')) {
    out.to = v.stringList(e.to, 'email.to').flatMap((s, i) =>
      splitAddresses(s).map((a) => {
        if (!isMailbox(a)) v.fail(`email.to[${i}]`, `expected an email address such as me@example.com, got ${JSON.stringify(a)}`);
        return a;
      }),
    );
  }
  if (has('from')) {
    const from = v.string(e.from, 'email.from').trim();
    if (!isMailbox(from)) v.fail('email.from', `expected an email address such as momentscan@example.com or "momentscan <momentscan@example.com>", got ${JSON.stringify(from)}`);
    out.from = from;
  }
  if (has('smtp')) {
    const smtp = v.string(e.smtp, 'email.smtp').trim();
    const problem = smtpUrlProblem(smtp);
    if (problem) v.fail('email.smtp', problem);
    out.smtp = smtp;
  }
  if (has('passwordFile')) {
    const file = v.string(e.passwordFile, 'email.passwordFile').trim();
    if (!file) v.fail('email.passwordFile', 'must not be empty');
    out.passwordFile = v.path(file, 'email.passwordFile', dir);
  }
  if (has('subjectPrefix')) {
    const prefix = v.string(e.subjectPrefix, 'email.subjectPrefix').trim();
    // a header line: no line breaks or control characters
    if (/[\u0000-\u001f\u007f]/.test(prefix)) v.fail('email.subjectPrefix', 'must be one line of text without control characters');
    if (prefix.length > 60) v.fail('email.subjectPrefix', 'must be at most 60 characters');
    out.subjectPrefix = prefix;
  }
  return out;
}

/** Splits "a@x.com, b@y.com" (commas outside angle brackets and quotes). */
export function splitAddresses(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angle = true;
    else if (ch === '>' && !quoted) angle = false;
    if (ch === ',' && !quoted && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `me@example.com` or `Name <me@example.com>` (one mailbox, one line). */
export function isMailbox(s: string): boolean {
  if (/[\u0000-\u001f\u007f]/.test(s)) return false;
  const addr = /^[^<>]*<([^<>]+)>$/.exec(s)?.[1] ?? s;
  return /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(addr.trim()) || /^[^\s@<>,;"]+@localhost$/i.test(addr.trim());
}

/** Why an SMTP URL cannot be used, or null. Says nothing of its password. */
export function smtpUrlProblem(s: string): string | null {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return 'expected an SMTP URL such as smtp://user@smtp.example.com:587 or smtps://user@smtp.example.com:465';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    return `expected an smtp:// or smtps:// URL, got a ${url.protocol.replace(/:$/, '')}: URL`;
  }
  if (!url.hostname) return 'the SMTP URL names no server: expected smtp://user@smtp.example.com:587';
  return null;
}

export class Validator {
  constructor(private readonly file: string) {}

  fail(field: string, expected: string): never {
    throw new ConfigError(`${this.file}: ${field || '(top level)'}: ${expected}`, {
      hint: 'fix the config file (momentscan init writes a commented example)',
    });
  }

  object(value: unknown, field: string): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, `expected a mapping, got ${describeValue(value)}`);
    return value as Obj;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `expected a list, got ${describeValue(value)}`);
    return value;
  }

  keys(obj: Obj, field: string, allowed: string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) {
        const near = allowed.find((a) => closeEnough(a, k));
        const at = field ? `${field}.${k}` : k;
        this.fail(at, `unknown field${near ? ` (did you mean "${near}"?)` : ''}; expected one of ${allowed.join(', ')}`);
      }
    }
  }

  /** An IANA time zone name this runtime knows (Europe/Amsterdam, UTC). */
  timeZone(value: unknown, field: string): string {
    const tz = this.string(value, field).trim();
    if (!knownZone(tz)) this.fail(field, `unknown time zone ${describeValue(value)}; expected an IANA name such as Europe/Amsterdam, America/New_York or UTC`);
    return canonicalZone(tz);
  }

  string(value: unknown, field: string): string {
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') this.fail(field, `expected a string, got ${describeValue(value)}`);
    return value;
  }

  /**
   * A path in the config (`dir`: the config's folder), ~/ for the home folder. A part that is an environment
   * variable ($HOME, ${XDG_DATA_HOME}) is refused: it is not expanded, and was taken as a folder of that name
   * (a database made at './$HOME/m.db', beside the config, with no word said).
   */
  path(value: string, field: string, dir: string): string {
    const variable = /(?:^|[/\\])(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)(?=[/\\]|$)/.exec(value.trim());
    if (variable) this.fail(field, `${describeValue(value)}: ${variable[1]} is not expanded here (the config names files as they are) — write the path out, or start it with ~/ for the home folder`);
    return path.resolve(dir, expandHome(value.trim()));
  }

  stringList(value: unknown, field: string): string[] {
    const list = typeof value === 'string' ? [value] : this.array(value, field);
    return list.map((x, i) => {
      const s = this.string(x, `${field}[${i}]`).trim();
      if (!s) this.fail(`${field}[${i}]`, 'must not be empty');
      return s;
    });
  }

  /**
   * Feed entries: a URL or path, or { url, title, tags, kind } (title and tags label it in `feeds` and OPML
   * exports; kind says what source it is when its URL does not: a saved Reddit feed, say).
   */
  feedList(
    value: unknown,
    field: string,
    dir: string,
    labels?: { titles: Map<string, string>; tags: Map<string, string[]>; kinds: Map<string, SourceKind> },
  ): string[] {
    const list = typeof value === 'string' ? [value] : this.array(value, field);
    return list.map((x, i) => {
      let raw: unknown = x;
      let title: string | null = null;
      let tags: string[] = [];
      let kind: SourceKind | null = null;
      if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
        const o = x as Obj;
        this.keys(o, `${field}[${i}]`, ['url', 'title', 'tags', 'kind']);
        raw = o.url;
        if (o.kind !== undefined && o.kind !== null) kind = this.oneOf(o.kind, `${field}[${i}].kind`, SOURCE_KINDS);
        if (o.title !== undefined && o.title !== null) title = this.string(o.title, `${field}[${i}].title`).trim() || null;
        if (o.tags !== undefined && o.tags !== null) tags = this.stringList(o.tags, `${field}[${i}].tags`);
      }
      const s = this.string(raw, `${field}[${i}]`).trim();
      const entry = feedEntry(s, dir);
      if (!entry) this.fail(`${field}[${i}]`, `expected an http(s) URL, a file:// URL or a local path, got "${s}"`);
      const { url } = entry;
      if (title) labels?.titles.set(url, title);
      if (tags.length) labels?.tags.set(url, tags);
      labels?.kinds.set(url, kind ?? (url.startsWith('file:') ? 'rss' : guessKind(entry.parsed ?? url)));
      return url;
    });
  }

  /** A duration in ms, from `min` to `max` (a time a timer waits: at most TIMER_MAX_MS, see there). */
  duration(value: unknown, field: string, min: number, max = Infinity): number {
    const ms = typeof value === 'string' ? parseDurationMs(value) : value === 0 ? 0 : null;
    if (ms === null) this.fail(field, `expected a duration such as 30m, 6h or 14d, got ${describeValue(value)}`);
    if (ms < min) this.fail(field, `must be at least ${formatDuration(min)}`);
    if (ms > max) this.fail(field, `must be at most ${formatDuration(max)}, got ${describeValue(value)}`);
    return ms;
  }

  integer(value: unknown, field: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `expected a whole number from ${min} to ${max}, got ${describeValue(value)}`);
    }
    return value;
  }

  /** A size in bytes, from 1KB to `max`. */
  bytes(value: unknown, field: string, max: number): number {
    let n: number;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) n = value;
    else {
      const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$/i.exec(value) : null;
      if (!m) this.fail(field, `expected a size such as 5MB or 512KB, got ${describeValue(value)}`);
      const unit = (m[2] ?? 'b').toLowerCase();
      const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
      n = Math.round(Number(m[1]) * mult);
    }
    if (n < 1024) this.fail(field, `must be at least 1KB, got ${describeValue(value)}`);
    if (n > max) this.fail(field, `must be at most ${max / 1024 ** 2}MB, got ${describeValue(value)}`);
    return n;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, `expected true or false, got ${describeValue(value)}`);
    return value;
  }

  code(value: string | { error: string }, field: string): string {
    if (typeof value !== 'string') this.fail(field, value.error);
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
    if (typeof value !== 'string' || !options.includes(value as T)) {
      this.fail(field, `expected one of ${options.join(', ')}, got ${describeValue(value)}`);
    }
    return value as T;
  }
}

/** The words and phrases a query asks for (not those it excludes), as written. */
export function positiveTerms(node: QueryNode): string[] {
  switch (node.type) {
    case 'term':
      return [node.text];
    case 'not':
      return [];
    default:
      return [...new Set(node.children.flatMap(positiveTerms))];
  }
}

/** Turns a config feed entry into a URL: http(s) and file URLs as they are, paths resolved against `dir`. */
export function feedUrl(entry: string, dir: string): string | null {
  return feedEntry(entry, dir)?.url ?? null;
}

/** feedUrl's URL, and for http(s) the URL parsed (for guessKind). */
function feedEntry(entry: string, dir: string): { url: string; parsed: URL | null } | null {
  if (/^https?:\/\//i.test(entry)) {
    try {
      const parsed = new URL(entry);
      return { url: parsed.href, parsed };
    } catch {
      return null;
    }
  }
  if (/^file:\/\//i.test(entry)) return { url: entry, parsed: null };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return null; // some other scheme
  return { url: pathToFileURL(path.resolve(dir, expandHome(entry))).href, parsed: null };
}

export function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(process.env.HOME ?? '', p.slice(1));
  return p;
}
