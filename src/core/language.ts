/**
 * Languages, one rule for the whole program: which languages momentscan reads, and how a declared
 * language (a feed's `<language>`, a config entry, `--language`) becomes a code.
 */

/** The languages momentscan reads: told apart by language identification, scored for sentiment, stemmed for matching. */
export const LANGUAGES: readonly string[] = Object.freeze(['en', 'nl', 'de', 'fr', 'es']);

/**
 * A declared language as a two-letter code: "en-US", "EN", " de_DE " → "en", "en", "de". Null for
 * anything else (empty, three letters such as "eng", not a string).
 */
export function languageCode(declared: unknown): string | null {
  if (typeof declared !== 'string') return null;
  const code = declared.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return /^[a-z]{2}$/.test(code) ? code : null;
}
