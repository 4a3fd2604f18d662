import { EMOJI_VALENCE, EMOTICON_VALENCE } from './emoji.js';
import {
  BOOSTER,
  BREAKER,
  CONTRAST_ALTHOUGH,
  CONTRAST_BUT,
  EXCESS,
  FNV_SEED,
  fnv1a,
  IRREALIS,
  NEGATION,
  lookup,
  newEntry,
  type Entry,
  type Lexicon,
  type Phrase,
} from './lexicon.js';

/**
 * The rule engine, VADER's design in our own code. Every word, emoji and emoticon gets a valence
 * from the lexicon, adjusted by what stands before it in its clause (boosters and dampeners,
 * negation), by emphasis (ALL CAPS in mixed-case text, elongation), by its clause (contrast: "but"
 * moves weight to what follows; "if/would" clauses count less); a negation with nothing to negate
 * and "too" before a neutral word count as mildly negative; "!" adds emphasis. The sum, divided by
 * (number of sentiment words)^gamma, is squashed into [-1, 1].
 */

/** Tunable constants; the values were chosen on sentiment-dev (see test/eval/sentiment.mjs). */
export const PARAMS = {
  /** compound = s / sqrt(s² + alpha). */
  alpha: 15,
  /** The sum is divided by (number of sentiment words)^gamma: many words add up less than linearly. */
  gamma: 0.35,
  /** Added (in the word's direction) per booster, less with distance; subtracted per dampener. */
  boost: 0.293,
  /** Emphasis of an ALL-CAPS word in mixed-case text. */
  caps: 0.733,
  /** Emphasis of an elongated word ("goooood"). */
  elongation: 0.293,
  /** A negated positive / negated negative word is multiplied by these. */
  negatePositive: -0.74,
  negateNegative: -0.5,
  /**
   * Valence of a negation with no sentiment word in its reach. 0: "Keine Ahnung.", "I don't speak
   * Latin." say nothing about tone (the learned layer weighs negated words by themselves).
   */
  negationAlone: 0,
  /** Valence of "too" before a neutral word ("too small"). */
  excess: -0.8,
  /** How many words back a negation or booster reaches (within its clause). */
  window: 3,
  /** Weights before and after "but". */
  contrastBefore: 0.5,
  contrastAfter: 1.5,
  /** Weight of sentiment in a clause made hypothetical by "if", "would", "could", "should", "wish". */
  irrealis: 0.6,
  /** Mixed: positive and negative words each add up to at least this, the weaker side at least a third of the stronger. */
  mixedMin: 1,
  /** Per "!" (at most 4), added in the direction of the sum. */
  exclamation: 0.292,
  /** For "??" and more (at most 3), per mark. */
  question: 0.18,
};

/** Distance scaling of a booster (VADER's: 1, 0.95, 0.9). */
const DISTANCE = [1, 1, 0.95, 0.9, 0.85, 0.8, 0.75];

const ELONGATED = /(\p{L})\1\1/u;

const KIND_WORD = 0;
const KIND_SYMBOL = 1; // emoji or emoticon
const KIND_CLAUSE = 2;
const KIND_SENTENCE = 3;

const NEUTRAL: Entry = Object.freeze(newEntry(0, 0, 0));
const symbolEntries = new Map<string, Entry>();
function symbolEntry(symbol: string, valence: number | undefined): Entry {
  if (valence === undefined || valence === 0) return NEUTRAL;
  let e = symbolEntries.get(symbol);
  if (!e) {
    e = Object.freeze(newEntry(valence, 0, 0));
    symbolEntries.set(symbol, e);
  }
  return e;
}

// --- scanner -------------------------------------------------------------------------------------

/** ASCII classes: 1 word character, 2 space, 3 sentence end, 4 clause boundary. */
const ASCII = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII[c] = 1;
for (let c = 65; c <= 90; c++) ASCII[c] = 1;
for (let c = 97; c <= 122; c++) ASCII[c] = 1;
for (const ch of ' \t\n\r\f\v') ASCII[ch.charCodeAt(0)] = 2;
for (const ch of '.!?') ASCII[ch.charCodeAt(0)] = 3;
for (const ch of ',;:()[]{}') ASCII[ch.charCodeAt(0)] = 4;
/** Characters an emoticon may start with. */
const EMOTICON_START = new Uint8Array(128);
for (const e of EMOTICON_VALENCE.keys()) {
  const c = e.charCodeAt(0);
  if (c < 128 && ASCII[c] !== 1) EMOTICON_START[c] = 1;
}
const EMOTICON_AT = new RegExp(
  [...EMOTICON_VALENCE.keys()]
    .filter((e) => e.charCodeAt(0) < 128 && ASCII[e.charCodeAt(0)] !== 1)
    .sort((a, b) => b.length - a.length)
    .map((e) => e.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('|'),
  'y',
);
const LETTER = /^[\p{L}\p{N}\p{M}]/u;
const PICTOGRAPH_AT = /[\p{Extended_Pictographic}\u2661]/uy;
const SPACE = /\s/;

function isWordAt(text: string, i: number): number {
  // returns the width (1 or 2 code units) of a word character at i, 0 if none
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII[c] === 1 ? 1 : 0;
  if ((c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x300 && c <= 0x36f)) return 1;
  if (c >= 0xd800 && c <= 0xdbff) return LETTER.test(text.slice(i, i + 2)) ? 2 : 0;
  return LETTER.test(text[i]!) ? 1 : 0;
}

/** Variation selectors, ZWJ, skin tones, keycap: parts of the emoji before them. */
function emojiTail(text: string, i: number): number {
  let j = i;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c === 0xfe0f || c === 0xfe0e || c === 0x200d || c === 0x20e3) j++;
    else if (c === 0xd83c && text.charCodeAt(j + 1) >= 0xdffb && text.charCodeAt(j + 1) <= 0xdfff) j += 2;
    else return j;
  }
}

// Token buffers reused across calls (the engine is synchronous and not re-entrant), holding `count`
// tokens: written by index, never emptied (setting an array's length to 0 frees its storage, and
// growing it again for every text cost more than the scan itself).
let count = 0;
const forms: string[] = [];
const kinds: number[] = [];
const caps: boolean[] = [];
const ents: Entry[] = [];
/** Per word token, FNV-1a of its form seeded by its lexicon's language (wordSeed): the learned layer's word hash. */
let hashes = new Int32Array(256);
const valences: number[] = [];
let valenceCount = 0;
/** Index of the last token of the last phrase or idiom matched (a negation inside it does not reach past it). */
let phraseEnd = -1;

function push(form: string, kind: number, entry: Entry, isCaps: boolean): void {
  forms[count] = form;
  kinds[count] = kind;
  ents[count] = entry;
  caps[count] = isCaps;
  count++;
}

// --- words: a table in front of the lexicon's lookup ---------------------------------------------
//
// Every word of every text is looked up. The lexicon's Map hashes each new token string (a fresh slice
// of the text) before probing, which cost more than the rest of a word's scan; here the word's FNV-1a
// hash, which the learned layer needs anyway (model.ts: fnv1a(language's hash, form)), keys a table
// of the words seen, each with the lexicon's entry for it (lookup() on a miss: entries are a function
// of the lexicon and the word, so which words the table holds never changes a result).


/** Slots of a table at most (it doubles from 2^12 at half load), then it is emptied when half full. */
const TABLE_MAX_SLOTS = 1 << 16;

interface WordTable {
  /** FNV-1a of the lexicon's language: words are hashed from it. */
  seed: number;
  /** Two numbers per slot: a word's hash and its index + 1 in `words` (0: an empty slot). */
  slots: Int32Array;
  /** Slots − 1. */
  mask: number;
  /** The words in the order they came, their hashes and their entries: the common words come first and lie together. */
  words: string[];
  wordHashes: number[];
  entries: Entry[];
}

const tables = new WeakMap<Lexicon, WordTable>();
function tableOf(lexicon: Lexicon): WordTable {
  let t = tables.get(lexicon);
  if (t === undefined) {
    t = { seed: fnv1a(FNV_SEED, lexicon.language), slots: new Int32Array(2 << 12), mask: (1 << 12) - 1, words: [], wordHashes: [], entries: [] };
    tables.set(lexicon, t);
  }
  return t;
}

const slotOf = (h: number, mask: number): number => (h ^ (h >>> 16)) & mask;

/** Adds word `index` of table t to its slots. */
function place(t: WordTable, index: number): void {
  const { slots, mask } = t;
  const h = t.wordHashes[index]!;
  let k = slotOf(h, mask);
  while (slots[2 * k + 1] !== 0) k = (k + 1) & mask;
  slots[2 * k] = h;
  slots[2 * k + 1] = index + 1;
}

/** The table of the text being scanned (set by scan). */
let table: WordTable = { seed: 0, slots: new Int32Array(2), mask: 0, words: [], wordHashes: [], entries: [] };

/**
 * Per token, what its word's first slot in the table held when the text was scanned (the word's index + 1,
 * 0: empty): read ahead of the probes (see resolveWords), not used after.
 */
let held = new Int32Array(256);

/** Pushes a word token: its form and its hash; its entry is found once the text is scanned (resolveWords). */
function pushWord(form: string, isCaps: boolean): void {
  if (count === hashes.length) {
    const grown = new Int32Array(2 * count);
    grown.set(hashes);
    hashes = grown;
    held = new Int32Array(2 * count);
  }
  hashes[count] = fnv1a(table.seed, form);
  push(form, KIND_WORD, NEUTRAL, isCaps);
}

/**
 * Sets the entry of every word token of the text scanned: the table's, else the lexicon's (then added to
 * the table), word after word as before. The table's slots lie at random in 512 kB: every word's first slot
 * is read first in one loop, loads that depend on nothing but the hashes, so that the processor overlaps
 * their cache misses instead of waiting for one after the other; the probes then find them near.
 */
function resolveWords(lexicon: Lexicon): void {
  const n = count;
  const { slots, mask } = table;
  for (let i = 0; i < n; i++) if (kinds[i] === KIND_WORD) held[i] = slots[2 * slotOf(hashes[i]!, mask) + 1]!;
  for (let i = 0; i < n; i++) if (kinds[i] === KIND_WORD) ents[i] = wordEntry(forms[i]!, hashes[i]!, lexicon);
}

/** A word's entry: the table's, else the lexicon's (then added to the table). */
function wordEntry(form: string, h: number, lexicon: Lexicon): Entry {
  const t = table;
  const { slots, mask } = t;
  let k = slotOf(h, mask);
  for (;;) {
    const index = slots[2 * k + 1]!;
    if (index === 0) break;
    if (slots[2 * k] === h && t.words[index - 1] === form) return t.entries[index - 1]!;
    k = (k + 1) & mask;
  }
  const entry = lookup(lexicon, form);
  let size = t.words.length;
  if (2 * (size + 1) > mask + 1) {
    if (mask + 1 < TABLE_MAX_SLOTS) {
      t.slots = new Int32Array(4 * (mask + 1));
      t.mask = 2 * mask + 1;
      for (let i = 0; i < size; i++) place(t, i);
    } else {
      t.slots.fill(0);
      t.words.length = 0;
      t.wordHashes.length = 0;
      t.entries.length = 0;
      size = 0;
    }
  }
  t.words.push(form);
  t.wordHashes.push(h);
  t.entries.push(entry);
  place(t, size);
  return entry;
}

interface Scan {
  words: number;
  capsWords: number;
  bangs: number;
  questions: number;
}

function scan(text: string, lexicon: Lexicon): Scan {
  count = 0;
  table = tableOf(lexicon);
  const out: Scan = { words: 0, capsWords: 0, bangs: 0, questions: 0 };
  const elisions = lexicon.rules.elisions;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? ASCII[c]! : 0;
    if (cls === 2) {
      i++;
      continue;
    }
    // emoticon (before punctuation: ":)" starts with a clause mark)
    if (c < 128 && EMOTICON_START[c] === 1) {
      EMOTICON_AT.lastIndex = i;
      const m = EMOTICON_AT.exec(text);
      if (m !== null) {
        const end = i + m[0].length;
        const before = i === 0 ? 32 : text.charCodeAt(i - 1);
        const after = end >= n ? 32 : text.charCodeAt(end);
        const leadOk =
          before === 32 || SPACE.test(String.fromCharCode(before)) || ((c === 58 || c === 59 || c === 61) && (isWordAt(text, i - 1) > 0 || before === 33 || before === 46));
        const tailOk = after === 32 || after >= 0x2000 || ',.!?;\'"\n\t\r'.includes(String.fromCharCode(after));
        if (leadOk && tailOk) {
          push(m[0], KIND_SYMBOL, symbolEntry(m[0], EMOTICON_VALENCE.get(m[0])), false);
          i = end;
          continue;
        }
      }
    }
    let width = cls === 1 ? 1 : c >= 128 ? isWordAt(text, i) : 0;
    if (width > 0) {
      // a word: letters and digits, joined by an apostrophe, a hyphen, or a decimal point between digits
      const start = i;
      let upper = 0;
      let lower = 0;
      let curly = false;
      let j = i;
      for (;;) {
        const cj = text.charCodeAt(j);
        if (cj >= 65 && cj <= 90) upper++;
        else if (cj >= 97 && cj <= 122) lower++;
        else if (cj >= 128 && width === 1) {
          const ch = text[j]!;
          if (ch.toLowerCase() !== ch) upper++;
          else if (ch.toUpperCase() !== ch) lower++;
        }
        j += width;
        width = isWordAt(text, j);
        if (width > 0) continue;
        // (-1 past the end, where charCodeAt's NaN fails every test below alike: a read past the end,
        // first made after TurboFan had compiled scan(), sent scan() back to be compiled again)
        const cj2 = j < n ? text.charCodeAt(j) : -1;
        if ((cj2 === 39 || cj2 === 0x2019 || cj2 === 45) && isWordAt(text, j + 1) > 0) {
          if (cj2 === 0x2019) curly = true;
          j++;
          width = isWordAt(text, j);
          continue;
        }
        if ((cj2 === 46 || cj2 === 44) && j > start) {
          const p = text.charCodeAt(j - 1);
          const q = text.charCodeAt(j + 1);
          if (p >= 48 && p <= 57 && q >= 48 && q <= 57) {
            j++;
            width = 1;
            continue;
          }
        }
        break;
      }
      const raw = text.slice(start, j);
      let form = upper > 0 ? raw.toLowerCase() : raw;
      if (curly) form = form.replace(/\u2019/g, "'");
      const isCaps = upper > 1 && lower === 0;
      out.words++;
      if (isCaps) out.capsWords++;
      if (elisions !== null) {
        const apos = form.indexOf("'");
        if (apos > 0 && apos < form.length - 1 && elisions.has(form.slice(0, apos + 1))) {
          const head = form.slice(0, apos + 1);
          pushWord(head, false);
          form = form.slice(apos + 1);
        }
      }
      pushWord(form, isCaps);
      i = j;
      continue;
    }
    if (cls === 3 || c === 0x2026) {
      let j = i;
      for (;;) {
        const cj = text.charCodeAt(j);
        if (cj === 33) out.bangs++;
        else if (cj === 63) out.questions++;
        else if (cj !== 46 && cj !== 0x2026) break;
        j++;
      }
      push(text.slice(i, j), KIND_SENTENCE, NEUTRAL, false);
      i = j;
      continue;
    }
    if (cls === 4 || c === 0x2013 || c === 0x2014 || (c === 45 && i > 0 && text.charCodeAt(i - 1) === 32 && text.charCodeAt(i + 1) === 32)) {
      push(',', KIND_CLAUSE, NEUTRAL, false);
      i++;
      continue;
    }
    if (c >= 0x2000) {
      PICTOGRAPH_AT.lastIndex = i;
      const m = PICTOGRAPH_AT.exec(text);
      if (m !== null) {
        push(m[0], KIND_SYMBOL, symbolEntry(m[0], EMOJI_VALENCE.get(m[0])), false);
        i = emojiTail(text, i + m[0].length);
        continue;
      }
    }
    i++;
  }
  resolveWords(lexicon);
  return out;
}

// --- scoring -------------------------------------------------------------------------------------

function matchPhrase(list: Phrase[], i: number, n: number): Phrase | undefined {
  outer: for (const p of list) {
    const rest = p.rest;
    if (i + rest.length >= n) continue;
    for (let k = 0; k < rest.length; k++) {
      if (kinds[i + 1 + k] !== KIND_WORD || forms[i + 1 + k] !== rest[k]) continue outer;
    }
    return p;
  }
  return undefined;
}

function negates(j: number): boolean {
  if ((ents[j]!.flags & NEGATION) !== 0) return true;
  // "the least helpful" negates; "at least" does not
  return forms[j] === 'least' && forms[j - 1] !== 'at' && forms[j - 1] !== 'very';
}

/** Whether another negation stands before token i in its reach ("ne … pas", "not … never"). */
function negationBehind(i: number): boolean {
  for (let d = 1, j = i - 1; d <= PARAMS.window && j >= 0; d++, j--) {
    const kj = kinds[j]!;
    if (kj === KIND_CLAUSE || kj === KIND_SENTENCE) return false;
    if (kj === KIND_WORD && negates(j)) return true;
  }
  return false;
}

/** Whether a sentiment word follows token i within a negation's reach. */
function sentimentAhead(i: number, n: number): boolean {
  for (let d = 1, j = i + 1; d <= PARAMS.window && j < n; d++, j++) {
    const kj = kinds[j]!;
    if (kj === KIND_CLAUSE || kj === KIND_SENTENCE) return false;
    if (ents[j]!.valence !== 0 || ents[j]!.phrases !== undefined) return true;
  }
  return false;
}

export interface ExplainEntry {
  word: string;
  valence: number;
  rule?: string;
}

export interface EngineResult {
  /** null when the text has nothing to score (no word, emoji or emoticon). */
  score: number | null;
  positive: number;
  neutral: number;
  negative: number;
  /** Clearly positive and clearly negative words both (before contrast weighting). */
  mixed: boolean;
  explain?: ExplainEntry[];
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0
};

export function score(text: string, lexicon: Lexicon, explain: boolean): EngineResult {
  lastScan = scan(text, lexicon);
  const { words, capsWords, bangs, questions } = lastScan;
  const n = count;
  valenceCount = 0;
  const P = PARAMS;
  const capsEmphasis = capsWords > 0 && capsWords < words;
  const trace: ExplainEntry[] | undefined = explain ? [] : undefined;
  let scored = 0;
  let neutralCount = 0;
  let rawPositive = 0;
  let rawNegative = 0;
  let afterContrast = false;
  let concessive = false;
  let irrealis = false;
  phraseEnd = -1;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i]!;
    if (kind === KIND_SENTENCE) {
      afterContrast = false;
      concessive = false;
      irrealis = false;
      continue;
    }
    if (kind === KIND_CLAUSE) {
      irrealis = false;
      if (concessive) {
        concessive = false;
        afterContrast = true;
      }
      continue;
    }
    scored++;
    const e = ents[i]!;
    let v = e.valence;
    let span = 1;
    let rule: string | undefined;
    if (kind === KIND_SYMBOL) {
      if (explain && v !== 0) rule = forms[i]!.codePointAt(0)! > 0x2000 ? 'emoji' : 'emoticon';
    } else {
      const flags = e.flags;
      if ((flags & IRREALIS) !== 0) irrealis = true;
      const phrase = e.phrases === undefined ? undefined : matchPhrase(e.phrases, i, n);
      const contrast = phrase ? phrase.contrast : (flags & CONTRAST_BUT) !== 0 ? 'but' : (flags & CONTRAST_ALTHOUGH) !== 0 ? 'although' : undefined;
      if (contrast !== undefined) {
        if (contrast === 'but') {
          for (let k = 0; k < valenceCount; k++) valences[k]! *= P.contrastBefore;
          if (trace) for (const t of trace) t.rule = t.rule ? `${t.rule},before-contrast` : 'before-contrast';
          afterContrast = true;
        } else {
          concessive = true;
          afterContrast = false;
        }
        if (phrase) i += phrase.rest.length;
        neutralCount += phrase ? phrase.rest.length + 1 : 1;
        continue;
      }
      if (phrase) {
        v = phrase.value;
        span = phrase.rest.length + 1;
        phraseEnd = i + span - 1;
        if (explain) rule = phrase.source === 'idiom' ? 'idiom' : 'phrase';
      } else if ((flags & EXCESS) !== 0 && P.excess !== 0 && i + 1 < n && kinds[i + 1] === KIND_WORD && ents[i + 1]!.valence === 0 && (ents[i + 1]!.flags & (BOOSTER | NEGATION)) === 0) {
        v = P.excess;
        if (explain) rule = 'excess';
      } else if ((flags & BOOSTER) !== 0 && i + 1 < n && ents[i + 1]!.valence !== 0) {
        v = 0; // a booster before a sentiment word works on that word
      } else if (negates(i)) {
        v = 0;
        if (P.negationAlone !== 0 && !sentimentAhead(i, n) && !negationBehind(i)) {
          // counted as it stands: nothing before it turns it around
          valences[valenceCount++] = P.negationAlone;
          if (trace) trace.push({ word: forms[i]!, valence: P.negationAlone, rule: 'negation' });
          continue;
        }
      } else if (v !== 0 && e.onlyAfter !== undefined && (i === 0 || !e.onlyAfter.has(forms[i - 1]!))) {
        v = 0;
      } else if (explain && v !== 0 && e.variant !== undefined) {
        rule = `variant:${e.variant}`;
      }
    }
    if (v === 0) {
      neutralCount += span;
      i += span - 1;
      continue;
    }
    const sign = v > 0 ? 1 : -1;
    if (span === 1 && kind === KIND_WORD && e.variant !== undefined && ELONGATED.test(forms[i]!)) {
      v += sign * P.elongation;
      if (explain) rule = rule ? `${rule},elongated` : 'elongated';
    }
    if (capsEmphasis && caps[i]) {
      v += sign * P.caps;
      if (explain) rule = rule ? `${rule},caps` : 'caps';
    }
    // look back within the clause: boosters, dampeners, negation
    let negated = false;
    let boosted = 0;
    for (let d = 1, j = i - 1; d <= P.window && j >= 0; d++, j--) {
      const kj = kinds[j]!;
      if (kj === KIND_CLAUSE || kj === KIND_SENTENCE) break;
      if (kj !== KIND_WORD) continue;
      const ej = ents[j]!;
      // "no doubt a great phone": the idiom has used its "no"
      if ((ej.flags & BREAKER) !== 0 || j <= phraseEnd) break;
      if ((ej.flags & BOOSTER) !== 0) {
        let step = (ej.boost / 0.293) * P.boost * DISTANCE[d]!;
        if (capsEmphasis && caps[j]) step += ej.boost > 0 ? P.caps / 2 : -P.caps / 2;
        boosted += step;
      }
      if (negates(j)) negated = true;
    }
    if (boosted !== 0) {
      v += sign * boosted;
      if (explain) rule = rule ? `${rule},${boosted > 0 ? 'boosted' : 'dampened'}` : boosted > 0 ? 'boosted' : 'dampened';
    }
    // a negation does not turn an emoji or emoticon around ("not again 😂")
    if (negated && kind === KIND_WORD) {
      v *= v > 0 ? P.negatePositive : P.negateNegative;
      if (explain) rule = rule ? `${rule},negated` : 'negated';
    }
    if (v > 0) rawPositive += v;
    else rawNegative -= v;
    if (irrealis) {
      v *= P.irrealis;
      if (explain) rule = rule ? `${rule},irrealis` : 'irrealis';
    }
    if (concessive) {
      v *= P.contrastBefore;
      if (explain) rule = rule ? `${rule},concessive` : 'concessive';
    } else if (afterContrast) {
      v *= P.contrastAfter;
      if (explain) rule = rule ? `${rule},contrast` : 'contrast';
    }
    valences[valenceCount++] = v;
    if (trace) {
      const t: ExplainEntry = { word: span === 1 ? forms[i]! : forms.slice(i, i + span).join(' '), valence: v };
      if (rule !== undefined) t.rule = rule;
      trace.push(t);
    }
    i += span - 1;
  }
  if (scored === 0) return { score: null, positive: 0, neutral: 1, negative: 0, mixed: false, ...(trace ? { explain: trace } : {}) };

  let sum = 0;
  let posSum = 0;
  let negSum = 0;
  for (let k = 0; k < valenceCount; k++) {
    const v = valences[k]!;
    sum += v;
    if (v > 0) posSum += v + 1;
    else if (v < 0) negSum += v - 1;
  }
  let amp = 0;
  if (sum !== 0) {
    amp = Math.min(bangs, 4) * P.exclamation;
    if (questions > 1) amp += Math.min(questions, 3) * P.question;
    if (sum > 0) {
      sum += amp;
      posSum += amp;
    } else {
      sum -= amp;
      negSum -= amp;
    }
  }
  if (valenceCount > 1 && P.gamma !== 0) sum /= Math.pow(valenceCount, P.gamma);
  let compound = sum / Math.sqrt(sum * sum + P.alpha);
  if (!Number.isFinite(compound)) compound = sum > 0 ? 1 : sum < 0 ? -1 : 0;
  const total = posSum - negSum + neutralCount;
  const positive = total > 0 ? round(posSum / total, 3) : 0;
  const negative = total > 0 ? round(-negSum / total, 3) : 0;
  const neutral = round(1 - positive - negative, 3);
  const weak = Math.min(rawPositive, rawNegative);
  const mixed = weak >= P.mixedMin && weak * 3 >= Math.max(rawPositive, rawNegative);
  const result: EngineResult = { score: round(compound, 4), positive, neutral, negative, mixed };
  if (trace) {
    // valences were scaled in place by a later "but": report the final ones
    for (let k = 0; k < trace.length; k++) trace[k]!.valence = round(valences[k]!, 3);
    if (amp !== 0) trace.push({ word: bangs > 0 ? '!' : '?', valence: round(sum > 0 ? amp : -amp, 3), rule: 'punctuation' });
    result.explain = trace;
  }
  return result;
}

/** The tokens of the last scored text, for the learned layer (model.ts): read them before the next call. */
export interface Tokens {
  /** How many tokens: the arrays hold more, left from earlier texts. */
  readonly count: number;
  readonly forms: readonly string[];
  /** 0 word, 1 emoji or emoticon, 2 clause mark, 3 sentence end. */
  readonly kinds: readonly number[];
  readonly entries: readonly Entry[];
  /**
   * Per word token, FNV-1a of its form from `seed` (fnv1a(seed, form), as model.ts hashes it); `seed` is the
   * FNV-1a of the lexicon's language, from 0x811c9dc5. Other tokens' slots hold anything.
   */
  readonly hashes: Int32Array;
  readonly seed: number;
  readonly bangs: number;
  readonly questions: number;
  readonly capsWords: number;
}

let lastScan: Scan = { words: 0, capsWords: 0, bangs: 0, questions: 0 };
export function lastTokens(): Tokens {
  return { count, forms, kinds, entries: ents, hashes, seed: table.seed, bangs: lastScan.bangs, questions: lastScan.questions, capsWords: lastScan.capsWords };
}
