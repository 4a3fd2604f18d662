import { countLetters } from '../core/text.js';
import type { EnrichedItem, ParsedItem } from '../core/types.js';
import type { AccountMatcher } from './accounts.js';
import { detectLanguage, identifyLanguage } from './language.js';
import { matchTopics, type TopicMatcher } from './match.js';
import { analyzeSentiment } from './sentiment.js';

export interface EnrichContext {
  /** The configured URL of the feed the items came from. */
  feedUrl: string;
  /** The language the feed declares or was asked for, if any. */
  declaredLanguage: string | null;
  /** The known accounts (CRM companies) to look for, if any. */
  accounts?: AccountMatcher | undefined;
}

/** Enough letters for the language of the text alone to be trusted. */
const CONFIDENT_LETTERS = 60;
/** Summary characters added to the title for language identification. */
const LANGUAGE_SAMPLE = 100;
/** A title this long is read alone for its language. */
const TITLE_ENOUGH = 40;

/** The languages of the topics that list this feed, where they say (null when none does). */
export function feedTopicLanguages(matchers: readonly TopicMatcher[], feedUrl: string): string[] | null {
  const out = new Set<string>();
  for (const m of matchers) if (m.languages && m.feeds.has(feedUrl)) for (const l of m.languages) out.add(l);
  return out.size > 0 ? [...out].sort() : null;
}

/**
 * Language, sentiment and topics of a feed's items. The language of short items (headlines) is hard
 * to tell alone: the feed's declared language and the languages of the topics that list the feed,
 * else the language most of its longer items are in, settle it when the text leaves it close.
 */
export function enrichItems(items: ParsedItem[], matchers: TopicMatcher[], ctx: EnrichContext): EnrichedItem[] {
  const preferred = feedTopicLanguages(matchers, ctx.feedUrl);
  // (one loop over the items, not a chain of map()s: the arrays map() made in each tier differed in kind,
  // and each new kind met sent enrichItems back to TurboFan, ~4 times per parse worker in a cold fetch)
  const n = items.length;
  const texts: string[] = new Array(n);
  const sample: string[] = new Array(n);
  const confident: boolean[] = new Array(n);
  const otherScript: boolean[] = new Array(n);
  const languages: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    texts[i] = it.summary ? `${it.title}. ${it.summary}` : it.title;
    // language identification costs per character: the first few hundred say enough
    // a headline of several words usually says its language (and costs half as much to read as more)
    const t = it.summary && it.title.length < TITLE_ENOUGH ? `${it.title}. ${it.summary.slice(0, LANGUAGE_SAMPLE)}` : it.title;
    sample[i] = t;
    confident[i] = countLetters(t) >= CONFIDENT_LETTERS;
    const r = identifyLanguage(t, ctx.declaredLanguage, preferred);
    otherScript[i] = r.otherScript;
    languages[i] = r.language;
  }
  if (!ctx.declaredLanguage && !preferred) {
    const votes = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < n; i++) {
      const l = languages[i];
      if (!l || !confident[i]) continue;
      votes.set(l, (votes.get(l) ?? 0) + 1);
      total++;
    }
    const [top] = [...votes].sort((a, b) => b[1] - a[1]);
    if (top && top[1] >= 3 && top[1] / total >= 0.6) {
      // the feed's own language settles its short, ambiguous items
      for (let i = 0; i < n; i++) if (!confident[i]) languages[i] = detectLanguage(sample[i]!, top[0]);
    }
  }
  const out: EnrichedItem[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const language = languages[i]!;
    // text whose language cannot be told is read as English (emoji, a word or two); another script or a
    // language we cannot score gives null
    const sentiment = otherScript[i] ? null : analyzeSentiment(texts[i]!, { language: language ?? 'en' }).score;
    const topics = matchTopics(matchers, { title: it.title, summary: it.summary, language, feedUrl: ctx.feedUrl });
    // (no story tokens here: a fetch saves its items with no story and its replay makes the titles' tokens
    // itself, so tokens made in the parse workers were copied across and never read: ~6% of a worker's CPU)
    // every field named, authorEmail only when there is one (a spread of the parsed item makes a slower,
    // dictionary-like object per item; a spread inside the literal builds it key by key in the runtime)
    const { guid, title, summary, link, canonicalUrl, author, authorEmail, source, sourceDomain, publishedAt, dateEstimated } = it;
    out[i] = authorEmail
      ? { guid, title, summary, link, canonicalUrl, author, authorEmail, source, sourceDomain, publishedAt, dateEstimated, language, sentiment, topics }
      : { guid, title, summary, link, canonicalUrl, author, source, sourceDomain, publishedAt, dateEstimated, language, sentiment, topics };
    const accounts = ctx.accounts && ctx.accounts.size > 0 ? ctx.accounts.match(it) : [];
    if (accounts.length > 0) out[i]!.accounts = accounts;
  }
  return out;
}
