import { readFileSync } from 'node:fs';
import { isLetterUnit } from '../core/text.js';
import { LANGUAGES, languageCode } from '../core/language.js';

/**
 * Language identification for short feed text (headlines, posts): the n-gram model of ELD (Efficient
 * Language Detector, Nito T.M., Apache-2.0) for its 31 Latin-script languages, read from
 * src/enrich/lid/lid-ngrams.bin (written by src/enrich/lid/build.mjs from the `eld` package) and scored here the way
 * eld scores it, but over bytes in flat arrays instead of strings in objects. On the dev tweets
 * (shared/data/sentiment-dev) it is right on .97–1.00 of texts where franc's trigrams were right on .81–.96
 * (`npm run eval:sentiment` prints the share per set).
 *
 * Text mostly in another script (Cyrillic, Greek, Arabic, CJK …) is not identified: null, never a guess.
 * A declared language (the feed's, a topic's) wins when the text scores it nearly as high as its best.
 */

/** Words longer than this many bytes are cut, as eld does. */
const MAX_WORD_BYTES = 70;
/** Reading stops at the first word end after this many bytes, as eld does. */
const MAX_TEXT_BYTES = 350;
/** Fewer Latin letters than this say nothing: the declared language, if any. */
const MIN_LETTERS = 3;
/** A declared language wins when its score is at least this share of the best score. */
const HINT_SHARE = 0.85;
/**
 * Below this many Latin letters ("hello", "merci bien") n-grams tell little: the best of the preferred
 * languages wins outright; with none preferred, the best of the languages momentscan reads wins when it is
 * nearly as likely as any (HINT_SHARE), else the text is too short to tell and is read as English (as the
 * README says), so a greeting is neither Finnish and left unscored nor Spanish on a few shared n-grams
 * ("hello": fi 167, es 76, en 0).
 */
const SHORT_LETTERS = 12;

interface Model {
  codes: string[];
  mask: number;
  /**
   * Open-addressing hash table of n-grams, two numbers a slot (eight slots to a cache line): the
   * n-gram's bytes, and its meta (0: empty slot) | its number of scores << 5 | the offset of its first score in langScores << 10. A view of the file.
   */
  table: Int32Array;
  /** Per score, side by side (one cache line, not two): language index, score (a view of the file). */
  langScores: Uint8Array;
}

const hash = (bytes: number, meta: number): number => {
  let h = Math.imul(bytes ^ Math.imul(meta, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0xc2b2ae35) ^ (h >>> 13);
};

let model: Model | undefined;

const LID_FILE = 'src/enrich/lid/lid-ngrams.bin';

/** The model as its file holds it (src/enrich/lid/build.mjs): the table is used where it was read, not rebuilt. */
function loadModel(): Model {
  const buf = readFileSync(new URL(`../../${LID_FILE}`, import.meta.url));
  const damaged = (what: string) => new Error(`${LID_FILE}: ${what}; reinstall momentscan, or rebuild it with src/enrich/lid/build.mjs`);
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== 'LID2') throw damaged('not a LID2 file');
  const nl = buf[4]!;
  const codes: string[] = [];
  for (let i = 0; i < nl; i++) codes.push(buf.toString('latin1', 5 + 2 * i, 7 + 2 * i));
  const head = Math.ceil((5 + 2 * nl) / 4) * 4 + 12;
  if (buf.length < head) throw damaged('cut short');
  const size = buf.readUInt32LE(head - 12);
  const n = buf.readUInt32LE(head - 8);
  const scoreBytes = buf.readUInt32LE(head - 4);
  if (size === 0 || (size & (size - 1)) !== 0 || size < n * 1.5 || buf.length !== head + 8 * size + scoreBytes) throw damaged('wrong length');
  const mask = size - 1;
  // a view of the file's bytes where they are aligned for it (a copy otherwise)
  const at = buf.byteOffset + head;
  const table = at % 4 === 0 ? new Int32Array(buf.buffer, at, 2 * size) : new Int32Array(buf.buffer.slice(at, at + 8 * size));
  const langScores = new Uint8Array(buf.buffer, buf.byteOffset + head + 8 * size, scoreBytes);
  // the table was laid out by build.mjs's copy of `hash`: a sample of slots must sit where probing finds them
  for (let s = 0; s < size; s += size >>> 6) {
    let slot = s;
    while (table[2 * slot + 1] === 0) slot = (slot + 1) & mask;
    const meta = table[2 * slot + 1]!;
    let probe = hash(table[2 * slot]!, meta & 31) & mask;
    while (probe !== slot && table[2 * probe + 1] !== 0) probe = (probe + 1) & mask;
    if (probe !== slot || (meta >>> 10) + 2 * ((meta >>> 5) & 31) > scoreBytes) throw damaged('its table does not match this version of momentscan');
  }
  return { codes, mask, table, langScores };
}

/** What the text says about its language. */
export interface LanguageScores {
  /** The model's languages (ISO 639-1), in its order. */
  codes: readonly string[];
  /** Each language's score (the same array on every call: copy it to keep it). */
  scores: Float64Array;
  /** Letters of the Latin script and of other scripts. */
  latin: number;
  other: number;
}

let calls = 0;
/**
 * The table slots a text has counted (an n-gram counts once per text), as a small open-addressing set:
 * a word of n bytes has at most n n-grams and a text is read up to MAX_TEXT_BYTES and one word more, so at
 * most 420 n-grams: 1,024 places never fill.
 * Per place: the slot and the call that put it there (mod 2^16); a place of another call is empty. Small
 * enough to stay in the nearest cache, where a stamp per table slot (512 kB) was read at random.
 */
const COUNTED_BITS = 10;
const countedSlot = new Int32Array(1 << COUNTED_BITS);
const countedCall = new Uint16Array(1 << COUNTED_BITS);
const word = new Uint8Array(MAX_WORD_BYTES + 4);
/** The one result object, refilled on every call (identification runs per fetched item: no garbage). */
let result: LanguageScores | undefined;
/** Per model language: is it one of READ_LANGUAGES? */
let readMask: Uint8Array | undefined;

/**
 * A text's n-grams, gathered before any is looked up: their bytes and meta (edge marks | length), then
 * their first table slot and what it holds, their slot once found, the score ranges to add. At most 420
 * (see COUNTED_BITS). Looking them up in passes lets the processor read the table's slots (2 MB, read at
 * random) for many n-grams at once instead of one miss after another; the sums are of small integers, exact
 * in any order, so the scores are the same.
 */
const MAX_GRAMS = 512;
const gramBytes = new Int32Array(MAX_GRAMS);
const gramMeta = new Int32Array(MAX_GRAMS);
const gramSlot = new Int32Array(MAX_GRAMS);
const gramHeld = new Int32Array(MAX_GRAMS);
let grams = 0;

/** Notes the n-gram word[from, to) (meta: its edge marks). */
function noteGram(from: number, to: number, meta: number): void {
  let bytes = 0;
  for (let k = from; k < to; k++) bytes = (bytes << 8) | word[k]!;
  gramBytes[grams] = bytes;
  gramMeta[grams++] = meta | (to - from);
}

/** eld's n-grams of a word of `len` bytes: 4 bytes from every third, the first marked as the word's start; then the last 4, marked as its end. */
function addWord(len: number): void {
  let j = 0;
  for (; j + 4 < len; j += 3) noteGram(j, j + 4, j === 0 ? 8 : 0);
  noteGram(len !== 3 ? Math.max(0, len - 4) : 0, len, j === 0 ? 24 : 16);
}

/** Adds the scores of the noted n-grams, each once (an n-gram counts once per text). */
function countGrams(m: Model, t: Float64Array, stamp: number): void {
  const { table, mask } = m;
  const n = grams;
  // every n-gram's first slot, then what those slots hold: loads that depend on nothing else
  for (let i = 0; i < n; i++) gramSlot[i] = hash(gramBytes[i]!, gramMeta[i]!) & mask;
  for (let i = 0; i < n; i++) gramHeld[i] = table[2 * gramSlot[i]! + 1]!;
  // each n-gram's slot (probing on from the first), kept once; its score range, to add below
  let found = 0;
  for (let i = 0; i < n; i++) {
    const meta = gramMeta[i]!;
    const bytes = gramBytes[i]!;
    let slot = gramSlot[i]!;
    let packed = gramHeld[i]!;
    for (;;) {
      const sm = packed & 31;
      if (sm === 0) break;
      if (sm === meta && table[2 * slot] === bytes) break;
      slot = (slot + 1) & mask;
      packed = table[2 * slot + 1]!;
    }
    if ((packed & 31) === 0) continue;
    let at = Math.imul(slot, 0x9e3779b1) >>> (32 - COUNTED_BITS);
    while (countedCall[at] === stamp) {
      if (countedSlot[at] === slot) break;
      at = (at + 1) & ((1 << COUNTED_BITS) - 1);
    }
    if (countedCall[at] === stamp) continue;
    countedCall[at] = stamp;
    countedSlot[at] = slot;
    gramHeld[found++] = packed;
  }
  const ls = m.langScores;
  for (let i = 0; i < found; i++) {
    const packed = gramHeld[i]!;
    const start = packed >>> 10;
    const end = start + 2 * ((packed >>> 5) & 31);
    for (let e = start; e < end; e += 2) t[ls[e]!]! += ls[e + 1]!;
  }
}

/** Scores the text's Latin-script words against every language of the model (eld's byte 4-grams, stride 3). */
export function scoreLanguages(text: string): LanguageScores {
  model ??= loadModel();
  const m = model;
  result ??= { codes: m.codes, scores: new Float64Array(m.codes.length), latin: 0, other: 0 };
  const t = result.scores;
  t.fill(0);
  // a new stamp per call; on wrap-around the stamps start over
  if (++calls === 0x10000) {
    countedCall.fill(0);
    calls = 1;
  }
  const stamp = calls;
  grams = 0;
  let latin = 0;
  let other = 0;
  let len = 0;
  let read = 0;
  const end = Math.min(text.length, 1000);
  for (let i = 0; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 65 && c <= 90) c += 32;
      if (c >= 97 && c <= 122) {
        latin++;
        if (len < MAX_WORD_BYTES) word[len++] = c;
        continue;
      }
      // an apostrophe inside a word stays in it ("don't", "l'homme")
      if ((c === 39 || c === 96) && len > 0 && i + 1 < end && isLatin(text.charCodeAt(i + 1))) {
        if (len < MAX_WORD_BYTES) word[len++] = c;
        continue;
      }
    } else if (c === 0x2019 && len > 0 && i + 1 < end && isLatin(text.charCodeAt(i + 1))) {
      if (len + 3 <= MAX_WORD_BYTES) {
        word[len++] = 0xe2;
        word[len++] = 0x80;
        word[len++] = 0x99;
      }
      continue;
    } else if (isLatin(c)) {
      latin++;
      const lower = c < 0x100 ? (c <= 0xde && c !== 0xd7 ? c + 32 : c) : String.fromCharCode(c).toLowerCase().charCodeAt(0);
      if (lower < 0x800) {
        if (len + 2 <= MAX_WORD_BYTES) {
          word[len++] = 0xc0 | (lower >> 6);
          word[len++] = 0x80 | (lower & 0x3f);
        }
      } else if (len + 3 <= MAX_WORD_BYTES) {
        word[len++] = 0xe0 | (lower >> 12);
        word[len++] = 0x80 | ((lower >> 6) & 0x3f);
        word[len++] = 0x80 | (lower & 0x3f);
      }
      continue;
    } else if (c < 0xd800 || c > 0xdfff) {
      if (isLetterUnit(c)) other++;
    }
    if (len > 0) {
      addWord(len);
      read += len + 1;
      len = 0;
      if (read > MAX_TEXT_BYTES) break;
    }
  }
  if (len > 0) addWord(len);
  countGrams(m, t, stamp);
  result.latin = latin;
  result.other = other;
  return result;
}

/** A letter of the Latin script (Basic Latin, Latin-1, Extended-A/B, Extended Additional). */
function isLatin(c: number): boolean {
  if (c < 0x80) return (c | 32) >= 97 && (c | 32) <= 122;
  if (c < 0xc0) return false;
  if (c < 0x250) return c !== 0xd7 && c !== 0xf7;
  return c >= 0x1e00 && c < 0x1f00;
}

/** Normalises a declared language such as "en-US", "EN", "de_DE" to "en" (core/language.ts). */
export const normalizeLanguage: (declared: string | null | undefined) => string | null = languageCode;

/** The languages momentscan scores (and a text's language is read in when it is nearly as likely as another). */
export const READ_LANGUAGES: readonly string[] = LANGUAGES;

/** What identification found: the language (ISO 639-1) or null, and whether the text is mostly in a non-Latin script. */
export interface Identified {
  language: string | null;
  /** Mostly Cyrillic, Greek, Arabic, CJK …: no language momentscan reads, so no sentiment either. */
  otherScript: boolean;
}

/**
 * The text's language as an ISO 639-1 code, or null when it cannot be told: text mostly in a script
 * other than Latin, or too little text and nothing declared. A preferred language wins when the text
 * scores it nearly as high as its best (HINT_SHARE): `declared` (a feed's language) and `preferred`
 * (the languages of the topics that read the feed), or else the five languages momentscan reads.
 */
export function identifyLanguage(text: string, declared?: string | null, preferred?: readonly string[] | null): Identified {
  const hint = normalizeLanguage(declared);
  const r = scoreLanguages(text);
  if (r.other > r.latin) return { language: null, otherScript: true };
  if (r.latin < MIN_LETTERS) return { language: hint, otherScript: false };
  if (r.latin >= SHORT_LETTERS) return { language: pick(r, hint, preferred, HINT_SHARE), otherScript: false };
  const hinted = hint !== null || (preferred !== null && preferred !== undefined && preferred.length > 0);
  if (hinted) return { language: pick(r, hint, preferred, 0), otherScript: false };
  // too short to tell English from a language sharing its n-grams ("bad": German 78, English 78; "terrible":
  // French 233, English 227): English, as the README says, unless another language scores clearly higher ("gut")
  const en = r.codes.indexOf('en');
  const best = r.scores.reduce((m, s) => Math.max(m, s), 0);
  if (en >= 0 && r.scores[en]! > 0 && r.scores[en]! >= HINT_SHARE * best) return { language: 'en', otherScript: false };
  return { language: pick(r, null, null, HINT_SHARE, 'en'), otherScript: false };
}

/** identifyLanguage's language alone. */
export function detectLanguage(text: string, declared?: string | null, preferred?: readonly string[] | null): string | null {
  return identifyLanguage(text, declared, preferred).language;
}

/** The preferred language (or one momentscan reads) when it scores at least `share` of the best; else `otherwise`, or the best. */
function pick({ scores, codes }: LanguageScores, hint: string | null, preferred: readonly string[] | null | undefined, share: number, otherwise?: string): string | null {
  let best = -1;
  for (let l = 0; l < scores.length; l++) if (scores[l]! > 0 && (best < 0 || scores[l]! > scores[best]!)) best = l;
  if (best < 0) return hint;
  const hinted = hint !== null || (preferred !== null && preferred !== undefined && preferred.length > 0);
  const read = (readMask ??= Uint8Array.from(codes, (c) => (READ_LANGUAGES.includes(c) ? 1 : 0)));
  let chosen = -1;
  for (let l = 0; l < scores.length; l++) {
    const ok = hinted ? codes[l] === hint || preferred?.includes(codes[l]!) === true : read[l] === 1;
    if (ok && (chosen < 0 || scores[l]! > scores[chosen]!)) chosen = l;
  }
  if (chosen >= 0 && scores[chosen]! > 0 && scores[chosen]! >= share * scores[best]!) return codes[chosen]!;
  return otherwise ?? codes[best]!;
}
