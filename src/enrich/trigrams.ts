import { data } from 'franc-min/data.js';
import { expressions } from 'franc-min/expressions.js';

/**
 * franc's trigram language ranking (franc-min 6, `francAll(text, { only, minLength: 1 })`), computed
 * the same way on the same profiles but without franc's per-call garbage: franc builds an object of
 * every trigram, an array of tuples and sorts it, then looks each trigram up once per language; here a
 * text's trigrams are counted by integer key in flat arrays and each is looked up once for all
 * languages. Results are identical (a test compares them on a corpus); it is several times faster,
 * which matters because every fetched item is identified.
 */

/** franc's cap on the text it reads. */
const MAX_LENGTH = 2048;
/** franc's distance for a trigram the profile lacks. */
const MAX_DIFFERENCE = 300;

export interface TrigramRanker {
  /** The languages (franc's ISO 639-3 codes), best first, with franc's relative score (best = 1); [['und', 1]] when it cannot tell. */
  rank(text: string): [string, number][];
}

/** A ranker over the given Latin-script languages (ISO 639-3, as franc names them). */
export function trigramRanker(only: readonly string[]): TrigramRanker {
  const latin = data.Latin as Record<string, string>;
  // franc's order: the profiles' order in its data (ties keep it: the sort is stable)
  const languages = Object.keys(latin).filter((l) => only.includes(l));
  if (languages.length !== only.length) {
    const missing = only.filter((l) => !languages.includes(l));
    throw new TypeError(`no Latin-script trigram profile for ${missing.join(', ')}`);
  }
  // The profiles' characters (a few dozen) numbered from 1, so that a trigram of them is a small integer
  // key into flat arrays; a trigram with any other character is in no profile.
  const models = languages.map((language) => latin[language]!.split('|'));
  const charIndex = new Uint8Array(65536);
  let alphabet = 0;
  for (const model of models) {
    for (const t of model) {
      for (let k = 0; k < t.length; k++) if (charIndex[t.charCodeAt(k)] === 0) charIndex[t.charCodeAt(k)] = ++alphabet;
    }
  }
  if (alphabet > 250) throw new TypeError(`trigram profiles use ${alphabet} characters: too many for the key scheme`);
  const base = alphabet + 1;
  const keyOf = (t: string): number => (charIndex[t.charCodeAt(0)]! * base + charIndex[t.charCodeAt(1)]!) * base + charIndex[t.charCodeAt(2)]!;
  // key → row in `ranks` (+1; 0: in no profile); a row holds the trigram's rank in each language (-1: absent)
  const rowOf = new Int32Array(base * base * base);
  const rankRows: number[] = [];
  models.forEach((model, l) => {
    // the first rank wins, as in franc (it assigns from the end)
    for (let r = model.length - 1; r >= 0; r--) {
      const t = model[r]!;
      if (t.length !== 3) continue;
      const key = keyOf(t);
      if (rowOf[key] === 0) {
        rowOf[key] = rankRows.length / languages.length + 1;
        for (let k = 0; k < languages.length; k++) rankRows.push(-1);
      }
      rankRows[(rowOf[key]! - 1) * languages.length + l] = r;
    }
  });
  const ranks = Int16Array.from(rankRows);
  const counts = new Int32Array(base * base * base);
  const touched: number[] = [];
  const others = new Set<string>();
  const scripts = Object.entries(expressions as Record<string, RegExp>);
  const latinIndex = scripts.findIndex(([name]) => name === 'Latin');
  const und = (): [string, number][] => [['und', 1]];
  const distances = new Float64Array(languages.length);

  // plain ASCII text: when no other script's expression matches an ASCII character (true of franc-min 6),
  // Latin is the top script exactly when there is a letter
  const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join('');
  const asciiIsLatin = scripts.every(([name, re]) => name === 'Latin' || ascii.match(re) === null);

  /** Is Latin the script with the most characters (the first such, as franc takes it)? */
  const latinTop = (value: string): boolean => {
    if (asciiIsLatin && /^[\x00-\x7f]*$/.test(value)) return /[A-Za-z]/.test(value);
    let top = -1;
    let topIndex = -1;
    for (let i = 0; i < scripts.length; i++) {
      const m = value.match(scripts[i]![1]);
      const share = (m ? m.length : 0) / value.length || 0;
      if (share > top) {
        top = share;
        topIndex = i;
      }
    }
    return topIndex === latinIndex && top > 0;
  };

  return {
    rank(text) {
      if (!text) return und();
      const value = text.slice(0, MAX_LENGTH);
      if (!latinTop(value)) return und();
      // trigram-utils' clean(): ASCII punctuation and digits to spaces, whitespace collapsed, trimmed, lower-cased
      const clean = ` ${value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase()} `;
      // count the trigrams: those of profile characters by integer key, the rest (in no profile) by text
      let a = charIndex[clean.charCodeAt(0)]!;
      let b = charIndex[clean.charCodeAt(1)]!;
      for (let i = 2; i < clean.length; i++) {
        const c = charIndex[clean.charCodeAt(i)]!;
        if (a !== 0 && b !== 0 && c !== 0) {
          const key = (a * base + b) * base + c;
          const was = counts[key]!;
          counts[key] = was + 1;
          if (was === 0) touched.push(key);
        } else others.add(clean.slice(i - 2, i + 1));
        a = b;
        b = c;
      }
      distances.fill(0);
      let misses = others.size;
      const n = languages.length;
      for (const key of touched) {
        const count = counts[key]!;
        counts[key] = 0;
        const row = rowOf[key]!;
        if (row === 0) {
          misses++;
          continue;
        }
        const at = (row - 1) * n;
        for (let l = 0; l < n; l++) {
          const r = ranks[at + l]!;
          distances[l]! += r < 0 ? MAX_DIFFERENCE : Math.abs(count - r - 1);
        }
      }
      touched.length = 0;
      others.clear();
      const ranked: [string, number][] = languages.map((language, l) => [language, distances[l]! + misses * MAX_DIFFERENCE]);
      ranked.sort((a, b) => a[1] - b[1]);
      const min = ranked[0]![1];
      const max = value.length * MAX_DIFFERENCE - min;
      for (const r of ranked) r[1] = 1 - (r[1] - min) / max || 0;
      return ranked;
    },
  };
}
