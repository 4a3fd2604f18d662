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
import { bySeriesLines, itemBuckets, leaveOneSeriesOut, leaveOneSeriesOutDraws, mulberry32, nabScore, readSeries, seriesFiles } from './nab.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const data = resolve(repo, '../shared/data/spikes-dev');
const { detectMoments, scoreBuckets, autoBucket } = await import('../../dist/detect/detect.js');
const { ALERT_SURPRISE } = await import('../../dist/detect/alerts.js');
const windows = JSON.parse(readFileSync(resolve(data, 'windows.json'), 'utf8'));

// --grid a,b,c: the alert levels leave-one-series-out picks from (default the table's neighbourhood in
// half steps; a finer grid shows whether a fold's pick sits on a burst scoring between two levels)
const gridArg = process.argv.indexOf('--grid');
const GRID = gridArg > 0 ? process.argv[gridArg + 1].split(',').map(Number) : [2, 2.5, 3, 3.5, 4, 5, 6];
const DAY = 86_400_000;

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

/**
 * Every alert a cron job would pass on, onset and growth alike, each one detection: what a person is
 * pinged with. (moments_eval.py scores onsets only, so a change that turns onsets into growth alerts
 * looks better there than it is.)
 */
function everyAlert(s, b, bucketMs, tuning) {
  const from = s.t[0] - DAY;
  const asOf = s.t[s.t.length - 1] + 3_600_000;
  const rows = scoreBuckets(b, { asOf, from, bucketMs, baselineMs: 14 * DAY, sensitivity: 'medium', historyStart: b[0].start, tuning });
  const scores = new Array(s.t.length).fill(0);
  let alerts = 0;
  for (const r of rows) {
    if (!r.volumeAlert) continue;
    alerts++;
    const i = s.t.findIndex((t) => t >= r.start + bucketMs);
    if (i >= 0) scores[i] = 1;
  }
  return { scores, alerts, weeks: (asOf - from) / (7 * DAY) };
}

const keys = seriesFiles(data).filter((k) => windows[k] !== undefined);
// count-like: non-negative, and few enough items to simulate (AAPL is 1.36M; byte counts are not counts)
const series = keys.map((k) => readSeries(data, k)).filter((s) => s.v.every((v) => v >= 0) && s.v.reduce((a, v) => a + v, 0) <= 3e6);
const bucketMs = autoBucket();
const tweets = (rs) => rs.filter((r) => r.key.startsWith('realTweets/'));
const score = (rs) => nabScore(rs, { threshold: 0.5 });
const perWeek = (rs) => rs.reduce((a, r) => a + r.alerts, 0) / rs.reduce((a, r) => a + r.weeks, 0);
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
// --draws N: how many ways item times are drawn (the score moves with them: a detection on a window's
// edge comes and goes); --first-draw K: draws K to K+N-1 (another set of draws; 1 by default);
// --tuning JSON: engine knobs for an experiment (the product never takes them);
// --knob name=v1,v2,...: each fold picks this knob with the level (leave-one-series-out of both)
const SEEDS = Array.from({ length: Number(arg('--draws') ?? 10) }, (_, i) => i + Number(arg('--first-draw') ?? 1));
const extra = arg('--tuning') ? JSON.parse(arg('--tuning')) : {};
const knob = arg('--knob') ? { name: arg('--knob').split('=')[0], values: arg('--knob').split('=')[1].split(',').map(Number) } : null;
const tuningAt = (theta) => (theta === undefined ? (Object.keys(extra).length ? extra : undefined) : { ...extra, alertSurprise: theta });
const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
const spread = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
console.log(
  `moments path, bucket ${bucketMs / 60000} min, default sensitivity medium (alert at surprise ${ALERT_SURPRISE.medium}); item times drawn ${SEEDS.length} ways${Object.keys(extra).length ? `; tuning ${JSON.stringify(extra)}` : ''}`,
);
// per draw: results at the default and at each alert level of the grid
const draws = SEEDS.map((s0) => {
  const rnd = mulberry32(s0);
  const prepared = series.map((s) => ({ s, b: itemBuckets(s, bucketMs, rnd) })).filter((p) => p.b.length > 0);
  const at = (theta) => prepared.map(({ s, b }) => ({ key: s.key, t: s.t, windows: windows[s.key], ...detections(s, b, bucketMs, tuningAt(theta)) }));
  const every = tweets(prepared.map((p) => p.s))
    .map((s) => prepared.find((p) => p.s === s))
    .map(({ s, b }) => ({ key: s.key, t: s.t, windows: windows[s.key], ...everyAlert(s, b, bucketMs, tuningAt(undefined)) }));
  // --knob name=v1,v2: the folds also pick this engine knob (on the realTweets series only)
  const joint = new Map();
  if (knob) {
    const tw = tweets(prepared.map((p) => p.s)).map((s) => prepared.find((p) => p.s === s));
    for (const kv of knob.values)
      for (const th of GRID)
        joint.set(`${knob.name}=${kv}/${th}`, tw.map(({ s, b }) => ({ key: s.key, t: s.t, windows: windows[s.key], ...detections(s, b, bucketMs, { ...extra, [knob.name]: kv, alertSurprise: th }) })));
  }
  return { deflt: at(undefined), byTheta: new Map(GRID.map((th) => [th, at(th)])), every, joint };
});

console.log('\nat the default level, per series (mean over draws; rows detecting in windows / false alerts, raw NAB min–max):');
const defaults = draws.map((d) => score(tweets(d.deflt)));
defaults[0].perFile.forEach((f, k) => {
  const per = defaults.map((d) => d.perFile[k]);
  console.log(
    `  ${f.key.padEnd(40)} windows ${f.windows}  in windows ${mean(per.map((x) => x.tp)).toFixed(1)}  false alerts ${mean(per.map((x) => x.fp)).toFixed(1)}  raw ${mean(per.map((x) => x.raw)).toFixed(2)} (${per.map((x) => x.raw.toFixed(2)).join(' ')})`,
  );
});
console.log(`by alert level (normalised, mean over draws): ${GRID.map((th) => `${th}: ${mean(draws.map((d) => score(tweets(d.byTheta.get(th))).normalized)).toFixed(1)}`).join(', ')}`);
console.log('by series and alert level, raw NAB of draw 1 (rows detecting in windows / false alerts):');
for (const line of bySeriesLines(new Map(GRID.map((th) => [th, tweets(draws[0].byTheta.get(th))])))) console.log(line);
// where each series' own best level lies, over every draw: leave-one-series-out pays when they disagree
console.log('by series and alert level, raw NAB, mean over draws (best level marked *):');
for (const key of tweets(draws[0].deflt).map((r) => r.key)) {
  const raws = GRID.map((th) => mean(draws.map((d) => score(d.byTheta.get(th).filter((r) => r.key === key)).raw)));
  const top = Math.max(...raws);
  console.log(`    ${key.replace(/^.*\//, '').replace(/\.csv$/, '').padEnd(22)} ${GRID.map((th, i) => `${th}: ${raws[i].toFixed(2)}${raws[i] === top ? '*' : ''}`).join(', ')}`);
}

// Leave one series out: each fold tunes one thing, the alert level (from GRID), on the other four
// series; everything else is the product's default. Two ways: within each draw (the pick can flip
// with one draw's luck), and on the other series' results over every draw (the steadier pick).
const within = draws.map((d) => leaveOneSeriesOut(new Map(GRID.map((th) => [th, tweets(d.byTheta.get(th))]))));
const across = leaveOneSeriesOutDraws(new Map(GRID.map((th) => [th, draws.map((d) => tweets(d.byTheta.get(th)))])));
const inSample = defaults.map((d) => d.normalized);
const oracle = draws.map((d) => Math.max(...GRID.map((th) => score(tweets(d.byTheta.get(th))).normalized)));
const noAnomaly = draws.map((d) => perWeek(d.deflt.filter((r) => r.key.startsWith('artificialNoAnomaly/'))));
const tweetRate = draws.map((d) => perWeek(tweets(d.deflt)));
const isOther = (r) => !r.key.startsWith('realTweets/') && !r.key.startsWith('artificialNoAnomaly/');
const other = draws.map((d) => score(d.deflt.filter(isOther)).normalized);
const row = (label, xs, note = '') => console.log(`  ${label.padEnd(58)} ${mean(xs).toFixed(1).padStart(5)}  ${spread(xs).padEnd(11)} ${note}`);
console.log(`\nrealTweets NAB standard (5 series, ${SEEDS.length} draws)                            mean   min–max`);
row('in-sample, default level (chosen on all five)', inSample);
row('in-sample, best grid level per draw (optimistic)', oracle);
row('in-sample, default level, growth alerts counted as detections too', draws.map((d) => score(d.every).normalized), `alerts per topic per week ${mean(draws.map((d) => perWeek(d.every))).toFixed(2)}`);
row('leave-one-series-out, level picked on 4 series over all draws', across.perDraw, `picks ${across.picks.join(', ')}`);
row('leave-one-series-out, level picked on 4 series per draw', within.map((w) => w.normalized), `picks ${within.map((w) => w.picks.join('/')).join(' ')}`);
if (knob) {
  const j = leaveOneSeriesOutDraws(new Map([...draws[0].joint.keys()].map((k) => [k, draws.map((d) => d.joint.get(k))])));
  row(`leave-one-series-out, level and ${knob.name} picked on 4 series`, j.perDraw, `picks ${j.picks.join(', ')}`);
  const best = [...draws[0].joint.keys()].map((k) => [k, mean(draws.map((d) => score(d.joint.get(k)).normalized))]).sort((a, b) => b[1] - a[1]);
  console.log(`  in-sample by ${knob.name}/level (mean over draws), best first: ${best.slice(0, 8).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
}
console.log(`  alerts per topic per week: realTweets ${mean(tweetRate).toFixed(2)}, artificialNoAnomaly (all false) ${mean(noAnomaly).toFixed(2)}; other count-like series (${draws[0].deflt.filter(isOther).length}) NAB ${mean(other).toFixed(1)}`);
console.log(
  `\nmoments realTweets NAB standard: in-sample ${mean(inSample).toFixed(1)} (${spread(inSample)}), leave-one-series-out ${across.normalized.toFixed(1)} (${spread(across.perDraw)}; per-draw picks ${mean(within.map((w) => w.normalized)).toFixed(1)}); false alerts per topic per week on artificialNoAnomaly ${mean(noAnomaly).toFixed(2)}`,
);

if (process.argv.includes('--product')) {
  console.log('\nthrough the CLI (../shared/eval/moments_eval.py on realTweets):');
  const out = execFileSync('python3', [resolve(repo, '../shared/eval/moments_eval.py'), '--series', resolve(data, 'realTweets'), '--windows', resolve(data, 'windows.json')], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  console.log(out.trim());
}
