#!/usr/bin/env node
// NAB evaluation of `momentscan detect` (the engine on a series you bring): `npm run eval:detect`.
//
// Every series under ../shared/data/spikes-dev is scored as `detect` scores it (resolution inferred,
// default sensitivity); each alert onset is one detection. Printed: the NAB standard score on the five
// realTweets series at the default sensitivity (in-sample), leave-one-series-out (the alert level that
// does best on four series scores the fifth, in turn), by alert level, on the whole dev corpus, and false
// alerts per series per week on artificialNoAnomaly (every alert there is false). The speed of `detect`
// on a million rows is measured by `npm run bench:detect`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bySeriesLines, leaveOneSeriesOut, nabScore, readSeries, seriesFiles } from './nab.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const data = resolve(here, '../../../shared/data/spikes-dev');
const { SeriesDetector, inferResolution, looksLikeCounts } = await import('../../dist/detect/series.js');
const { ALERT_SURPRISE } = await import('../../dist/detect/alerts.js');
const windows = JSON.parse(readFileSync(resolve(data, 'windows.json'), 'utf8'));
// --grid a,b,c: the alert levels leave-one-series-out picks from (default the table's neighbourhood in
// half steps; a finer grid shows whether a fold's pick sits on a burst scoring between two levels)
const gridArg = process.argv.indexOf('--grid');
const GRID = gridArg > 0 ? process.argv[gridArg + 1].split(',').map(Number) : [2, 2.5, 3, 3.5, 4, 5, 6];

const series = seriesFiles(data)
  .filter((k) => windows[k] !== undefined)
  .map((k) => readSeries(data, k));

// --tuning JSON: engine knobs for an experiment (the product never takes them)
const tuningArg = process.argv.indexOf('--tuning');
const extra = tuningArg > 0 ? JSON.parse(process.argv[tuningArg + 1]) : {};

function run(s, alertSurprise, direction = 'both') {
  const pts = [];
  const keep = [];
  s.t.forEach((t, i) => {
    // one row per time: `detect` refuses a repeated time (two NAB series repeat one at a clock change)
    if (pts.length && t <= pts[pts.length - 1].t) return;
    pts.push({ t, value: s.v[i] });
    keep.push(i);
  });
  const d = new SeriesDetector({ resolutionMs: inferResolution(pts), sensitivity: 'medium', direction, counts: looksLikeCounts(pts.slice(0, 500)), tuning: alertSurprise === undefined ? extra : { ...extra, alertSurprise } });
  const scores = new Array(s.t.length).fill(0);
  let alerts = 0;
  pts.forEach((p, j) => {
    if (d.push(p).alert === 'onset') {
      scores[keep[j]] = 1;
      alerts++;
    }
  });
  return { key: s.key, t: s.t, windows: windows[s.key], scores, alerts, weeks: (s.t[s.t.length - 1] - s.t[0]) / (7 * 86_400_000) };
}

const deflt = series.map((s) => run(s));
const byLevel = new Map(GRID.map((th) => [th, series.map((s) => run(s, th))]));
const tweets = (rs) => rs.filter((r) => r.key.startsWith('realTweets/'));
const score = (rs) => nabScore(rs, { threshold: 0.5 });

console.log(`detect at default sensitivity (medium: alert at surprise ${ALERT_SURPRISE.medium}; rows finer than 15 minutes judged in quarter hours, early looks +log10 of rows per quarter hour), both directions`);
const d = score(tweets(deflt));
for (const f of d.perFile) console.log(`  ${f.key.padEnd(40)} windows ${f.windows}  rows detecting in windows ${f.tp}  false alerts ${f.fp}  raw ${f.raw.toFixed(2)}`);
const loso = leaveOneSeriesOut(new Map(GRID.map((th) => [th, tweets(byLevel.get(th))])));
console.log(`  by alert level: ${GRID.map((th) => `${th}: ${score(tweets(byLevel.get(th))).normalized.toFixed(1)}`).join(', ')}`);
console.log('  by series and alert level, raw NAB (rows detecting in windows / false alerts):');
for (const line of bySeriesLines(new Map(GRID.map((th) => [th, tweets(byLevel.get(th))])))) console.log(line);
const perWeek = (rs) => rs.reduce((a, r) => a + r.alerts, 0) / rs.reduce((a, r) => a + r.weeks, 0);
const noAnomaly = deflt.filter((r) => r.key.startsWith('artificialNoAnomaly/'));
console.log(`  whole dev corpus (${deflt.length} series, NAB standard at default): ${score(deflt).normalized.toFixed(1)}; false alerts per series per week on artificialNoAnomaly ${perWeek(noAnomaly).toFixed(2)}`);
console.log(
  `  whole dev corpus by alert level: ${GRID.map((th) => `${th}: ${score(byLevel.get(th)).normalized.toFixed(1)}`).join(', ')}; false alerts per series per week on artificialNoAnomaly by level: ${GRID.map((th) => `${th}: ${perWeek(byLevel.get(th).filter((r) => r.key.startsWith('artificialNoAnomaly/'))).toFixed(2)}`).join(', ')}`,
);
console.log(
  `detect realTweets NAB standard: in-sample at default ${d.normalized.toFixed(1)}; leave-one-series-out ${loso.normalized.toFixed(1)} (levels picked ${loso.picks.join(', ')}); alerts per series per week ${perWeek(tweets(deflt)).toFixed(2)}`,
);

// `--direction up` (rises only, as topics are judged): mention counts, where a fall is not a moment
{
  const up = tweets(series).map((s) => run(s, undefined, 'up'));
  const upLevels = new Map(GRID.map((th) => [th, tweets(series).map((s) => run(s, th, 'up'))]));
  const l = leaveOneSeriesOut(upLevels);
  console.log(
    `detect --direction up, realTweets NAB standard: in-sample at default ${score(up).normalized.toFixed(1)}; leave-one-series-out ${l.normalized.toFixed(1)} (levels picked ${l.picks.join(', ')}); by level: ${GRID.map((th) => `${th}: ${score(upLevels.get(th)).normalized.toFixed(1)}`).join(', ')}`,
  );
}

// --knob name=v1,v2,...: each fold also picks this engine knob with the level (leave-one-series-out of both)
const knobArg = process.argv.indexOf('--knob');
if (knobArg > 0) {
  const [name, list] = process.argv[knobArg + 1].split('=');
  const saved = { ...extra };
  const joint = new Map();
  for (const kv of list.split(',').map(Number)) {
    extra[name] = kv;
    for (const th of GRID) joint.set(`${name}=${kv}/${th}`, tweets(series).map((s) => run(s, th)));
  }
  Object.assign(extra, saved);
  const l = leaveOneSeriesOut(joint);
  const best = [...joint].map(([k, rs]) => [k, score(rs).normalized]).sort((a, b) => b[1] - a[1]);
  console.log(`detect, level and ${name} picked on 4 series, leave-one-series-out ${l.normalized.toFixed(1)} (picks ${l.picks.join(', ')}); in-sample best first: ${best.slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
}

// the JavaScript scorer against ../shared/eval/nab_score.py, on these very results (whole corpus, threshold 0.5)
const out = mkdtempSync(join(tmpdir(), 'momentscan-nab-'));
try {
  for (const r of deflt) {
    const s = series.find((x) => x.key === r.key);
    const file = join(out, r.key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `timestamp,value,anomaly_score\n${s.stamps.map((t, i) => `${t},${s.v[i]},${r.scores[i]}`).join('\n')}\n`);
  }
  const py = execFileSync('python3', [resolve(here, '../../../shared/eval/nab_score.py'), '--results', out, '--windows', resolve(data, 'windows.json'), '--subset', '', '--threshold', '0.5'], { encoding: 'utf8' });
  const theirs = Number(/normalized=(-?[\d.]+)/.exec(py)[1]);
  const ours = score(deflt).normalized;
  console.log(`scorer check: nab_score.py ${theirs.toFixed(3)}, test/eval/nab.mjs ${ours.toFixed(3)} on the whole corpus${Math.abs(theirs - ours) > 0.001 ? ' — THEY DISAGREE' : ''}`);
  if (Math.abs(theirs - ours) > 0.001) process.exitCode = 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
