// NAB scoring in JavaScript, for evaluation loops that score many settings: the same rules as
// ../shared/eval/nab_score.py (itself a re-implementation of NAB v1.1's sweeper); `npm run eval:detect`
// checks the two agree on its own results each run. The product never imports this.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** mulberry32 (the benchmarks' seeded PRNG): drawn item times are reproducible. */
export { mulberry32 } from '../bench/feeds.mjs';

export const PROFILES = {
  standard: { tp: 1, fn: 1, fp: 0.11 },
  reward_low_FP_rate: { tp: 1, fn: 1, fp: 0.22 },
  reward_low_FN_rate: { tp: 1, fn: 2, fp: 0.11 },
};

const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const scaledSigmoid = (y) => (y > 3 ? -1 : 2 * sigmoid(-5 * y) - 1);
const probation = (n) => Math.min(Math.floor(0.15 * n), 0.15 * 5000);

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) → epoch ms. */
export const parseStamp = (s) => Date.parse(`${s.trim().slice(0, 19).replace(' ', 'T')}Z`);

/** Every CSV under dir (recursively), as paths relative to dir with forward slashes, sorted. */
export function seriesFiles(dir) {
  const walk = (d) =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.csv') ? [join(d, e.name)] : []));
  return walk(dir)
    .map((f) => relative(dir, f).split(sep).join('/'))
    .sort();
}

/** A NAB series: { key, t: epoch ms[], v: number[], stamps: string[] }. */
export function readSeries(dir, key) {
  const lines = readFileSync(resolve(dir, key), 'utf8').split('\n');
  const t = [];
  const v = [];
  const stamps = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const comma = line.indexOf(',');
    stamps.push(line.slice(0, comma));
    t.push(parseStamp(line.slice(0, comma)));
    v.push(Number(line.slice(comma + 1)));
  }
  return { key, t, v, stamps };
}

/**
 * A count series turned into stories per bucket as ../shared/eval/moments_eval.py turns it into items:
 * each row's count becomes that many items at times drawn uniformly within the row's interval (the
 * interval ending at the row's time), counted in buckets of `bucketMs` aligned to the epoch. `rnd` draws.
 */
export function itemBuckets(s, bucketMs, rnd) {
  const step = Math.min(...s.t.slice(1, 200).map((t, i) => t - s.t[i]).filter((d) => d > 0));
  const counts = new Map();
  s.v.forEach((v, i) => {
    for (let k = 0; k < Math.round(v); k++) {
      const when = s.t[i] - step + 1000 + rnd() * (step - 1000);
      const b = Math.floor(when / bucketMs) * bucketMs;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
  });
  return [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count, items: count, scored: 0, sentimentSum: 0, sentimentSumSq: 0 }));
}

/**
 * Per-row sweep weights and window ids of one series (Sweeper.calcSweepScore): rows in the probationary
 * period are dropped (window id 'prob').
 */
function sweep(t, windows, cm) {
  const index = new Map(t.map((x, i) => [x, i]));
  const wl = windows.map(([a, b]) => [parseStamp(a), parseStamp(b)]);
  for (const [a, b] of wl) if (!index.has(a) || !index.has(b)) throw new Error(`window ${a}..${b} not in the series`);
  const maxTp = scaledSigmoid(-1);
  const prob = probation(t.length);
  const score = new Float64Array(t.length);
  const win = new Array(t.length);
  let cur = null;
  let prevRight = null;
  let prevWidth = null;
  let wi = 0;
  for (let i = 0; i < t.length; i++) {
    if (wi < wl.length && t[i] === wl[wi][0]) {
      const [a, b] = wl[wi++];
      cur = { name: `w${wi}`, right: index.get(b), width: index.get(b) - index.get(a) + 1, end: b };
    }
    if (cur) score[i] = (scaledSigmoid(-(cur.right - i + 1) / cur.width) * cm.tp) / maxTp;
    else score[i] = (prevRight === null ? -1 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1))) * cm.fp;
    win[i] = i < prob ? 'prob' : cur ? cur.name : null;
    if (cur && t[i] === cur.end) {
      prevRight = i;
      prevWidth = cur.width;
      cur = null;
    }
  }
  return { score, win };
}

/**
 * Scores detections: `files` is [{ t, windows, scores }] (scores per row in [0, 1]); returns the
 * normalised NAB score at `threshold` (a row detects when its score ≥ threshold), or at the best
 * threshold when threshold is undefined, with raw per-file scores.
 */
export function nabScore(files, { threshold, profile = 'standard' } = {}) {
  const cm = PROFILES[profile];
  const prepared = files.map((f) => {
    const { score, win } = sweep(f.t, f.windows, cm);
    const pts = [];
    for (let i = 0; i < f.t.length; i++) if (win[i] !== 'prob') pts.push([f.scores[i], score[i], win[i]]);
    return { ...f, pts, nWindows: new Set(pts.filter((p) => p[2] !== null).map((p) => p[2])).size };
  });
  const nWindows = prepared.reduce((s, f) => s + f.nWindows, 0);
  let thr = threshold;
  if (thr === undefined) {
    const pooled = prepared.flatMap((f, k) => f.pts.map((p) => [p[0], p[1], p[2] === null ? null : `${k}|${p[2]}`]));
    const curve = byThreshold(pooled, cm.fn);
    let best = curve[0];
    for (const r of curve) if (r[1] > best[1]) best = r;
    thr = best[0];
  }
  let total = 0;
  const perFile = prepared.map((f) => {
    const r = atThreshold(byThreshold(f.pts, cm.fn), thr);
    total += r[1];
    return { key: f.key, raw: r[1], tp: r[2], fp: r[4], fn: r[5], windows: f.nWindows };
  });
  const nul = -cm.fn * nWindows;
  const perfect = cm.tp * nWindows;
  return { normalized: (100 * (total - nul)) / (perfect - nul), raw: total, threshold: thr, nWindows, perFile };
}

/** Normalised score of raw per-file results pooled (e.g. held-out files scored at their own thresholds). */
export function normalise(perFile, profile = 'standard') {
  const cm = PROFILES[profile];
  const n = perFile.reduce((s, f) => s + f.windows, 0);
  const total = perFile.reduce((s, f) => s + f.raw, 0);
  return (100 * (total + cm.fn * n)) / (cm.tp * n + cm.fn * n);
}

/** Sweeper.calcScoreByThreshold: [threshold, score, tp, tn, fp, fn] for every distinct score, descending. */
function byThreshold(points, fnWeight) {
  const pts = [...points].sort((a, b) => b[0] - a[0]);
  const parts = new Map();
  for (const p of pts) if (p[2] !== null) parts.set(p[2], -fnWeight);
  let fpSum = 0;
  let winSum = [...parts.values()].reduce((s, x) => s + x, 0);
  let tn = pts.filter((p) => p[2] === null).length;
  let fn = pts.length - tn;
  let tp = 0;
  let fp = 0;
  const res = [];
  let cur = 1.1;
  for (const [a, s, w] of pts) {
    if (a !== cur) {
      res.push([cur, fpSum + winSum, tp, tn, fp, fn]);
      cur = a;
    }
    if (w === null) {
      fp++;
      tn--;
      fpSum += s;
    } else {
      tp++;
      fn--;
      if (s > parts.get(w)) {
        winSum += s - parts.get(w);
        parts.set(w, s);
      }
    }
  }
  res.push([cur, fpSum + winSum, tp, tn, fp, fn]);
  return res;
}

function atThreshold(rows, threshold) {
  let prev = null;
  for (const r of rows) {
    if (r[0] === threshold) return r;
    if (r[0] < threshold) return prev;
    prev = r;
  }
  return rows[rows.length - 1];
}

/**
 * Leave one series out: for each series, the setting (a key of `bySetting`, e.g. an alert level) whose
 * binary detections (threshold 0.5) score best on the other series scores it. `bySetting` maps each
 * setting to the same list of series results. Returns the pooled normalised score and the picks.
 */
export function leaveOneSeriesOut(bySetting, profile = 'standard') {
  const settings = [...bySetting.keys()];
  const keys = bySetting.get(settings[0]).map((r) => r.key);
  const score = (rs) => nabScore(rs, { threshold: 0.5, profile });
  const held = keys.map((key) => {
    let best = null;
    for (const setting of settings) {
      const others = score(bySetting.get(setting).filter((r) => r.key !== key));
      if (!best || others.raw > best.raw) best = { setting, raw: others.raw };
    }
    return { ...score(bySetting.get(best.setting).filter((r) => r.key === key)).perFile[0], pick: best.setting };
  });
  return { normalized: normalise(held, profile), picks: held.map((h) => h.pick) };
}

/**
 * Leave one series out over several draws of the same series (e.g. item times drawn anew): for each
 * series, the setting whose detections score best on the other series, summed over every draw, scores
 * it in every draw. `bySetting` maps each setting to a list of draws, each a list of series results.
 * Returns the normalised score per draw, their mean, and the pick per series (a pick rests on all the
 * other series' draws, so it does not flip with one draw's luck).
 */
export function leaveOneSeriesOutDraws(bySetting, profile = 'standard') {
  const settings = [...bySetting.keys()];
  const draws = bySetting.get(settings[0]).length;
  const keys = bySetting.get(settings[0])[0].map((r) => r.key);
  const score = (rs) => nabScore(rs, { threshold: 0.5, profile });
  const picks = keys.map((key) => {
    let best = null;
    for (const setting of settings) {
      let raw = 0;
      for (let d = 0; d < draws; d++) raw += score(bySetting.get(setting)[d].filter((r) => r.key !== key)).raw;
      if (!best || raw > best.raw) best = { setting, raw };
    }
    return best.setting;
  });
  const perDraw = [];
  for (let d = 0; d < draws; d++) {
    const held = keys.map((key, k) => score(bySetting.get(picks[k])[d].filter((r) => r.key === key)).perFile[0]);
    perDraw.push(normalise(held, profile));
  }
  return { perDraw, normalized: perDraw.reduce((a, x) => a + x, 0) / draws, picks };
}

/**
 * Per series, its raw NAB score at each setting (rows detecting in windows / false alerts): where each
 * series' optimum lies, which is what leave-one-series-out pays for when they disagree.
 */
export function bySeriesLines(bySetting, profile = 'standard') {
  const settings = [...bySetting.keys()];
  const keys = bySetting.get(settings[0]).map((r) => r.key);
  return keys.map((key) => {
    const cells = settings.map((setting) => {
      const f = nabScore(bySetting.get(setting).filter((r) => r.key === key), { threshold: 0.5, profile }).perFile[0];
      return `${setting}: ${f.raw.toFixed(2)} (${f.tp}/${f.fp})`;
    });
    return `    ${key.replace(/^.*\//, '').replace(/\.csv$/, '').padEnd(22)} ${cells.join(', ')}`;
  });
}
