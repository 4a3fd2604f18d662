#!/usr/bin/env node
// Trains the learned layer of the sentiment engine (src/enrich/sentiment/model.ts) on the labelled dev
// sets in ../shared/data/sentiment-dev and cross-validates it against the rule engine alone.
//
//   npm run build && node test/eval/sentiment-model.mjs          # cross-validated figures only
//   npm run build && node test/eval/sentiment-model.mjs --write  # … and write src/enrich/sentiment/model.bin
//   npm run build && node test/eval/sentiment-model.mjs --seed 13  # cross-validated with another training order
//
// --seed N shuffles the training texts in another order (the shipped model: 12). How far a figure moves
// from one order to the next is the noise of these figures: a gain smaller than that is no gain.
//
// The models: ordinal logistic regression (two cut points on one latent score) and multinomial logistic
// regression (negative and positive against neutral), per language the one that cross-validates better; hashed sparse features,
// AdaGrad, a fixed seed and order: the same data gives the same file. test/eval/sentiment.mjs imports
// crossValidate() from here to print the cross-validated figures next to the in-sample ones.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32 } from '../bench/feeds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA_DIR = join(root, '..', 'shared', 'data', 'sentiment-dev');
const MODEL_FILE = join(root, 'src', 'enrich', 'sentiment', 'model.bin');

/** The dev sets: name, file, language, kind ('graded': VADER's −4…+4 human means; 'labels': neg/neu/pos). */
export const DEV_SETS = [
  ['tweeteval_en', 'tweeteval_en.tsv', 'en', 'labels'],
  ['xlmt_de', 'xlmt_de.tsv', 'de', 'labels'],
  ['xlmt_fr', 'xlmt_fr.tsv', 'fr', 'labels'],
  ['xlmt_es', 'xlmt_es.tsv', 'es', 'labels'],
  ['nyt', 'nytEditorialSnippets_GroundTruth.txt', 'en', 'graded'],
  ['movie', 'movieReviewSnippets_GroundTruth.txt', 'en', 'graded'],
  ['amazon', 'amazonReviewSnippets_GroundTruth.txt', 'en', 'graded'],
];

const CLASS = { neg: 0, neu: 1, pos: 2 };

/** Every set's texts with a class (0 neg, 1 neu, 2 pos) and, for graded sets, the human mean. */
export function readDevSets(dataDir = DATA_DIR) {
  const sets = [];
  for (const [name, file, language, kind] of DEV_SETS) {
    const items = [];
    for (const line of readFileSync(join(dataDir, file), 'utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      const parts = line.split('\t');
      if (kind === 'graded') {
        const human = Number(parts[1]);
        items.push({ text: parts.slice(2).join('\t'), human, y: human > 0.5 ? 2 : human < -0.5 ? 0 : 1 });
      } else {
        items.push({ text: parts.slice(1).join('\t'), y: CLASS[parts[0]] });
      }
    }
    sets.push({ name, language, kind, items });
  }
  return sets;
}

/**
 * Features of every text, computed once: with the set's language (training) and with the detected
 * one (evaluation, as `momentscan sentiment` scores). The rule engine's own score is kept beside.
 */
export function featurize(sets, sentiment, lid) {
  for (const set of sets) {
    for (const it of set.items) {
      const forced = sentiment.sentimentFeatures(it.text, set.language);
      it.train = forced?.features ?? null;
      const id = lid.identifyLanguage(it.text);
      const language = id.otherScript ? null : (id.language ?? 'en');
      const detected = language === set.language ? forced : language === null ? null : sentiment.sentimentFeatures(it.text, language);
      it.test = detected?.features ?? null;
      it.rules = detected ? detected.engine.score : null;
      it.language = language;
      // a social post (@mention, #hashtag, emoji) may have a share of the learned layer of its own
      it.social = (detected ?? forced)?.social ?? false;
    }
  }
}

/** A seeded generator (mulberry32, shared with the bench's feeds): the same order every run. */
const random = mulberry32;

/** The tanh beyond the cut points has the scale of the mean distance past them (r on the graded sets is best there). */
const SPREAD = 1;
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * Two stages: first the engine's result, punctuation and the per-language bias alone (with the cut
 * points), then the token weights on top with those fixed. A language or kind of text the token weights
 * never saw is still scored by a calibrated engine, not by a model that learnt to lean on words.
 */
export const TRAINING = { epochs: [3, 3], rate: [0.05, 0.1], l2: 2e-6, seed: 12 };

/**
 * Trains both models of the learned layer on examples ({ f: Features, y, weight }): the ordinal one's
 * weights, then the multinomial one's (negative and positive side by side), as model.bin keeps them.
 */
export function train(examples, bits, options = TRAINING) {
  const ordinal = trainOrdinal(examples, bits, options);
  const multinomial = trainMultinomial(examples, bits, options);
  const size = 1 << bits;
  const weights = new Float32Array(3 * size);
  weights.set(ordinal.weights, 0);
  weights.set(multinomial, size);
  return { weights, cut1: ordinal.cut1, cut2: ordinal.cut2, spread: ordinal.spread, blend: new Map(), kinds: new Map() };
}

/**
 * The multinomial model: per bucket a weight for "negative" and one for "positive" against "neutral"
 * (0), AdaGrad on the log-loss, in the same two stages.
 */
function trainMultinomial(examples, bits, options) {
  const size = 2 << bits;
  const w = new Float64Array(size);
  const g2 = new Float64Array(size).fill(1e-8);
  passes(examples, options, ({ f, y, weight }, stage, rate) => {
    let zn = 0;
    let zp = 0;
    for (let k = 0; k < f.ids.length; k++) {
      const id = 2 * f.ids[k];
      zn += w[id] * f.values[k];
      zp += w[id + 1] * f.values[k];
    }
    const top = Math.max(0, zn, zp);
    const en = Math.exp(zn - top);
    const ep = Math.exp(zp - top);
    const z = en + ep + Math.exp(-top);
    const gn = (en / z - (y === 0 ? 1 : 0)) * weight;
    const gp = (ep / z - (y === 2 ? 1 : 0)) * weight;
    const from = stage === 0 ? 0 : f.dense;
    const to = stage === 0 ? f.dense : f.ids.length;
    for (let k = from; k < to; k++) {
      const id = 2 * f.ids[k];
      const v = f.values[k];
      let grad = gn * v + options.l2 * w[id];
      g2[id] += grad * grad;
      w[id] -= (rate * grad) / Math.sqrt(g2[id]);
      grad = gp * v + options.l2 * w[id + 1];
      g2[id + 1] += grad * grad;
      w[id + 1] -= (rate * grad) / Math.sqrt(g2[id + 1]);
    }
  });
  return w;
}

/** Calls `step(example, stage, rate)` for every example, epoch by epoch of both stages, in a seeded shuffled order. */
function passes(examples, options, step) {
  const order = examples.map((_, i) => i);
  const rnd = random(options.seed);
  for (let stage = 0; stage < 2; stage++)
  for (let epoch = 0; epoch < options.epochs[stage]; epoch++) {
    const rate = options.rate[stage];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const idx of order) step(examples[idx], stage, rate);
  }
}

/** The ordinal model: one latent score and two cut points. */
function trainOrdinal(examples, bits, options) {
  const size = 1 << bits;
  const w = new Float64Array(size);
  const g2 = new Float64Array(size).fill(1e-8);
  let cut1 = -1;
  let cut2 = 1;
  let c1g = 1e-8;
  let c2g = 1e-8;
  passes(examples, options, ({ f, y, weight }, stage, rate) => {
    let z = 0;
    for (let k = 0; k < f.ids.length; k++) z += w[f.ids[k]] * f.values[k];
    const a = sigmoid(cut1 - z);
    const b = sigmoid(cut2 - z);
    let dz;
    let d1 = 0;
    let d2 = 0;
    if (y === 0) {
      dz = 1 - a;
      d1 = -(1 - a);
    } else if (y === 2) {
      dz = -b;
      d2 = b;
    } else {
      const p = Math.max(b - a, 1e-9);
      dz = (b * (1 - b) - a * (1 - a)) / p;
      d1 = (a * (1 - a)) / p;
      d2 = -(b * (1 - b)) / p;
    }
    dz *= weight;
    const from = stage === 0 ? 0 : f.dense;
    const to = stage === 0 ? f.dense : f.ids.length;
    for (let k = from; k < to; k++) {
      const id = f.ids[k];
      const grad = dz * f.values[k] + options.l2 * w[id];
      g2[id] += grad * grad;
      w[id] -= (rate * grad) / Math.sqrt(g2[id]);
    }
    if (stage === 1) return;
    c1g += (d1 * weight) ** 2;
    c2g += (d2 * weight) ** 2;
    cut1 -= (rate * d1 * weight) / Math.sqrt(c1g);
    cut2 -= (rate * d2 * weight) / Math.sqrt(c2g);
    if (cut2 < cut1 + 0.05) cut2 = cut1 + 0.05;
  });
  const weights = Float32Array.from(w);
  // the tanh beyond the cut points: spread over the typical distance past them
  const centre = (cut1 + cut2) / 2;
  const half = (cut2 - cut1) / 2;
  let sum = 0;
  let n = 0;
  for (const { f } of examples) {
    let z = 0;
    for (let k = 0; k < f.ids.length; k++) z += weights[f.ids[k]] * f.values[k];
    const past = Math.abs(z - centre) - half;
    if (past > 0) {
      sum += past;
      n++;
    }
  }
  return { weights, cut1, cut2, spread: n > 0 ? Math.max(0.1, (SPREAD * sum) / n) : 1 };
}

/** Examples of the given items (with their set's weight): those the engine scores. */
function examplesOf(sets, pick) {
  const out = [];
  for (const set of sets) {
    const items = set.items.filter((it, i) => it.train && pick(set, i));
    // every set counts about as much as a set of 4,000 texts (the English tweets would drown the rest)
    const weight = Math.min(2, 4000 / Math.max(1, set.items.length));
    for (const it of items) out.push({ f: it.train, y: it.y, weight });
  }
  return out;
}

export function macroF1(truth, predicted, classes = [0, 1, 2]) {
  let total = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    total += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return total / 3;
}

export function pearson(xs, ys) {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

const classOf = (score) => (score === null ? 1 : score >= 0.05 ? 2 : score <= -0.05 ? 0 : 1);

/** Figures of a set's items scored by `scoreOf(item)` (null: not scored): macro-F1, and r for graded sets. */
export function figures(set, items, scoreOf) {
  const truth = [];
  const predicted = [];
  const xs = [];
  const ys = [];
  for (const it of items) {
    const s = scoreOf(it);
    truth.push(it.y);
    predicted.push(classOf(s));
    if (s !== null && set.kind === 'graded') {
      xs.push(s);
      ys.push(it.human);
    }
  }
  return { f1: macroF1(truth, predicted), r: set.kind === 'graded' ? pearson(xs, ys) : null };
}

/** A text's final score: the rules' and the learned layer's, blended by the share of its (detected) language and kind. */
function finalScore(sentiment, m, it) {
  if (it.test === null) return null;
  const key = sentiment.sentimentBlendKey(m, it.language, it.social);
  const share = m.blend.get(key) ?? 0;
  return share === 0 ? it.rules : sentiment.blendedCompound(m, key, it.rules, sentiment.modelCompound(m, it.test, m.kinds.get(key) ?? 'ordinal'));
}

/** The shares the learned layer may take of the final score (the rest is the rule engine's). */
export const SHARES = [0, 0.25, 0.5, 0.75, 1];
/** The two models of the learned layer, in the order ties go (toward the ordinal one). */
export const KINDS = ['ordinal', 'multinomial'];
const FOLDS = 5;

/** The sets restricted to the items `pick(set, index)` keeps. */
const subsets = (sets, pick) => sets.map((s) => ({ ...s, items: s.items.filter((_, i) => pick(s, i)) }));

/** A set takes part in choosing a blend key's share when it holds at least this many texts of that key. */
const KEY_MIN = 100;
/** The mark of a social post's blend key (model.ts SOCIAL): "en#". */
const SOCIAL = '#';

/**
 * The share of the learned layer in the final score and the model, per blend key (a language, and the
 * language's social posts: @mention, #hashtag, emoji), chosen on the training sets alone: the pair with
 * the best mean macro-F1 over the key's texts in each set that holds enough of them, each text scored
 * by a model that did not see it. Where the key's texts come from several sets (English texts that are
 * not posts: news, movie and product reviews, the tweets without a mark), that model is trained
 * without the whole set: a kind of text the layer never saw (English reviews and news want less of it
 * than tweets); where they come from one set (English posts: the tweets), 5-fold within it. A tie goes
 * to the ordinal model and the smaller share (toward the rules). A language without training sets gets
 * none: the rules alone. Posts have a "#" key of their own only in a language with several sets (its
 * share is otherwise chosen 5-fold on its one set of posts already) and enough of them; elsewhere they
 * take the language's share.
 */
export function chooseBlend(sets, sentiment, bits) {
  // the social keys: of languages whose share is chosen on sets held out whole (several kinds of text),
  // with enough posts in some set; every item's key
  const setsOf = new Map();
  for (const s of sets) setsOf.set(s.language, (setsOf.get(s.language) ?? 0) + 1);
  const socialKeys = new Set();
  for (const s of sets) {
    const n = s.items.filter((it) => it.social).length;
    if (n >= KEY_MIN && setsOf.get(s.language) >= 2) socialKeys.add(s.language + SOCIAL);
  }
  const keyOf = (s, it) => (it.social && socialKeys.has(s.language + SOCIAL) ? s.language + SOCIAL : s.language);
  /** Per key: the sets taking part, each with the indices of its items of that key. */
  const byKey = new Map();
  for (const s of sets) {
    const own = new Map();
    s.items.forEach((it, i) => {
      const key = keyOf(s, it);
      own.set(key, [...(own.get(key) ?? []), i]);
    });
    for (const [key, indices] of own) if (indices.length >= KEY_MIN) byKey.set(key, [...(byKey.get(key) ?? []), { s, indices }]);
  }
  /** Per item: the learned layer's compound by each model, from a model that did not see it. */
  const learned = (m, it) => (it.test === null ? null : KINDS.map((kind) => sentiment.modelCompound(m, it.test, kind)));
  /** Per set, trained without it (computed when a key needs it). */
  const without = new Map();
  const heldOut = (s) => {
    if (!without.has(s)) {
      const m = train(examplesOf(sets, (t) => t !== s), bits);
      without.set(s, s.items.map((it) => learned(m, it)));
    }
    return without.get(s);
  };
  let folds = null;
  const fiveFold = (s) => {
    if (folds === null) {
      folds = new Map(sets.map((t) => [t, new Array(t.items.length).fill(null)]));
      for (let k = 0; k < FOLDS; k++) {
        const m = train(examplesOf(sets, (_, i) => i % FOLDS !== k), bits);
        for (const t of sets) t.items.forEach((it, i) => i % FOLDS === k && (folds.get(t)[i] = learned(m, it)));
      }
    }
    return folds.get(s);
  };
  const blend = new Map();
  const kinds = new Map();
  for (const [key, parts] of [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const scored = parts.map(({ s, indices }) => ({ s, items: indices.map((i) => s.items[i]), scores: indices.map((i) => (parts.length >= 2 ? heldOut(s) : fiveFold(s))[i]) }));
    let best = [0, 'ordinal'];
    let bestF1 = -1;
    for (const [k, kind] of KINDS.entries())
    for (const share of SHARES) {
      let f1 = 0;
      for (const { s, items, scores } of scored) {
        const index = new Map(items.map((it, i) => [it, i]));
        f1 += figures(s, items, (it) => {
          const x = scores[index.get(it)];
          return x === null ? it.rules : (1 - share) * it.rules + share * x[k];
        }).f1;
      }
      if (f1 > bestF1 + 1e-9) {
        bestF1 = f1;
        best = [share, share === 0 ? 'ordinal' : kind];
      }
    }
    blend.set(key, best[0]);
    kinds.set(key, best[1]);
  }
  return { blend, kinds };
}

/** The learned layer trained on `sets`, with its per-language blend chosen on them. */
export function trainWithBlend(sets, sentiment, bits) {
  const m = train(examplesOf(sets, () => true), bits);
  Object.assign(m, chooseBlend(sets, sentiment, bits));
  return m;
}

/** The share and model of a language's social posts, when they have their own (else null). */
const socialOf = (m, language) => (m.blend.has(language + SOCIAL) ? { share: m.blend.get(language + SOCIAL), model: m.kinds.get(language + SOCIAL) } : null);

/**
 * Cross-validated figures per set, final score (rules and learned layer blended) vs the rule engine
 * alone, language detected; the model and its blend chosen without the texts scored:
 * - leave one set out: train on the six others, score the seventh;
 * - 5-fold: train on four fifths of every set, score the fifth left out, in turn.
 */
export function crossValidate(sets, sentiment, bits) {
  const rows = [];
  for (const held of sets) {
    const m = trainWithBlend(sets.filter((s) => s !== held), sentiment, bits);
    const loso = figures(held, held.items, (it) => finalScore(sentiment, m, it));
    rows.push({ set: held.name, kind: held.kind, loso, share: m.blend.get(held.language) ?? 0, model: m.kinds.get(held.language) ?? 'ordinal', social: socialOf(m, held.language) });
  }
  const scores = new Map(sets.map((s) => [s.name, new Array(s.items.length).fill(null)]));
  const shares = new Map(sets.map((s) => [s.name, []]));
  const models = new Map(sets.map((s) => [s.name, []]));
  const socials = new Map(sets.map((s) => [s.name, []]));
  for (let k = 0; k < FOLDS; k++) {
    const m = trainWithBlend(subsets(sets, (_, i) => i % FOLDS !== k), sentiment, bits);
    for (const set of sets) {
      const out = scores.get(set.name);
      shares.get(set.name).push(m.blend.get(set.language) ?? 0);
      models.get(set.name).push(m.kinds.get(set.language) ?? 'ordinal');
      socials.get(set.name).push(socialOf(m, set.language));
      set.items.forEach((it, i) => {
        if (i % FOLDS === k) out[i] = finalScore(sentiment, m, it);
      });
    }
  }
  for (const [i, set] of sets.entries()) {
    const out = scores.get(set.name);
    const index = new Map(set.items.map((it, j) => [it, j]));
    rows[i].fold = figures(set, set.items, (it) => out[index.get(it)]);
    rows[i].foldShares = shares.get(set.name);
    rows[i].foldModels = models.get(set.name);
    rows[i].foldSocial = socials.get(set.name);
    rows[i].rules = figures(set, set.items, (it) => it.rules);
  }
  return rows;
}

/** The model trained on every dev set (what ships in model.bin). */
export function trainAll(sets, sentiment, bits) {
  return trainWithBlend(sets, sentiment, bits);
}

async function main() {
  const dist = join(root, 'dist', 'enrich');
  if (!existsSync(join(dist, 'sentiment.js'))) throw new Error('no build in dist/: run `npm run build` first');
  const sentiment = await import(pathToFileURL(join(dist, 'sentiment.js')).href);
  const lid = await import(pathToFileURL(join(dist, 'language.js')).href);
  sentiment.setSentimentModel(null); // features do not depend on the model; the engine's own score must not either
  const at = process.argv.indexOf('--seed');
  if (at >= 0) {
    const seed = Number(process.argv[at + 1]);
    const wrong = !Number.isInteger(seed)
      ? `--seed takes an integer, not ${JSON.stringify(process.argv[at + 1] ?? '')}`
      : process.argv.includes('--write') && '--write trains with the fixed seed (the same data gives the same file): leave out --seed';
    if (wrong) {
      process.stderr.write(`sentiment-model: ${wrong}\n`);
      process.exitCode = 2;
      return;
    }
    TRAINING.seed = seed;
  }
  const sets = readDevSets();
  featurize(sets, sentiment, lid);
  const rows = crossValidate(sets, sentiment, sentiment.MODEL_BITS);
  const f3 = (x) => (x === null ? '   ' : x.toFixed(3).replace(/^0/, ''));
  process.stdout.write('cross-validated macro-F1 (r for graded sets), language detected; [the learned layer\'s share]\nset           rules alone     leave set out         5-fold\n');
  for (const r of rows) {
    const cell = (x, w = 16) => `${f3(x.f1)}${x.r === null ? '' : ` r ${f3(x.r)}`}`.padEnd(w);
    const social = (x) => (x === null ? '' : ` #${x.share.toFixed(2)} ${x.model[0]}`);
    process.stdout.write(`${r.set.padEnd(14)}${cell(r.rules)}${cell(r.loso, 14)}[${r.share.toFixed(2)} ${r.model[0]}${social(r.social)}]  ${cell(r.fold, 14)}[${r.foldShares.map((x, k) => `${x.toFixed(2)} ${r.foldModels[k][0]}${social(r.foldSocial[k])}`).join(', ')}]\n`);
  }
  if (process.argv.includes('--write')) {
    const m = trainAll(sets, sentiment, sentiment.MODEL_BITS);
    writeFileSync(MODEL_FILE, sentiment.encodeSentimentModel(m));
    process.stdout.write(`wrote ${MODEL_FILE} (cut points ${m.cut1.toFixed(3)} ${m.cut2.toFixed(3)}, spread ${m.spread.toFixed(3)}, per blend key share and model: ${[...m.blend].map(([l, x]) => `${l} ${x} ${m.kinds.get(l)}`).join(', ')})\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
