#!/usr/bin/env node
// Evaluates the built sentiment engine (dist/) on the human-rated sentiment-dev sets
// (../shared/data/sentiment-dev, see its README): Pearson r with the human mean and 3-class macro-F1
// (human > +0.5 positive, < -0.5 negative, else neutral; engine labels at ±0.05), next to the
// reference figures measured for that README; then throughput and load time.
//
//   npm run eval:sentiment            (builds first)
//   node test/eval/sentiment.mjs      (on an existing build)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = resolve(here, '../../../shared/data/sentiment-dev');
const modulePath = resolve(here, '../../dist/enrich/sentiment.js');

/** From ../shared/data/README.md: [r, F1] per set. */
const REFERENCE = {
  'VADER (Python reference)': { nyt: [0.503, 0.555], movie: [0.428, 0.423], amazon: [0.59, 0.563] },
  'natural afinn + Porter': { nyt: [0.4, 0.5], movie: [0.4, 0.41], amazon: [0.409, 0.502] },
  'sentiment (AFINN-165)': { nyt: [0.459, 0.552], movie: [0.414, 0.408], amazon: [0.516, 0.527] },
};
const SETS = [
  ['nyt', 'nytEditorialSnippets_GroundTruth.txt'],
  ['movie', 'movieReviewSnippets_GroundTruth.txt'],
  ['amazon', 'amazonReviewSnippets_GroundTruth.txt'],
];

function fail(message) {
  process.stderr.write(`eval:sentiment: ${message}\n`);
  process.exitCode = 1;
}

function readSet(file) {
  const rows = [];
  for (const line of readFileSync(join(dataDir, file), 'utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const first = line.indexOf('\t');
    const second = line.indexOf('\t', first + 1);
    if (first < 0 || second < 0) continue;
    const human = Number(line.slice(first + 1, second));
    if (!Number.isFinite(human)) continue;
    rows.push({ human, text: line.slice(second + 1) });
  }
  return rows;
}

function pearson(xs, ys) {
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
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

const humanClass = (h) => (h > 0.5 ? 'positive' : h < -0.5 ? 'negative' : 'neutral');

function macroF1(truth, predicted) {
  let sum = 0;
  for (const c of ['positive', 'neutral', 'negative']) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / 3;
}

const f3 = (x) => x.toFixed(3).replace(/^(-?)0\./, '$1.');

async function main() {
  if (!existsSync(dataDir)) {
    fail(`no data at ${dataDir} — the sentiment-dev sets live in shared/data beside the repo (see shared/data/README.md)`);
    return;
  }
  if (!existsSync(modulePath)) {
    fail(`no build at ${modulePath} — run \`npm run build\` first (or \`npm run eval:sentiment\`)`);
    return;
  }
  // load time: importing the module, then the first call (which builds the English lexicon)
  let t0 = performance.now();
  const engine = await import(modulePath);
  const importMs = performance.now() - t0;
  t0 = performance.now();
  engine.analyzeSentiment('warm up');
  const firstCallMs = performance.now() - t0;

  const out = [];
  out.push(`engine ${engine.SENTIMENT_ENGINE}`);
  out.push('');
  const header = ['set', 'n', 'r', 'F1', ...Object.keys(REFERENCE).map((k) => `${k.split(' ')[0]} r / F1`), 'vs VADER'];
  const rows = [header];
  const allTexts = [];
  let beatsAll = true;
  for (const [name, file] of SETS) {
    const path = join(dataDir, file);
    if (!existsSync(path)) {
      fail(`missing ${path}`);
      return;
    }
    const data = readSet(file);
    const xs = [];
    const ys = [];
    const truth = [];
    const predicted = [];
    let nulls = 0;
    for (const { human, text } of data) {
      allTexts.push(text);
      const r = engine.analyzeSentiment(text);
      truth.push(humanClass(human));
      predicted.push(r.label ?? 'neutral');
      if (r.score === null) {
        nulls++;
        continue;
      }
      xs.push(r.score);
      ys.push(human);
    }
    const r = pearson(xs, ys);
    const f1 = macroF1(truth, predicted);
    const [vr, vf] = REFERENCE['VADER (Python reference)'][name];
    const beats = r > vr && f1 > vf;
    if (!beats) beatsAll = false;
    rows.push([
      name,
      String(data.length) + (nulls ? ` (${nulls} null)` : ''),
      f3(r),
      f3(f1),
      ...Object.values(REFERENCE).map((ref) => `${f3(ref[name][0])} / ${f3(ref[name][1])}`),
      `${r > vr ? '+' : ''}${f3(r - vr)} / ${f1 > vf ? '+' : ''}${f3(f1 - vf)}`,
    ]);
  }
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) out.push(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  out.push('');
  out.push(beatsAll ? 'beats the VADER reference on r and F1 in every set' : 'does NOT beat the VADER reference everywhere');

  // throughput: the dev sentences, repeated, single-threaded, after a warm-up pass
  for (const text of allTexts) engine.analyzeSentiment(text);
  let count = 0;
  let chars = 0;
  t0 = performance.now();
  let elapsed = 0;
  while (elapsed < 2000) {
    for (const text of allTexts) {
      engine.analyzeSentiment(text);
      chars += text.length;
    }
    count += allTexts.length;
    elapsed = performance.now() - t0;
  }
  const perSecond = (count / elapsed) * 1000;
  out.push('');
  out.push(`speed  ${Math.round(perSecond).toLocaleString('en-US')} texts/s (${count.toLocaleString('en-US')} texts, mean ${Math.round(chars / count)} chars, single thread)`);
  out.push(`load   ${importMs.toFixed(1)} ms import + ${firstCallMs.toFixed(1)} ms first call (English lexicon) = ${(importMs + firstCallMs).toFixed(1)} ms`);
  process.stdout.write(out.join('\n') + '\n');
}

await main();
