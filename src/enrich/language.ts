import { countLetters } from '../core/text.js';
import { trigramRanker } from './trigrams.js';

/**
 * Language identification for short feed text (headline + summary): franc's trigram profiles
 * restricted to the languages momentscan reads, with the feed's declared language (RSS <language>,
 * a search feed's language) as a tie-breaker when the text alone is ambiguous.
 */

/** ISO 639-3 (franc) → ISO 639-1 (what momentscan stores). */
const CODES: Record<string, string> = { eng: 'en', nld: 'nl', deu: 'de', fra: 'fr', spa: 'es', ita: 'it', por: 'pt' };
const ranker = trigramRanker(Object.keys(CODES));
/** A declared language wins when its score is within this of the best (franc scores are relative, best = 1). */
const HINT_MARGIN = 0.3;
/** Short text whose best two languages score this close is left undetermined. */
const AMBIGUOUS_MARGIN = 0.08;
/** Below this many letters the text says too little: the declared language, if any, is used. */
const MIN_LETTERS = 12;

export const DETECTABLE_LANGUAGES: readonly string[] = Object.values(CODES);

/** Normalises a declared language such as "en-US", "EN", "de_DE" to "en"; null when it is not one we read. */
export function normalizeLanguage(declared: string | null | undefined): string | null {
  if (!declared) return null;
  const code = declared.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return /^[a-z]{2}$/.test(code) ? code : null;
}

/** The text's language as an ISO 639-1 code, or null when it cannot be told (and nothing was declared). */
export function detectLanguage(text: string, declared?: string | null, letters: number = countLetters(text)): string | null {
  const hint = normalizeLanguage(declared);
  if (letters < MIN_LETTERS) return hint;
  const ranked = ranker.rank(text);
  const [best] = ranked;
  if (!best || best[0] === 'und') return hint;
  if (hint) {
    const hinted = ranked.find(([code]) => CODES[code] === hint);
    if (hinted && best[1] - hinted[1] <= HINT_MARGIN) return hint;
  }
  // a close second means the text does not say: better unknown than a guess
  const second = ranked[1];
  if (!hint && second && best[1] - second[1] < AMBIGUOUS_MARGIN && letters < 40) return null;
  return CODES[best[0]] ?? hint;
}
