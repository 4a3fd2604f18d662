import { createRequire } from 'node:module';
import { tokenize } from '../core/text.js';

/**
 * A lexicon-based English sentiment scorer: AFINN-165 valences (from natural, loaded lazily by deep
 * path), with negation, boosters and dampeners, "but" contrast and exclamation emphasis, normalised
 * to a compound score in [-1, 1] the way VADER does (sum / sqrt(sum² + 15)).
 */

export const SENTIMENT_ENGINE = 'afinn-lite/1';

interface Lexicon {
  words: Map<string, number>;
  /** Multi-word entries ("does not work", "fed up") keyed by their first word. */
  phrases: Map<string, { tokens: string[]; value: number }[]>;
}

let lexicon: Lexicon | undefined;

function loadLexicon(): Lexicon {
  if (lexicon) return lexicon;
  const require = createRequire(import.meta.url);
  // Deep path: the package root loads database back-ends, takes seconds and prints to stdout.
  const SentimentAnalyzer = require('natural/lib/natural/sentiment/SentimentAnalyzer.js') as new (
    language: string,
    stemmer: null,
    type: string,
  ) => { vocabulary: Record<string, number> };
  const vocabulary = new SentimentAnalyzer('English', null, 'afinn').vocabulary;
  const words = new Map<string, number>();
  const phrases = new Map<string, { tokens: string[]; value: number }[]>();
  for (const key of Object.keys(vocabulary)) {
    const value = vocabulary[key]!;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const tokens = tokenize(key);
    if (tokens.length === 1) words.set(tokens[0]!, value);
    else if (tokens.length > 1) {
      const list = phrases.get(tokens[0]!) ?? [];
      list.push({ tokens, value });
      phrases.set(tokens[0]!, list);
    }
  }
  lexicon = { words, phrases };
  return lexicon;
}

const NEGATIONS = new Set([
  'not', 'no', 'never', 'neither', 'nor', 'none', 'nobody', 'nothing', 'nowhere', 'without', 'cannot', 'lack', 'lacks', 'lacking',
]);
const BOOSTERS = new Map<string, number>([
  ['very', 0.3], ['really', 0.3], ['extremely', 0.4], ['so', 0.2], ['totally', 0.3], ['highly', 0.3], ['hugely', 0.3],
  ['incredibly', 0.4], ['absolutely', 0.4], ['completely', 0.3], ['deeply', 0.3], ['utterly', 0.4], ['most', 0.2], ['major', 0.2],
  ['massive', 0.3], ['huge', 0.3],
  ['slightly', -0.3], ['somewhat', -0.3], ['barely', -0.4], ['marginally', -0.4], ['mildly', -0.3], ['little', -0.2], ['partly', -0.3],
]);
const CONTRASTS = new Set(['but', 'however', 'yet', 'although', 'though']);
const NEGATION_SCOPE = 3;
const NEGATION_FACTOR = -0.74;

function isNegation(token: string): boolean {
  return NEGATIONS.has(token) || token.endsWith("n't") || token === 'dont' || token === 'isnt' || token === 'wont' || token === 'cant';
}

/** Compound sentiment of a text in [-1, 1]; null for text with no words. */
export function scoreSentiment(text: string): number | null {
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  const { words, phrases } = loadLexicon();
  const valences: number[] = [];
  let contrastAt = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (CONTRASTS.has(t) && i > 0) contrastAt = valences.length;
    let value = words.get(t);
    let span = 1;
    const candidates = phrases.get(t);
    if (candidates) {
      for (const p of candidates) {
        if (p.tokens.every((pt, k) => tokens[i + k] === pt)) {
          value = p.value;
          span = p.tokens.length;
          break;
        }
      }
    }
    if (value === undefined || value === 0) continue;
    // boosters and dampeners right before the word
    const prev = tokens[i - 1];
    const boost = prev === undefined ? undefined : BOOSTERS.get(prev);
    if (boost !== undefined) value += Math.sign(value) * boost * Math.abs(value);
    // negation within the preceding words (a multi-word entry carries its own)
    if (span === 1) {
      for (let k = Math.max(0, i - NEGATION_SCOPE); k < i; k++) {
        if (isNegation(tokens[k]!)) {
          value *= NEGATION_FACTOR;
          break;
        }
      }
    }
    valences.push(value);
    i += span - 1;
  }
  if (contrastAt > 0) {
    for (let k = 0; k < valences.length; k++) valences[k]! *= k < contrastAt ? 0.5 : 1.5;
  }
  let sum = valences.reduce((a, b) => a + b, 0);
  if (sum !== 0) {
    const bangs = Math.min(4, (text.match(/!/g) ?? []).length);
    sum += Math.sign(sum) * bangs * 0.3;
  }
  const compound = sum / Math.sqrt(sum * sum + 15);
  return Math.round(compound * 10_000) / 10_000;
}
