import { readFileSync } from 'node:fs';
import { BOOSTER, NEGATION } from './lexicon.js';
import type { EngineResult, ExplainEntry, Tokens } from './engine.js';

/**
 * The learned layer: an ordinal logistic model over the rule engine's result and the text's tokens.
 * Features (hashed into 2^BITS weights): the engine's compound (overall and per language) and its
 * positive/negative shares, "!", "??" and ALL CAPS; one per word (per language; "¬word" inside a
 * negation's reach), per long word's first letters, per pair of adjacent words and per emoji or emoticon
 * (any language), each token counting 1/√(number of tokens). The weighted sum z
 * is read against two learned cut points: below the first negative, above the second positive, and
 * mapped onto the compound scale so that the cut points land on ∓0.05 (the label thresholds).
 *
 * The final score blends the rule engine's compound and the model's, by a share per language chosen by
 * cross-validation (0 for a language without training texts: the rules alone).
 *
 * The weights are in model.bin, written by `node test/eval/sentiment-model.mjs --write` (training data,
 * command and cross-validated figures: src/enrich/sentiment/MODEL.md). Loaded on first use (a few ms).
 */

/** Weights: 2^BITS buckets. */
export const BITS = 18;
const MASK = (1 << BITS) - 1;

export interface Model {
  weights: Float32Array;
  /**
   * The weights as stored (model.bin): weights[i] is Math.fround(raw[i] × quantum). Half the memory:
   * the hot path reads these (the weights are read at random, so this saves cache misses).
   */
  stored?: { raw: Int16Array; quantum: number };
  cut1: number;
  cut2: number;
  /** Scale of the tanh beyond the cut points. */
  spread: number;
  /**
   * Per language (ISO 639-1): the learned layer's share of the final score, the rest the rule engine's
   * (0 … 1, chosen by cross-validation on the training sets, see MODEL.md). A language not listed (no
   * training texts in it) is scored by the rule engine alone.
   */
  blend: ReadonlyMap<string, number>;
}

let model: Model | null | undefined;

/**
 * model.bin: "SNT2", u32 bits, f32 cut1, cut2, spread, quantum, u32 number of languages, per language
 * its two-letter code (2 bytes, latin1) and f32 blend, then 2^bits Int16 weights (× quantum).
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
  const languages = buf.length >= 28 ? buf.readUInt32LE(24) : 0;
  const start = 28 + 6 * languages;
  if (buf.length < 28 || buf.toString('latin1', 0, 4) !== 'SNT2' || buf.readUInt32LE(4) !== BITS || languages > 64 || buf.length !== start + 2 * (1 << BITS)) {
    throw new Error(`${name}: not an SNT2 file of 2^18 weights; reinstall momentscan`);
  }
  const quantum = buf.readFloatLE(20);
  const blend = new Map<string, number>();
  for (let k = 0; k < languages; k++) blend.set(buf.toString('latin1', 28 + 6 * k, 30 + 6 * k), buf.readFloatLE(30 + 6 * k));
  const raw = new Int16Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + 2 * (1 << BITS)));
  const weights = new Float32Array(1 << BITS);
  for (let i = 0; i < raw.length; i++) weights[i] = raw[i]! * quantum;
  return { weights, stored: { raw, quantum }, cut1: buf.readFloatLE(8), cut2: buf.readFloatLE(12), spread: buf.readFloatLE(16), blend };
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
  const languages = [...m.blend].filter(([code]) => /^[a-z]{2}$/.test(code)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const start = 28 + 6 * languages.length;
  const buf = Buffer.alloc(start + 2 * (1 << BITS));
  buf.write('SNT2', 0, 'latin1');
  buf.writeUInt32LE(BITS, 4);
  buf.writeFloatLE(m.cut1, 8);
  buf.writeFloatLE(m.cut2, 12);
  buf.writeFloatLE(m.spread, 16);
  buf.writeFloatLE(quantum, 20);
  buf.writeUInt32LE(languages.length, 24);
  languages.forEach(([code, share], k) => {
    buf.write(code, 28 + 6 * k, 'latin1');
    buf.writeFloatLE(share, 30 + 6 * k);
  });
  for (let i = 0; i < m.weights.length; i++) buf.writeInt16LE(Math.round(m.weights[i]! / quantum), start + 2 * i);
  return buf;
}

// --- features ------------------------------------------------------------------------------------

/** FNV-1a over the first `n` UTF-16 units of s (all of it by default). */
function hashString(h: number, s: string, n = s.length): number {
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
const SEED = 0x811c9dc5;
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
  lex: mix(hashString(SEED, '\u0000lex')),
  pos: mix(hashString(SEED, '\u0000pos')),
  neg: mix(hashString(SEED, '\u0000neg')),
  bang: mix(hashString(SEED, '\u0000!')),
  questions: mix(hashString(SEED, '\u0000??')),
  caps: mix(hashString(SEED, '\u0000caps')),
};

/** A language's own bias and rules buckets (computed once per language). */
const ownBuckets = new Map<string, { bias: number; lex: number }>();
function languageFeatures(language: string, lang: number): { bias: number; lex: number } {
  let own = ownBuckets.get(language);
  if (own === undefined) {
    own = { bias: mix(hashString(lang, '\u0000bias')), lex: mix(hashString(lang, '\u0000lex')) };
    ownBuckets.set(language, own);
  }
  return own;
}

/**
 * Walks the features of the text the engine scored last (its tokens `t`, its result `r`); `dense` is
 * called once, between the features for any language and the language's own.
 */
function walk(language: string, r: EngineResult, t: Tokens, names: boolean, add: Sink, dense: () => void): void {
  const lang = hashString(SEED, language);
  add(DENSE.lex, r.score ?? 0, names ? 'rules' : '');
  add(DENSE.pos, r.positive, names ? 'rules:positive' : '');
  add(DENSE.neg, r.negative, names ? 'rules:negative' : '');
  if (t.bangs > 0) add(DENSE.bang, 1, '!');
  if (t.questions > 1) add(DENSE.questions, 1, '??');
  if (t.capsWords > 0) add(DENSE.caps, 1, 'CAPS');
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
      add(mix(hashString(SEED ^ 0x5a5a, form)), unit, form);
      continue;
    }
    const e = entries[i]!;
    const negated = i - negation <= 3 && (e.flags & BOOSTER) === 0;
    const h = hashString(negated ? lang ^ 0x3c3c3c3c : lang, form);
    add(mix(h), unit, names ? (negated ? `¬${form}` : form) : '');
    // a long word's first letters stand for its other forms ("détestable", "détestent")
    if (form.length >= STEM_FROM) add(mix(hashString(lang ^ 0x7e7e7e7e, form, STEM) ^ (negated ? 0x1111 : 0)), unit, names ? `${negated ? '¬' : ''}${form.slice(0, STEM)}…` : '');
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

let sum = 0;
let weights: Float32Array = new Float32Array(0);
let raw: Int16Array = new Int16Array(0);
let quantum = 0;
const accumulate: Sink = (id, value) => {
  sum += weights[id]! * value;
};
// the same number as weights[id]: a Float32Array holds Math.fround of what is stored in it
const accumulateStored: Sink = (id, value) => {
  sum += Math.fround(raw[id]! * quantum) * value;
};
const nothing = (): void => {};

/** The model's latent score of the text the engine scored last, without building feature lists (the hot path). */
export function latentOfTokens(m: Model, language: string, r: EngineResult, t: Tokens): number {
  sum = 0;
  if (m.stored) {
    raw = m.stored.raw;
    quantum = m.stored.quantum;
    walk(language, r, t, false, accumulateStored, nothing);
  } else {
    weights = m.weights;
    walk(language, r, t, false, accumulate, nothing);
  }
  return sum;
}

/** The model's latent score of a feature set. */
export function latent(m: Model, f: Features): number {
  let z = 0;
  for (let k = 0; k < f.ids.length; k++) z += m.weights[f.ids[k]!]! * f.values[k]!;
  return z;
}

/** The latent score on the compound scale: the cut points at ∓0.05, linear between, tanh beyond. */
export function compound(m: Model, z: number): number {
  const centre = (m.cut1 + m.cut2) / 2;
  const half = Math.max((m.cut2 - m.cut1) / 2, 1e-6);
  const d = z - centre;
  const a = Math.abs(d);
  if (a <= half) return (0.05 * d) / half;
  return Math.sign(d) * (0.05 + 0.95 * Math.tanh((a - half) / m.spread));
}

/**
 * The final score: the rule engine's compound `rules` and the learned layer's `learned`, blended by the
 * language's share (a language the layer was not trained on: the rules alone).
 */
export function blended(m: Model, language: string, rules: number, learned: number): number {
  const share = m.blend.get(language) ?? 0;
  return share >= 1 ? learned : (1 - share) * rules + share * learned;
}

/** The features that moved the score most (for explain): up to `top`, largest first. */
export function topFeatures(m: Model, f: Features, top: number): ExplainEntry[] {
  const byName = new Map<string, number>();
  for (let k = 0; k < f.ids.length; k++) {
    const name = f.names![k]!;
    if (name === 'bias') continue;
    byName.set(name, (byName.get(name) ?? 0) + m.weights[f.ids[k]!]! * f.values[k]!);
  }
  return [...byName]
    .filter(([, c]) => Math.abs(c) >= 0.005)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([word, c]) => ({ word, valence: Math.round(c * 1000) / 1000 || 0, rule: 'model' }));
}
