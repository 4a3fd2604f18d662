import type { Moment, MomentExample, StoredItem } from '../core/types.js';
import { ENGLISH_FUNCTION_WORDS } from '../core/stopwords.js';
import { foldText, tokenize } from '../core/text.js';
import { iso } from '../core/time.js';
import { sourceTypeOf } from '../config/sources/index.js';

/** An item as the explainer needs it (the id is not used). */
export type ExplainItem = Omit<StoredItem, 'id'>;

const STOPWORDS = new Set([
  ...ENGLISH_FUNCTION_WORDS,
  ...(
    "below both doing down few further hers herself himself itself myself off once ours ourselves out " +
    "theirs themselves up yours yourself yourselves s t can't don't won't isn't it's i'm you're we're " +
    "they're here's what's one two three first make makes made really like"
  ).split(' '),
]);

/**
 * Fills in a moment's explanation: distinct sources, terms that set the moment's items apart from the
 * baseline (weighted log-odds with an informative Dirichlet prior, Monroe et al. 2008, counting each term
 * once per item), and example items. Pure: the items are given, and of the baseline's only the titles.
 */
export function explainMoment(moment: Moment, items: ExplainItem[], baseline: readonly string[], topicKeywords: string[], maxExamples = 3): Moment {
  const sourceCounts = new Map<string, { name: string; n: number }>();
  for (const it of items) {
    const key = sourceKey(it);
    const entry = sourceCounts.get(key) ?? { name: it.source ?? it.sourceDomain ?? key, n: 0 };
    entry.n++;
    sourceCounts.set(key, entry);
  }
  const topSources = [...sourceCounts.values()].sort((a, b) => b.n - a.n || a.name.localeCompare(b.name)).slice(0, 5).map((s) => s.name);
  const typeCounts = new Map<string, number>();
  for (const it of items) {
    const type = sourceTypeOf(it.feedKind);
    typeCounts.set(type, (typeCounts.get(type) ?? 0) + 1);
  }
  const sourceTypes = [...typeCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
  const keywordTokens = new Set(topicKeywords.flatMap((k) => tokenize(foldText(k))));
  const topTerms = distinctiveTerms(items, baseline, keywordTokens, 6);
  return {
    ...moment,
    distinctSources: sourceCounts.size,
    topSources,
    sourceTypes,
    topTerms,
    examples: pickExamples(moment, items, topTerms, maxExamples),
  };
}

export function sourceKey(it: Pick<ExplainItem, 'sourceDomain' | 'source' | 'feedUrl' | 'link'>): string {
  if (it.sourceDomain) return it.sourceDomain.toLowerCase();
  if (it.source) return it.source.toLowerCase();
  try {
    return new URL(it.link ?? it.feedUrl).host.replace(/^www\./, '');
  } catch {
    return it.feedUrl;
  }
}

/** Plural and singular count as one term ("preorders" and "preorder"). */
function termKey(t: string): string {
  return t.length > 4 && t.endsWith('s') && !t.endsWith('ss') ? t.slice(0, -1) : t;
}

/** A headline's distinct terms, keyed by termKey, with the surface form seen. */
function itemTerms(title: string, exclude: Set<string>): Map<string, string> {
  const terms = new Map<string, string>();
  for (const t of tokenize(foldText(title))) {
    if (t.length < 3 || STOPWORDS.has(t) || exclude.has(t) || exclude.has(termKey(t)) || /^\d+$/.test(t)) continue;
    const key = termKey(t);
    if (!terms.has(key)) terms.set(key, t);
  }
  return terms;
}

function distinctiveTerms(items: ExplainItem[], baseline: readonly string[], exclude: Set<string>, limit: number): string[] {
  if (items.length === 0) return [];
  const fg = new Map<string, number>();
  const bg = new Map<string, number>();
  const forms = new Map<string, Map<string, number>>();
  for (const it of items) {
    for (const [key, form] of itemTerms(it.title, exclude)) {
      fg.set(key, (fg.get(key) ?? 0) + 1);
      const f = forms.get(key) ?? new Map<string, number>();
      f.set(form, (f.get(form) ?? 0) + 1);
      forms.set(key, f);
    }
  }
  for (const title of baseline) for (const key of itemTerms(title, exclude).keys()) bg.set(key, (bg.get(key) ?? 0) + 1);
  const nF = [...fg.values()].reduce((a, b) => a + b, 0);
  const nB = [...bg.values()].reduce((a, b) => a + b, 0);
  const alpha0 = 50;
  const total = nF + nB;
  const scored: { key: string; z: number; n: number }[] = [];
  for (const [key, yF] of fg) {
    if (yF < 2 && items.length > 2) continue;
    const yB = bg.get(key) ?? 0;
    const a = Math.max(alpha0 * ((yF + yB) / total), 0.01);
    const delta = Math.log((yF + a) / (nF + alpha0 - yF - a)) - Math.log((yB + a) / (nB + alpha0 - yB - a));
    const z = delta / Math.sqrt(1 / (yF + a) + 1 / (yB + a));
    if (z > 1.5) scored.push({ key, z, n: yF });
  }
  scored.sort((x, y) => y.z - x.z || y.n - x.n || x.key.localeCompare(y.key));
  // show each term in the form most used in the moment's headlines
  const surface = (key: string) => [...forms.get(key)!].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
  return scored.slice(0, limit).map((s) => surface(s.key));
}

function pickExamples(moment: Moment, items: ExplainItem[], topTerms: string[], max: number): MomentExample[] {
  const terms = new Set(topTerms.map(termKey));
  const relevance = (it: ExplainItem): number => {
    if (moment.kind === 'sentiment-shift') {
      const s = it.sentiment ?? 0;
      return moment.direction === 'negative' ? -s : s;
    }
    let hits = 0;
    for (const t of tokenize(foldText(it.title))) if (terms.has(t) || terms.has(termKey(t))) hits++;
    return hits;
  };
  // each item's relevance once (in the comparator it was worked out O(n log n) times: 2,000 items tokenised ~40,000 times)
  const score = new Map(items.map((it) => [it, relevance(it)]));
  const ranked = [...items].sort((a, b) => score.get(b)! - score.get(a)! || b.publishedAt - a.publishedAt || a.title.localeCompare(b.title));
  // one example per source first, then fill up
  const chosen: ExplainItem[] = [];
  const usedSources = new Set<string>();
  const seenTitles = new Set<string>();
  for (const pass of [0, 1]) {
    for (const it of ranked) {
      if (chosen.length >= max) break;
      const key = sourceKey(it);
      // one example per story
      const titleKey = it.storyId !== null ? `story:${it.storyId}` : foldText(it.title);
      if (seenTitles.has(titleKey)) continue;
      if (pass === 0 && usedSources.has(key)) continue;
      chosen.push(it);
      usedSources.add(key);
      seenTitles.add(titleKey);
    }
  }
  return chosen.map((it) => ({
    title: it.title,
    link: it.link,
    source: it.source ?? it.sourceDomain,
    publishedAt: it.publishedAt,
    sentiment: it.sentiment,
  }));
}

/** A feed that overflowed during the moment or its baseline makes the counts there low. */
export function undercountCaveats(m: Moment, baselineMs: number, periods: { feedUrl: string; start: number; end: number }[]): string[] {
  const out: string[] = [];
  for (const p of periods) {
    const where = p.start < m.end && p.end > m.start ? 'during the moment' : p.start < m.start && p.end > m.start - baselineMs ? 'in its baseline' : null;
    if (where) out.push(`${p.feedUrl} may have dropped items between ${iso(p.start)} and ${iso(p.end)} (${where}): counts there may be low`);
  }
  return [...new Set(out)].slice(0, 5);
}
