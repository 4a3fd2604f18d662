#!/usr/bin/env node
// The moments path against `detect` on the same realTweets series, window by window (after `npm run build`):
//   node test/eval/paths.mjs [--levels 3,3.5,4] [--draws 10] [--sets 3] [--bucket 15] [--no-windows]
//
// Where do the two evaluations' figures part? Both run the one engine; they differ in what it is given
// and what is counted. Printed, for each realTweets series and alert level: the first alert in each
// labelled window and the false alerts (after NAB's probation) of
//   detect-both  `detect` as eval:detect scores it (both directions: a fall alerts too),
//   detect-up    `detect --direction up` (rises only, as topics are judged),
//   mom-exact    the moments path on stories per 15-minute bucket counted by each row's own time (a row's
//                count in the bucket its timestamp falls in: no drawn item times; firedAt, the bucket's
//                end, marks the first row at or after it, as moments_eval.py does),
//   mom-draw1    the moments path on item times drawn the way eval:moments draws them (draw 1 of this
//                script's own draws: eval:moments draws over every count series, so its draws differ);
// then each path's NAB standard score in-sample by level and leave-one-series-out (the level picked on
// the other four series), and for the drawn items the same over several independent sets of draws
// (draws 1–N, N+1–2N, …) and over all of them pooled: how far one set's figure moves with the draws.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { itemBuckets, leaveOneSeriesOut, leaveOneSeriesOutDraws, mulberry32, nabScore, parseStamp, readSeries } from './nab.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const data = resolve(here, '../../../shared/data/spikes-dev');
const { SeriesDetector } = await import('../../dist/detect/series.js');
const { detectMoments } = await import('../../dist/detect/detect.js');
const windows = JSON.parse(readFileSync(resolve(data, 'windows.json'), 'utf8'));
const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : d;
};
const GRID = [2, 2.5, 3, 3.5, 4, 5, 6];
const DAY = 86_400_000;
const ROW_MS = 300_000; // realTweets: a row every 5 minutes
const levels = arg('--levels', '3,3.5,4').split(',').map(Number);
const draws = Number(arg('--draws', 10));
const sets = Number(arg('--sets', 3));
const bucketMs = Number(arg('--bucket', 15)) * 60_000;
const names = ['AAPL', 'CVS', 'FB', 'IBM', 'UPS'];
const series = names.map((n) => readSeries(data, `realTweets/Twitter_volume_${n}.csv`));
const result = (s, alerts) => {
  const scores = new Array(s.t.length).fill(0);
  for (const a of alerts) scores[a.i] = 1;
  return { key: s.key, t: s.t, windows: windows[s.key], scores, alerts };
};

function detect(s, level, direction) {
  const d = new SeriesDetector({ resolutionMs: ROW_MS, sensitivity: 'medium', direction, counts: true, tuning: { alertSurprise: level } });
  const alerts = [];
  s.t.forEach((t, i) => {
    const r = d.push({ t, value: s.v[i] });
    if (r.alert === 'onset') alerts.push({ i, score: r.score, down: r.direction === 'down' });
  });
  return result(s, alerts);
}

function moments(s, b, level) {
  const from = s.t[0] - DAY;
  const asOf = s.t[s.t.length - 1] + 3_600_000;
  const found = detectMoments('t', b, { asOf, from, bucketMs, baselineMs: 14 * DAY, sensitivity: 'medium', historyStart: b[0].start, tuning: { alertSurprise: level } });
  const alerts = found
    .filter((m) => m.kind === 'volume-spike' && m.firedAt >= from)
    .map((m) => ({ i: s.t.findIndex((t) => t >= m.firedAt), score: m.score, down: false }))
    .filter((a) => a.i >= 0);
  return result(s, alerts);
}

/** Each row's count in the bucket its own timestamp falls in. */
function exactBuckets(s) {
  const counts = new Map();
  s.v.forEach((v, i) => {
    const b = Math.floor(s.t[i] / bucketMs) * bucketMs;
    counts.set(b, (counts.get(b) ?? 0) + v);
  });
  return [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count, items: count, scored: 0, sentimentSum: 0, sentimentSumSq: 0 }));
}
const drawn = (first, n) =>
  Array.from({ length: n }, (_, k) => {
    const rnd = mulberry32(first + k);
    return series.map((s) => itemBuckets(s, bucketMs, rnd));
  });

const exact = series.map(exactBuckets);
const fmt = (t) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');
if (!process.argv.includes('--no-windows')) {
  const draw1 = drawn(1, 1)[0];
  series.forEach((s, k) => {
    const prob = s.t[Math.min(Math.floor(0.15 * s.t.length), 750)];
    const ws = windows[s.key].map(([a, b]) => [parseStamp(a), parseStamp(b)]);
    console.log(`\n${names[k]}: NAB probation ends ${fmt(prob)}; windows ${ws.map(([a, b]) => `${fmt(a)}..${fmt(b)}`).join(', ')}`);
    for (const level of levels) {
      console.log(`  level ${level} (first alert in each window, with the surprise of its moment; false alerts; v = a fall)`);
      const runs = { 'detect-both': detect(s, level, 'both'), 'detect-up': detect(s, level, 'up'), 'mom-exact': moments(s, exact[k], level), 'mom-draw1': moments(s, draw1[k], level) };
      for (const [label, r] of Object.entries(runs)) {
        const al = r.alerts.filter((a) => s.t[a.i] >= prob);
        const inside = (a) => ws.some(([lo, hi]) => s.t[a.i] >= lo && s.t[a.i] <= hi);
        const first = ws.map(([lo, hi]) => al.find((a) => s.t[a.i] >= lo && s.t[a.i] <= hi));
        const cell = (a) => (a ? `${fmt(s.t[a.i])} (${a.score.toFixed(1)}${a.down ? 'v' : ''})` : '—').padEnd(20);
        const fa = al.filter((a) => !inside(a));
        console.log(`    ${label.padEnd(12)} ${first.map(cell).join(' ')} | false ${fa.length}: ${fa.map((a) => fmt(s.t[a.i]) + (a.down ? 'v' : '')).join(', ')}`);
      }
    }
  });
}

const score = (rs) => nabScore(rs, { threshold: 0.5 });
const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
const byLevel = (run) => new Map(GRID.map((level) => [level, series.map((s, k) => run(s, k, level))]));
console.log(`\nrealTweets NAB standard, in-sample at the default level 3 / leave-one-series-out (levels picked) / in-sample by level ${GRID.join(', ')}`);
for (const [label, run] of [
  ['detect, both directions', (s, k, level) => detect(s, level, 'both')],
  ['detect --direction up', (s, k, level) => detect(s, level, 'up')],
  ['moments, rows in buckets exactly', (s, k, level) => moments(s, exact[k], level)],
]) {
  const m = byLevel(run);
  const l = leaveOneSeriesOut(m);
  console.log(`  ${label.padEnd(44)} ${score(m.get(3)).normalized.toFixed(1)} / ${l.normalized.toFixed(1)} (${l.picks.join(', ')}) / ${GRID.map((x) => score(m.get(x)).normalized.toFixed(1)).join(', ')}`);
}
const all = [];
for (let set = 0; set < sets; set++) {
  const ms = drawn(1 + set * draws, draws).map((bs) => byLevel((s, k, level) => moments(s, bs[k], level)));
  all.push(...ms);
  const l = leaveOneSeriesOutDraws(new Map(GRID.map((level) => [level, ms.map((m) => m.get(level))])));
  const inSample = GRID.map((x) => mean(ms.map((m) => score(m.get(x)).normalized)));
  console.log(`  ${`moments, drawn items, draws ${1 + set * draws}–${(set + 1) * draws}`.padEnd(44)} ${inSample[GRID.indexOf(3)].toFixed(1)} / ${l.normalized.toFixed(1)} (${l.picks.join(', ')}) / ${inSample.map((x) => x.toFixed(1)).join(', ')}`);
}
if (sets > 1) {
  const l = leaveOneSeriesOutDraws(new Map(GRID.map((level) => [level, all.map((m) => m.get(level))])));
  const inSample = GRID.map((x) => mean(all.map((m) => score(m.get(x)).normalized)));
  console.log(`  ${`moments, drawn items, all ${all.length} draws pooled`.padEnd(44)} ${inSample[GRID.indexOf(3)].toFixed(1)} / ${l.normalized.toFixed(1)} (${l.picks.join(', ')}) / ${inSample.map((x) => x.toFixed(1)).join(', ')}`);
}
