import type { TopicConfig } from '../config/schema.js';
import { FeedError, type FeedErrorKind } from '../core/errors.js';
import type { EnrichedItem } from '../core/types.js';
import { compileAccounts, type AccountDef, type AccountMatcher } from '../enrich/accounts.js';
import { enrichItems } from '../enrich/enrich.js';
import { compileTopic, type TopicMatcher } from '../enrich/match.js';
import { decodeBody } from '../fetch/decode.js';
import { parseFeed } from '../parse/feed.js';

/** One fetched body to turn into stored-ready items: decode → parse → enrich. */
export interface ParseJob {
  body: Uint8Array;
  contentType: string | null;
  /** Where the body came from (relative links resolve against it). */
  url: string;
  /** The feed's configured URL (topics of whole feeds match on it). */
  feedUrl: string;
  /** The language the feed was asked for, if any; else the feed's own declaration is used. */
  language: string | null;
  fetchedAt: number;
}

export interface ParsedBody {
  title: string | null;
  link: string | null;
  ttlMs: number | null;
  items: EnrichedItem[];
}

/** What crosses a worker boundary: the result, or the FeedError's fields. */
export type ParseOutcome =
  | { ok: true; feed: ParsedBody }
  | { ok: false; error: { kind: FeedErrorKind; message: string; hint?: string; status?: number } };

export function compileTopics(topics: TopicConfig[]): TopicMatcher[] {
  return topics.map(compileTopic);
}

/** What the parse stage matches items against: the topics, and the known accounts (plain data, so it crosses to workers). */
export interface ParseSetup {
  topics: TopicConfig[];
  accounts?: AccountDef[];
}

export interface Matchers {
  topics: TopicMatcher[];
  accounts?: AccountMatcher;
}

export function compileSetup(setup: ParseSetup): Matchers {
  return { topics: compileTopics(setup.topics), ...(setup.accounts?.length ? { accounts: compileAccounts(setup.accounts) } : {}) };
}

export async function runParseJob(job: ParseJob, matchers: Matchers): Promise<ParseOutcome> {
  try {
    const { text } = decodeBody(job.body, job.contentType);
    const parsed = await parseFeed(text, { url: job.url, fetchedAt: job.fetchedAt });
    const items = enrichItems(parsed.items, matchers.topics, {
      feedUrl: job.feedUrl,
      declaredLanguage: job.language ?? parsed.language,
      accounts: matchers.accounts,
    });
    return { ok: true, feed: { title: parsed.title, link: parsed.link, ttlMs: parsed.ttlMs, items } };
  } catch (err) {
    if (err instanceof FeedError) {
      return {
        ok: false,
        error: { kind: err.kind, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.status !== undefined ? { status: err.status } : {}) },
      };
    }
    return { ok: false, error: { kind: 'parse', message: `cannot read the feed: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** Back from the worker form to a thrown FeedError. */
export function unwrap(outcome: ParseOutcome): ParsedBody {
  if (outcome.ok) return outcome.feed;
  const e = outcome.error;
  throw new FeedError(e.kind, e.message, { ...(e.hint ? { hint: e.hint } : {}), ...(e.status !== undefined ? { status: e.status } : {}) });
}
