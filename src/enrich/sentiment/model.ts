import { readFileSync } from 'node:fs';
import { BOOSTER, FNV_SEED, fnv1a, NEGATION } from './lexicon.js';
import type { EngineResult, ExplainEntry, Tokens } from './engine.js';

/**
 * The learned layer: two logistic models over the same features, the rule engine's result and the
 * text's tokens, and per language the one that held up better when cross-validated:
 * - ordinal: one latent score read against two cut points (negative below the first, positive above
 *   the second), mapped onto the compound scale so that the cut points land on ∓0.05;
 * - multinomial: a score for "negative" and one for "positive" against "neutral" (0): what makes a
 *   text neutral ("@user", a link, a news word) need not sit halfway between the two tones. The three
 *   probabilities become a compound: p(positive) − p(negative) inside the neutral band (|score| < 0.05)
 *   when neutral is the likeliest, beyond ±0.05 in the likelier tone's direction otherwise.
 * Features (hashed into 2^BITS buckets): the engine's compound (overall and per language) and its
 * positive/negative shares, "!", "??", ALL CAPS and "no tone word" (the rules scored none); per language
 * each lexicon word's sign and strength class ("lexicon:+strong", "¬lexicon:-weak" in a negation's
 * reach); one per word (per language; "¬word" inside a
 * negation's reach), per long word's first letters, per pair of adjacent words and per emoji or emoticon
 * (once for any language, once for the text's: an emoji's use differs between communities), each token
 * counting 1/√(number of tokens).
 *
 * The final score blends the rule engine's compound and the model's, by a share per language chosen by
 * cross-validation (0 for a language without training texts: the rules alone).
 *
 * The weights are in model.bin, written by `node test/eval/sentiment-model.mjs --write` (training data,
 * command and cross-validated figures: src/enrich/sentiment/MODEL.md). Loaded on first use (a few ms).
 */

/** Buckets: 2^BITS, three weights each (ordinal, negative, positive). */
export const BITS = 18;
const MASK = (1 << BITS) - 1;
const BUCKETS = 1 << BITS;
const SIZE = 3 * BUCKETS;

export type ModelKind = 'ordinal' | 'multinomial';

export interface Model {
  /**
   * Per bucket b: weights[b] the ordinal model's; weights[2^BITS + 2b] and [2^BITS + 2b + 1] the
   * multinomial's negative and positive (the ordinal block apart: a language scored by it reads a
   * third of the memory).
   */
  weights: Float32Array;
  /**
   * The weights as stored (model.bin): weights[i] is Math.fround(raw[i] × quantum). Half the memory:
   * the hot path reads these (the weights are read at random, so this saves cache misses).
   */
  stored?: { raw: Int16Array; quantum: number };
  /** The ordinal model's cut points. */
  cut1: number;
  cut2: number;
  /** Scale of the tanh beyond the cut points. */
  spread: number;
  /**
   * Per blend key (see blendKey: the language, ISO 639-1, or the language and "#" for social posts):
   * the learned layer's share of the final score, the rest the rule engine's (0 … 1, chosen by
   * cross-validation on the training sets, see MODEL.md). A language not listed (no training texts in
   * it) is scored by the rule engine alone; a social post of a language without a "#" key as the
   * language's other texts.
   */
  blend: ReadonlyMap<string, number>;
  /** Per blend key: which of the two models scores it (ordinal when not listed). */
  kinds: ReadonlyMap<string, ModelKind>;
}

let model: Model | null | undefined;

/** A blend key's mark for social posts: "en#" is English posts with an @mention, #hashtag or emoji. */
export const SOCIAL = '#';

/**
 * The blend key of a text of `language`: social posts (see isSocial) have a share and model of their own
 * where the training sets held enough of them in that language, else they go with the language's.
 */
export function blendKey(m: Model, language: string, social: boolean): string {
  return social && m.blend.has(language + SOCIAL) ? language + SOCIAL : language;
}

/** An @mention or #hashtag: "@" or "#" not inside a word, then a letter, digit or "_". */
const MARK = /(?:^|[^\p{L}\p{N}_&])[@#][\p{L}\p{N}_]/u;
const TAG = /<!--[\s\S]*?-->|<\/?[a-zA-Z][^<>]*>/g;

/**
 * Whether a text reads as a social post, by what the text itself shows (before cleaning drops mentions):
 * an @mention or #hashtag outside HTML tags, or an emoji or emoticon among the engine's tokens `t`.
 * Posts are mostly neutral chatter about a name that carry their tone in their words; headlines and
 * reviews are not, and a share of the learned layer chosen on one kind does not hold on the other. (A
 * link is no sign: feed summaries carry them as much as posts.)
 */
export function isSocial(raw: string, t: Tokens): boolean {
  for (let i = 0; i < t.count; i++) if (t.kinds[i] === 1) return true;
  if (!raw.includes('@') && !raw.includes('#')) return false;
  return MARK.test(raw.includes('<') ? raw.replace(TAG, ' ') : raw);
}

const MAGIC = 'SNT3';
const HEADER = 28;
const ENTRY = 8;

/**
 * model.bin: "SNT3", u32 bits, f32 cut1, cut2, spread, quantum, u32 number of blend keys, per key the
 * language's two-letter code (2 bytes, latin1), its model (1 byte: 0 ordinal, 1 multinomial), the kind
 * of text (1 byte: 0 any, 1 social posts) and f32 share, then 3 × 2^bits Int16 weights (× quantum) in
 * the order of Model.weights.
 */
export function loadModel(): Model | null {
  if (model !== undefined) return model;
  let buf: Buffer;
  try {
    buf = readFileSync(new URL('../../../src/enrich/sentiment/model.bin', import.meta.url));
  } catch (err) {
    // not a silent fall-back to the rules alone: scores would change under the same engine version
    throw new Error(`src/enrich/sentiment/model.bin: cannot read the sentiment model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); reinstall momentscan`);
  }
  model = decodeModel(buf, 'src/enrich/sentiment/model.bin');
  return model;
}

/** Reads an encoded model (`name` names it in the error when the bytes are not one). */
export function decodeModel(buf: Buffer, name: string): Model {
  const languages = buf.length >= HEADER ? buf.readUInt32LE(24) : 0;
  const start = HEADER + ENTRY * languages;
  const kindsOk = (): boolean => {
    for (let k = 0; k < languages; k++) if (buf[HEADER + ENTRY * k + 2]! > 1 || buf[HEADER + ENTRY * k + 3]! > 1) return false;
    return true;
  };
  if (buf.length < HEADER || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt32LE(4) !== BITS || languages > 64 || buf.length !== start + 2 * SIZE || !kindsOk()) {
    throw new Error(`${name}: not an ${MAGIC} file of 3 × 2^${BITS} weights; reinstall momentscan`);
  }
  const quantum = buf.readFloatLE(20);
  const blend = new Map<string, number>();
  const kinds = new Map<string, ModelKind>();
  for (let k = 0; k < languages; k++) {
    const at = HEADER + ENTRY * k;
    const code = buf.toString('latin1', at, at + 2) + (buf[at + 3] === 1 ? SOCIAL : '');
    kinds.set(code, buf[at + 2] === 1 ? 'multinomial' : 'ordinal');
    blend.set(code, buf.readFloatLE(at + 4));
  }
  // a view of the file's bytes where they are aligned for it (a copy otherwise)
  const at = buf.byteOffset + start;
  const raw = at % 2 === 0 ? new Int16Array(buf.buffer, at, SIZE) : new Int16Array(buf.buffer.slice(at, at + 2 * SIZE));
  // the hot path reads `stored`: the weights as floats (explain, training) are worked out on first use,
  // not at every start (a loop over 786,432 weights)
  let weights: Float32Array | undefined;
  return {
    get weights(): Float32Array {
      if (weights === undefined) {
        weights = new Float32Array(SIZE);
        for (let i = 0; i < raw.length; i++) weights[i] = raw[i]! * quantum;
      }
      return weights;
    },
    stored: { raw, quantum },
    cut1: buf.readFloatLE(8),
    cut2: buf.readFloatLE(12),
    spread: buf.readFloatLE(16),
    blend,
    kinds,
  };
}

/** Replaces the loaded model (training and cross-validation; null: the rule engine alone). */
export function setModel(m: Model | null | undefined): void {
  model = m;
}

/** The encoded model file. */
export function encodeModel(m: Model): Buffer {
  let max = 0;
  for (const w of m.weights) max = Math.max(max, Math.abs(w));
  const quantum = max > 0 ? max / 32767 : 1;
  const languages = [...m.blend].filter(([code]) => /^[a-z]{2}#?$/.test(code)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const start = HEADER + ENTRY * languages.length;
  const buf = Buffer.alloc(start + 2 * SIZE);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(BITS, 4);
  buf.writeFloatLE(m.cut1, 8);
  buf.writeFloatLE(m.cut2, 12);
  buf.writeFloatLE(m.spread, 16);
  buf.writeFloatLE(quantum, 20);
  buf.writeUInt32LE(languages.length, 24);
  languages.forEach(([code, share], k) => {
    const at = HEADER + ENTRY * k;
    buf.write(code.slice(0, 2), at, 'latin1');
    buf[at + 2] = m.kinds.get(code) === 'multinomial' ? 1 : 0;
    buf[at + 3] = code.endsWith(SOCIAL) ? 1 : 0;
    buf.writeFloatLE(share, at + 4);
  });
  for (let i = 0; i < SIZE; i++) buf.writeInt16LE(Math.round(m.weights[i]! / quantum), start + 2 * i);
  return buf;
}

// --- features ------------------------------------------------------------------------------------

const mix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & MASK;
};

/** Features of one text: bucket ids and values, plus a name per feature when asked (for explain). */
export interface Features {
  ids: number[];
  values: number[];
  names?: string[];
  /** The first `dense` features are the engine's result and punctuation, for any language; then the language's own and the tokens. */
  dense: number;
}

/** Words of at least STEM_FROM letters also count by their first STEM letters. */
const STEM_FROM = 7;
const STEM = 5;

/** Receives each feature: its bucket, its value, and its name (only when names are asked for, else ''). */
type Sink = (id: number, value: number, name: string) => void;

/** The buckets of the features for any language (computed once). */
const DENSE = {
  lex: mix(fnv1a(FNV_SEED, '\u0000lex')),
  pos: mix(fnv1a(FNV_SEED, '\u0000pos')),
  neg: mix(fnv1a(FNV_SEED, '\u0000neg')),
  bang: mix(fnv1a(FNV_SEED, '\u0000!')),
  questions: mix(fnv1a(FNV_SEED, '\u0000??')),
  caps: mix(fnv1a(FNV_SEED, '\u0000caps')),
  none: mix(fnv1a(FNV_SEED, '\u0000none')),
};

/** A lexicon word's strength class: weak (|valence| < 1), middling (< 2), strong. */
const STRENGTH = ['weak', 'mid', 'strong'] as const;
const strengthOf = (valence: number): number => {
  const a = Math.abs(valence);
  return a < 1 ? 0 : a < 2 ? 1 : 2;
};

/** The name of a lexicon strength feature: index (negated × 6 + negative × 3 + strength). */
const strengthName = (k: number): string => `${k >= 6 ? '¬' : ''}lexicon:${k % 6 >= 3 ? '-' : '+'}${STRENGTH[k % 3]}`;

/**
 * A language's own buckets (computed once per language): its bias, its rules' score, and its lexicon's
 * words by sign and strength (in a negation's reach or not), so the layer learns per language how far
 * each class of lexicon word is to be trusted (the rules weigh them alike in every language).
 */
const ownBuckets = new Map<string, { bias: number; lex: number; strength: Int32Array }>();
function languageFeatures(language: string, lang: number): { bias: number; lex: number; strength: Int32Array } {
  let own = ownBuckets.get(language);
  if (own === undefined) {
    const strength = new Int32Array(12);
    for (let k = 0; k < 12; k++) strength[k] = mix(fnv1a(lang ^ 0x6d6d, strengthName(k)));
    own = { bias: mix(fnv1a(lang, '\u0000bias')), lex: mix(fnv1a(lang, '\u0000lex')), strength };
    ownBuckets.set(language, own);
  }
  return own;
}

/**
 * Walks the features of the text the engine scored last (its tokens `t`, its result `r`); `dense` is
 * called once, between the features for any language and the language's own.
 */
function walk(language: string, r: EngineResult, t: Tokens, names: boolean, add: Sink, dense: () => void): void {
  const lang = fnv1a(FNV_SEED, language);
  add(DENSE.lex, r.score ?? 0, names ? 'rules' : '');
  add(DENSE.pos, r.positive, names ? 'rules:positive' : '');
  add(DENSE.neg, r.negative, names ? 'rules:negative' : '');
  if (t.bangs > 0) add(DENSE.bang, 1, '!');
  if (t.questions > 1) add(DENSE.questions, 1, '??');
  if (t.capsWords > 0) add(DENSE.caps, 1, 'CAPS');
  // no word the rules score: their 0 is no evidence, not tones that cancel out
  if (r.positive === 0 && r.negative === 0) add(DENSE.none, 1, 'no tone word');
  dense();
  const own = languageFeatures(language, lang);
  add(own.bias, 1, 'bias');
  add(own.lex, r.score ?? 0, names ? 'rules' : '');
  const { forms, kinds, entries, count: n } = t;
  // each token counts 1/√(number of tokens): a long text's many words do not add up to a tone by themselves
  let count = 0;
  for (let i = 0; i < n; i++) if (kinds[i]! < 2) count++;
  const unit = 1 / Math.sqrt(Math.max(1, count));
  let negation = -10;
  let prev = 0; // hash of the previous word, 0 at a clause start
  let prevForm = '';
  for (let i = 0; i < n; i++) {
    const kind = kinds[i]!;
    if (kind >= 2) {
      negation = -10;
      prev = 0;
      continue;
    }
    const form = forms[i]!;
    if (kind === 1) {
      add(mix(fnv1a(FNV_SEED ^ 0x5a5a, form)), unit, form);
      // and as used in this language (😂, 😭 and 🙄 are read differently from one community to another)
      add(mix(fnv1a(lang ^ 0x5a5a, form)), unit, names ? `${language}:${form}` : '');
      continue;
    }
    const e = entries[i]!;
    const negated = i - negation <= 3 && (e.flags & BOOSTER) === 0;
    // the engine hashed each word from its language's seed as it scanned it
    const h = negated ? fnv1a(lang ^ 0x3c3c3c3c, form) : t.seed === lang ? t.hashes[i]! : fnv1a(lang, form);
    add(mix(h), unit, names ? (negated ? `¬${form}` : form) : '');
    if (e.valence !== 0) {
      const k = (negated ? 6 : 0) + (e.valence < 0 ? 3 : 0) + strengthOf(e.valence);
      add(own.strength[k]!, unit, names ? strengthName(k) : '');
    }
    // a long word's first letters stand for its other forms ("détestable", "détestent")
    if (form.length >= STEM_FROM) add(mix(fnv1a(lang ^ 0x7e7e7e7e, form, STEM) ^ (negated ? 0x1111 : 0)), unit, names ? `${negated ? '¬' : ''}${form.slice(0, STEM)}…` : '');
    if (prev !== 0) add(mix(Math.imul(prev, 31) ^ h ^ 0x2f2f), unit, names ? `${prevForm} ${form}` : '');
    prev = h;
    prevForm = form;
    if ((e.flags & NEGATION) !== 0) negation = i;
  }
}

/** The features of the text the engine scored last (its tokens) with its result `r`, as lists. */
export function features(language: string, r: EngineResult, t: Tokens, withNames: boolean): Features {
  const f: Features = { ids: [], values: [], dense: 0, ...(withNames ? { names: [] } : {}) };
  walk(
    language,
    r,
    t,
    withNames,
    (id, value, name) => {
      f.ids.push(id);
      f.values.push(value);
      if (f.names) f.names.push(name);
    },
    () => {
      f.dense = f.ids.length;
    },
  );
  return f;
}

// The hot path gathers a text's features in these buffers, then reads their weights in one tight loop:
// the weights are read at random in 1.5 MB, and reads that depend on nothing else overlap their cache
// misses (the sums are made in the same order as before: the same numbers).
let ids = new Int32Array(256);
let values = new Float64Array(256);
let gathered = 0;
const gather: Sink = (id, value) => {
  if (gathered === ids.length) {
    const moreIds = new Int32Array(2 * gathered);
    moreIds.set(ids);
    ids = moreIds;
    const moreValues = new Float64Array(2 * gathered);
    moreValues.set(values);
    values = moreValues;
  }
  ids[gathered] = id;
  values[gathered] = value;
  gathered++;
};
const nothing = (): void => {};

/**
 * The learned layer's compound for `language` of the text the engine scored last, by the model of blend
 * key `key`, its features gathered in reused buffers rather than lists (the hot path).
 */
export function compoundOfTokens(m: Model, language: string, key: string, r: EngineResult, t: Tokens): number {
  gathered = 0;
  walk(language, r, t, false, gather, nothing);
  const n = gathered;
  if (m.kinds.get(key) === 'multinomial') {
    let zn = 0;
    let zp = 0;
    if (m.stored) {
      // the same numbers as weights[…]: a Float32Array holds Math.fround of what is stored in it
      const { raw, quantum } = m.stored;
      for (let k = 0; k < n; k++) {
        const at = BUCKETS + 2 * ids[k]!;
        const v = values[k]!;
        zn += Math.fround(raw[at]! * quantum) * v;
        zp += Math.fround(raw[at + 1]! * quantum) * v;
      }
    } else {
      const w = m.weights;
      for (let k = 0; k < n; k++) {
        const at = BUCKETS + 2 * ids[k]!;
        const v = values[k]!;
        zn += w[at]! * v;
        zp += w[at + 1]! * v;
      }
    }
    return multinomialCompound(zn, zp);
  }
  let zo = 0;
  if (m.stored) {
    const { raw, quantum } = m.stored;
    for (let k = 0; k < n; k++) zo += Math.fround(raw[ids[k]!]! * quantum) * values[k]!;
  } else {
    const w = m.weights;
    for (let k = 0; k < n; k++) zo += w[ids[k]!]! * values[k]!;
  }
  return ordinalCompound(m, zo);
}

/** The learned layer's compound of a feature set, by the model `kind` (the language's by default). */
export function compoundOf(m: Model, f: Features, kind: ModelKind): number {
  let o = 0;
  let n = 0;
  let p = 0;
  for (let k = 0; k < f.ids.length; k++) {
    const id = f.ids[k]!;
    const v = f.values[k]!;
    o += m.weights[id]! * v;
    n += m.weights[BUCKETS + 2 * id]! * v;
    p += m.weights[BUCKETS + 2 * id + 1]! * v;
  }
  return kind === 'multinomial' ? multinomialCompound(n, p) : ordinalCompound(m, o);
}

/** The ordinal latent score on the compound scale: the cut points at ∓0.05, linear between, tanh beyond. */
export function ordinalCompound(m: Model, z: number): number {
  const centre = (m.cut1 + m.cut2) / 2;
  const half = Math.max((m.cut2 - m.cut1) / 2, 1e-6);
  const d = z - centre;
  const a = Math.abs(d);
  if (a <= half) return (0.05 * d) / half;
  return Math.sign(d) * (0.05 + 0.95 * Math.tanh((a - half) / m.spread));
}

/** The multinomial scores on the compound scale (see the top of this file). */
export function multinomialCompound(n: number, p: number): number {
  const top = Math.max(0, n, p);
  const en = Math.exp(n - top);
  const ep = Math.exp(p - top);
  const eu = Math.exp(-top);
  const d = (ep - en) / (en + ep + eu);
  if (eu >= en && eu >= ep) return 0.049 * d;
  return Math.sign(d) * (0.05 + 0.95 * Math.abs(d));
}

/**
 * The final score: the rule engine's compound `rules` and the learned layer's `learned`, blended by the
 * share of blend key `key` (a language the layer was not trained on: the rules alone).
 */
export function blended(m: Model, key: string, rules: number, learned: number): number {
  const share = m.blend.get(key) ?? 0;
  return share >= 1 ? learned : (1 - share) * rules + share * learned;
}

/** The features that moved the score most (for explain): up to `top`, largest first; + toward positive. */
export function topFeatures(m: Model, f: Features, top: number, kind: ModelKind): ExplainEntry[] {
  const byName = new Map<string, number>();
  for (let k = 0; k < f.ids.length; k++) {
    const name = f.names![k]!;
    if (name === 'bias') continue;
    const id = f.ids[k]!;
    const w = kind === 'multinomial' ? m.weights[BUCKETS + 2 * id + 1]! - m.weights[BUCKETS + 2 * id]! : m.weights[id]!;
    byName.set(name, (byName.get(name) ?? 0) + w * f.values[k]!);
  }
  return [...byName]
    .filter(([, c]) => Math.abs(c) >= 0.005)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([word, c]) => ({ word, valence: Math.round(c * 1000) / 1000 || 0, rule: 'model' }));
}
