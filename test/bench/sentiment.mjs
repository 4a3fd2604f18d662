#!/usr/bin/env node
// Whole-process throughput of `momentscan sentiment` (issue 12: ≥ 50,000 texts/s, median of 3): the
// dev-set tweets (../shared/data/sentiment-dev: TweetEval English, XLM-T German, French, Spanish) × 10
// in one file, language detected, NDJSON to /dev/null. Run by `npm run bench` (after the fetch runs), or
// alone, also against another build to compare two versions on one noisy machine:
//
//   node test/bench/sentiment.mjs [--runs 3] [--against DIR] [--json]
//
// --against DIR: DIR is another momentscan checkout, built (its bin/momentscan, dist/ and src/ data
// files); each run then times both, one after the other, in turn (interleaved, so load on the machine
// hits both alike), checks that both wrote the same bytes, and reports both medians and their ratio.
//
// Texts/s are given over wall-clock time and over CPU time (user + sys, GNU time), which says more
// when other work shares the machine. Plain Node; no timing assertion anywhere (a benchmark reports).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
export const SENTIMENT_DEV = path.resolve(ROOT, '../shared/data/sentiment-dev');
const TWEET_SETS = ['tweeteval_en.tsv', 'xlmt_de.tsv', 'xlmt_fr.tsv', 'xlmt_es.tsv'];
const REPEAT = 10;
export const SENTIMENT_TARGET = 50_000;
const GNU_TIME = '/usr/bin/time';

/** The tweets × REPEAT as one file of text lines in `dir`; null when the dev sets are not there. */
export function writeTweets(dir) {
  if (!TWEET_SETS.every((f) => existsSync(path.join(SENTIMENT_DEV, f)))) return null;
  const lines = [];
  for (const f of TWEET_SETS) {
    for (const line of readFileSync(path.join(SENTIMENT_DEV, f), 'utf8').split('\n')) {
      const tab = line.indexOf('\t');
      // "label<TAB>text"; a text starting with { would be read as NDJSON
      if (tab < 0 || line.slice(tab + 1).trimStart().startsWith('{')) continue;
      lines.push(line.slice(tab + 1));
    }
  }
  const file = path.join(dir, 'tweets.txt');
  writeFileSync(file, (lines.join('\n') + '\n').repeat(REPEAT));
  return { file, texts: lines.length * REPEAT };
}

const haveGnuTime = (() => {
  try {
    return statSync(GNU_TIME).isFile();
  } catch {
    return false;
  }
})();

/** One timed `sentiment FILE` of the checkout at `root`: wall ms, CPU ms (null without GNU time), a digest of stdout. */
function runOnce(root, file, env) {
  const bin = path.join(root, 'bin', 'momentscan');
  const argv = [bin, 'sentiment', file];
  const [cmd, args] = haveGnuTime ? [GNU_TIME, ['-f', '%U %S', process.execPath, ...argv]] : [process.execPath, argv];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${bin} sentiment exited ${r.status}: ${String(r.stderr).trim().split('\n').slice(-3).join(' / ')}`);
  const last = String(r.stderr).trim().split('\n').pop() ?? '';
  const [user, sys] = last.split(/\s+/).map(Number);
  const cpuMs = haveGnuTime && Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : null;
  return { wallMs, cpuMs, digest: createHash('sha256').update(r.stdout).digest('hex') };
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * `runs` timed runs of the checkout at ROOT (and of `against`, interleaved, when given), after one
 * unmeasured run of each (file cache). Null when the dev sets are missing.
 */
export function benchSentiment({ runs = 3, against = null, tmp, env = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TZ: 'UTC' }, progress = () => {} }) {
  const input = writeTweets(tmp);
  if (!input) return null;
  const sides = against ? [['this', ROOT], ['against', path.resolve(against)]] : [['this', ROOT]];
  const times = Object.fromEntries(sides.map(([k]) => [k, []]));
  for (const [, root] of sides) runOnce(root, input.file, env);
  for (let i = 0; i < runs; i++) {
    // alternate which goes first, so neither always follows the other
    const order = i % 2 ? [...sides].reverse() : sides;
    for (const [k, root] of order) {
      progress(`sentiment run ${i + 1}/${runs}: ${k === 'this' ? ROOT : root}`);
      times[k].push(runOnce(root, input.file, env));
    }
  }
  const summary = (xs) => {
    const wallMs = median(xs.map((x) => x.wallMs));
    const cpuMs = median(xs.map((x) => x.cpuMs));
    return {
      wallMs,
      cpuMs,
      textsPerSec: Math.round((input.texts / wallMs) * 1000),
      textsPerCpuSec: cpuMs === null ? null : Math.round((input.texts / cpuMs) * 1000),
      runs: xs.map((x) => ({ wallMs: Math.round(x.wallMs), cpuMs: x.cpuMs === null ? null : Math.round(x.cpuMs) })),
    };
  };
  const report = { texts: input.texts, target: SENTIMENT_TARGET, this: summary(times.this) };
  if (against) {
    report.against = { root: path.resolve(against), ...summary(times.against) };
    report.sameOutput = new Set([...times.this, ...times.against].map((x) => x.digest)).size === 1;
    report.ratio = {
      wall: Math.round((report.against.wallMs / report.this.wallMs) * 100) / 100,
      cpu: report.this.cpuMs && report.against.cpuMs ? Math.round((report.against.cpuMs / report.this.cpuMs) * 100) / 100 : null,
    };
  }
  return report;
}

const fmt = (n) => (n === null ? '–' : Math.round(n).toLocaleString('en-US'));

/** The report as lines of text. */
export function formatSentiment(r) {
  const side = (name, s) =>
    `${name}: ${fmt(s.textsPerSec)} texts/s wall-clock, ${fmt(s.textsPerCpuSec)} texts/s of CPU time (medians; runs ${s.runs.map((x) => `${(x.wallMs / 1000).toFixed(2)} s wall / ${x.cpuMs === null ? '–' : (x.cpuMs / 1000).toFixed(2)} s CPU`).join(', ')})`;
  const lines = [
    `momentscan sentiment on ${fmt(r.texts)} tweets (dev sets × ${REPEAT}, language detected, NDJSON to /dev/null); target ≥ ${fmt(r.target)} texts/s: ${(r.this.textsPerCpuSec ?? r.this.textsPerSec) >= r.target ? 'ok' : 'under'} (CPU)`,
    side('  this build', r.this),
  ];
  if (r.against) {
    lines.push(side(`  against ${r.against.root}`, r.against));
    lines.push(`  ratio (against / this, time): ${r.ratio.wall} wall-clock, ${r.ratio.cpu ?? '–'} CPU; same output: ${r.sameOutput ? 'yes' : 'NO'}`);
  }
  return lines;
}

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, against: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write('usage: node test/bench/sentiment.mjs [--runs 3] [--against DIR] [--json]\n');
    return;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Error('--runs takes a whole number from 1 to 100');
  if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  if (values.against && !existsSync(path.join(values.against, 'bin', 'momentscan'))) throw new Error(`--against ${values.against}: no bin/momentscan there`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'momentscan-bench-sentiment-'));
  try {
    const r = benchSentiment({ runs, against: values.against ?? null, tmp, progress: (m) => process.stderr.write(`bench: ${m}\n`) });
    if (!r) throw new Error(`${SENTIMENT_DEV}: the dev sets are not there (${TWEET_SETS.join(', ')})`);
    process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatSentiment(r).join('\n')}\n`);
    if (r.sameOutput === false) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`bench: error: ${err.message}\n`);
    process.exitCode = 1;
  });
}
