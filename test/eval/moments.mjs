#!/usr/bin/env node
// The moments path on labelled count series, scored like NAB: `npm run eval:moments`.
//
// For every count series in ../shared/data/spikes-dev (non-negative values; realTweets are mention
// counts per 5 minutes) it does in memory what ../shared/eval/moments_eval.py does through the CLI: each
// row's value becomes that many items spread over the row's interval, stories are counted per bucket as
// `moments` counts them (bucket `auto`), and the product's own detectMoments replays the whole period
// (`moments --backtest`); each volume spike's firedAt is one detection. Scores: NAB standard profile at
// the default sensitivity, in-sample and leave-one-series-out over the realTweets series (the alert
// level is picked on four series and the fifth is scored with it, in turn), and alerts per topic per
// week on artificialNoAnomaly (every alert there is false).
//   node test/eval/moments.mjs [--product]   --product: also run moments_eval.py through the CLI (minutes)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bySeriesLines, leaveOneSeriesOut, nabScore, readSeries, seriesFiles } from './nab.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const data = resolve(repo, '../shared/data/spikes-dev');
const { detectMoments, autoBucket } = await import('../../dist/detect/detect.js');
const { ALERT_SURPRISE } = await import('../../dist/detect/alerts.js');
const windows = JSON.parse(readFileSync(resolve(data, 'windows.json'), 'utf8'));

const GRID = [2, 2.5, 3, 3.5, 4, 5, 6];
const DAY = 86_400_000;

// mulberry32: a small, well-mixed PRNG, so item times are reproducible (SEED picks another draw)
let seed = 1;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Stories per bucket of a series turned into items as moments_eval.py does (uniform within each row's interval). */
function buckets(s, bucketMs) {
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

function detections(s, b, bucketMs, tuning) {
  const from = s.t[0] - DAY;
  const asOf = s.t[s.t.length - 1] + 3_600_000;
  const moments = detectMoments('t', b, { asOf, from, bucketMs, baselineMs: 14 * DAY, sensitivity: 'medium', historyStart: b[0].start, tuning }).filter(
    (m) => m.kind === 'volume-spike' && m.firedAt >= from,
  );
  const scores = new Array(s.t.length).fill(0);
  for (const m of moments) {
    const i = s.t.findIndex((t) => t >= m.firedAt);
    if (i >= 0) scores[i] = 1;
  }
  return { scores, alerts: moments.length, weeks: (asOf - from) / (7 * DAY) };
}

const keys = seriesFiles(data).filter((k) => windows[k] !== undefined);
// count-like: non-negative, and few enough items to simulate (AAPL is 1.36M; byte counts are not counts)
const series = keys.map((k) => readSeries(data, k)).filter((s) => s.v.every((v) => v >= 0) && s.v.reduce((a, v) => a + v, 0) <= 3e6);
const bucketMs = autoBucket();
const tweets = (rs) => rs.filter((r) => r.key.startsWith('realTweets/'));
const score = (rs) => nabScore(rs, { threshold: 0.5 });
const perWeek = (rs) => rs.reduce((a, r) => a + r.alerts, 0) / rs.reduce((a, r) => a + r.weeks, 0);
const SEEDS = [1, 2, 3];
console.log(`moments path, bucket ${bucketMs / 60000} min, default sensitivity medium (alert at surprise ${ALERT_SURPRISE.medium}); item times drawn ${SEEDS.length} ways`);
const summary = [];
for (const s0 of SEEDS) {
  seed = s0;
  const prepared = series.map((s) => ({ s, b: buckets(s, bucketMs) })).filter((p) => p.b.length > 0);
  const at = (theta) =>
    prepared.map(({ s, b }) => ({ key: s.key, t: s.t, windows: windows[s.key], ...detections(s, b, bucketMs, theta === undefined ? undefined : { alertSurprise: theta }) }));
  const byTheta = new Map(GRID.map((th) => [th, at(th)]));
  const deflt = at(undefined);
  const d = score(tweets(deflt));
  console.log(`\ndraw ${s0}:`);
  for (const f of d.perFile) console.log(`  ${f.key.padEnd(40)} windows ${f.windows}  rows detecting in windows ${f.tp}  false alerts ${f.fp}  raw ${f.raw.toFixed(2)}`);
  // leave one series out: the alert level that does best on the other four scores the fifth
  const { normalized: loso, picks } = leaveOneSeriesOut(new Map(GRID.map((th) => [th, tweets(byTheta.get(th))])));
  console.log(`  realTweets NAB standard: in-sample at default ${d.normalized.toFixed(1)}; leave-one-series-out ${loso.toFixed(1)} (levels picked ${picks.join(', ')})`);
  console.log(`  by alert level: ${GRID.map((th) => `${th}: ${score(tweets(byTheta.get(th))).normalized.toFixed(1)}`).join(', ')}`);
  console.log('  by series and alert level, raw NAB (rows detecting in windows / false alerts):');
  for (const line of bySeriesLines(new Map(GRID.map((th) => [th, tweets(byTheta.get(th))])))) console.log(line);
  const noAnomaly = deflt.filter((r) => r.key.startsWith('artificialNoAnomaly/'));
  const other = deflt.filter((r) => !r.key.startsWith('realTweets/') && !r.key.startsWith('artificialNoAnomaly/'));
  console.log(`  alerts per topic per week: realTweets ${perWeek(tweets(deflt)).toFixed(2)}, artificialNoAnomaly (all false) ${perWeek(noAnomaly).toFixed(2)}; other count-like series (${other.length}) NAB ${score(other).normalized.toFixed(1)}`);
  summary.push({ inSample: d.normalized, loso, fpWeek: perWeek(noAnomaly) });
}
const mean = (f) => summary.reduce((a, x) => a + f(x), 0) / summary.length;
const range = (f) => `${Math.min(...summary.map(f)).toFixed(1)}–${Math.max(...summary.map(f)).toFixed(1)}`;
console.log(`\nmoments realTweets NAB standard, mean of ${SEEDS.length} draws: in-sample ${mean((x) => x.inSample).toFixed(1)} (${range((x) => x.inSample)}), leave-one-series-out ${mean((x) => x.loso).toFixed(1)} (${range((x) => x.loso)}); false alerts per topic per week on artificialNoAnomaly ${mean((x) => x.fpWeek).toFixed(2)}`);

if (process.argv.includes('--product')) {
  console.log('\nthrough the CLI (../shared/eval/moments_eval.py on realTweets):');
  const out = execFileSync('python3', [resolve(repo, '../shared/eval/moments_eval.py'), '--series', resolve(data, 'realTweets'), '--windows', resolve(data, 'windows.json')], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  console.log(out.trim());
}
