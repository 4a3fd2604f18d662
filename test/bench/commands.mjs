#!/usr/bin/env node
// Every reading command on a big history (a team's year: 1M items, 100 topics, 90 days, many feeds).
//
//   node test/bench/commands.mjs --build DIR [--items 1000000] [--topics 100] [--days 90] [--batches 9]
//   node test/bench/commands.mjs --run DIR [--runs 3] [--only items,timeline] [--json]
//   node test/bench/commands.mjs --run DIR --out OUTDIR     # also keeps each command's stdout+stderr, to cmp two builds
//   node test/bench/commands.mjs --run DIR --dist ../other/dist …  # time another build on the same history
//
// --build writes feed files (RSS, one per topic plus plain wire feeds) and fetches them with the built CLI
// in --batches fetches, each at its own clock ($MOMENTSCAN_NOW at the end of its days), so items, sources,
// sentiment, stories, topic matches and the counts caches are what fetch makes, and fetched_at follows the
// history as a team's fetch cron leaves it; then it imports an account per topic. Each fetch replaces the
// feeds' content, so most fetches bring only unseen items (overflow): the worst case for the periods nobody
// fetched. --run times each command (wall, GNU time's CPU and peak RSS: medians of --runs, after one
// unmeasured run, warm file cache) with $MOMENTSCAN_NOW and --as-of at the history's end. `watch` is not in
// it (it needs a terminal). Needs `npm run build` and GNU time (/usr/bin/time); see test/bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from './feeds.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    build: { type: 'string' },
    run: { type: 'string' },
    items: { type: 'string', default: '1000000' },
    topics: { type: 'string', default: '100' },
    days: { type: 'string', default: '90' },
    batches: { type: 'string', default: '9' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    out: { type: 'string' },
    dist: { type: 'string' },
    json: { type: 'boolean' },
  },
});

export const END = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const AS_OF = new Date(END).toISOString();
const PLAIN = 20;
const topicName = (t) => `Brand ${t}`;
const WORDS = ['robotics', 'airlines', 'payments', 'cloud', 'energy', 'foods', 'motors', 'health', 'labs', 'bank'];
const PUBLISHERS = Array.from({ length: 60 }, (_, i) => `Publisher ${i} News`);
const POS = ['wins praise for', 'reports strong growth in', 'celebrates record', 'unveils innovative'];
const NEG = ['faces lawsuit over', 'hit by outage affecting', 'slammed for poor', 'recalls faulty'];
const NEU = ['announces', 'updates', 'outlines plans for', 'publishes report on', 'reorganizes'];
const OBJECTS = ['warehouse robots', 'quarterly results', 'cloud platform', 'supply chain', 'customer service', 'battery technology', 'mobile app', 'pricing changes', 'safety review', 'loyalty program'];
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const feedFile = (dir, f) => path.join(dir, 'feeds', `${String(f).padStart(4, '0')}.xml`);

function config(dir, topics) {
  const q = JSON.stringify;
  const lines = ['defaults:', '  bucket: auto', '  baseline: 14d', 'fetch:', '  concurrency: 8', '  perHost: 8', '  hostDelay: 0ms', '  interval: 1h', '  retries: 0', '  timeout: 60s', '  maxBytes: 20MB', 'topics:'];
  for (let t = 0; t < topics; t++) {
    const b = `brand${t}`;
    lines.push(`  - name: ${q(topicName(t))}`, `    keywords: [${[b, `${b} ${WORDS[t % 10]}`].map(q).join(', ')}]`, `    feeds: [${q(pathToFileURL(feedFile(dir, t)).href)}]`);
  }
  lines.push('feeds:');
  for (let p = 0; p < PLAIN; p++) lines.push(`  - ${q(pathToFileURL(feedFile(dir, topics + p)).href)}`);
  return `${lines.join('\n')}\n`;
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1', ...env } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r;
}

async function build(dir) {
  const items = Number(values.items);
  const topics = Number(values.topics);
  const days = Number(values.days);
  const batches = Number(values.batches);
  const start = END - days * DAY;
  mkdirSync(path.join(dir, 'feeds'), { recursive: true });
  const cfg = path.join(dir, 'momentscan.yaml');
  const db = path.join(dir, 'm.db');
  writeFileSync(cfg, config(dir, topics));
  const rnd = mulberry32(42);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const feeds = topics + PLAIN;
  let n = 0;
  for (let b = 0; b < batches; b++) {
    const from = start + Math.floor((b * days) / batches) * DAY;
    const to = start + Math.floor(((b + 1) * days) / batches) * DAY;
    const per = Array.from({ length: feeds }, () => []);
    const count = Math.round(items / batches);
    for (let i = 0; i < count; i++, n++) {
      const topic = Math.floor(rnd() * rnd() * topics); // skewed: a few busy topics, many quiet ones
      const feed = rnd() < 0.85 ? topic : topics + Math.floor(rnd() * PLAIN);
      const when = from + Math.floor(rnd() * (to - from));
      const r = rnd();
      const verb = r < 0.3 ? pick(POS) : r < 0.5 ? pick(NEG) : pick(NEU);
      const pub = pick(PUBLISHERS);
      const title = `Brand${topic} ${verb} ${pick(OBJECTS)} ${n % 97}`;
      const slug = `${pub.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`;
      const link = `https://${slug}/news/${n}`;
      per[feed].push(`<item><title>${esc(title)}</title><link>${link}</link><guid isPermaLink="false">c-${n}</guid><pubDate>${new Date(when).toUTCString()}</pubDate><description>${esc(`Brand${topic} said on Monday that it ${verb} ${pick(OBJECTS)}.`)}</description><source url="https://${slug}">${pub}</source></item>\n`);
    }
    for (let f = 0; f < feeds; f++) {
      writeFileSync(feedFile(dir, f), `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>feed ${f}</title><link>https://bench.example/${f}</link><description>bench</description>\n${per[f].join('')}</channel></rss>\n`);
    }
    const t0 = performance.now();
    run(process.execPath, [path.join(ROOT, 'bin/momentscan'), 'fetch', '--config', cfg, '--db', db, '--quiet', '--force'], { MOMENTSCAN_NOW: new Date(to).toISOString() });
    process.stderr.write(`batch ${b + 1}/${batches}: ${count} items up to ${new Date(to).toISOString()} fetched in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  // accounts (one per topic), a few labels, events and a silence: what a team's year adds
  const csv = path.join(dir, 'accounts.csv');
  writeFileSync(csv, `Company,Website\n${Array.from({ length: topics }, (_, t) => `Brand${t},brand${t}.example`).join('\n')}\n`);
  const cli = (args) => run(process.execPath, [path.join(ROOT, 'bin/momentscan'), ...args, '--config', cfg, '--db', db, '--quiet'], { MOMENTSCAN_NOW: AS_OF });
  cli(['accounts', 'import', csv]);
  writeFileSync(path.join(dir, 'built.json'), JSON.stringify({ items, topics, days, batches, feeds }));
}

/** The commands a user runs, with their usual flags. `{cfg}`/`{db}` are added to each. */
const COMMANDS = [
  ['status', ['status', '--no-smtp-check']],
  ['status --json', ['status', '--json', '--no-smtp-check']],
  ['items', ['items']],
  ['items --topic', ['items', '--topic', 'Brand 3']],
  ['items --topic (quiet topic)', ['items', '--topic', 'Brand 97']],
  ['items --since 30d', ['items', '--since', '30d']],
  ['items --search', ['items', '--search', 'lawsuit']],
  ['items --search --topic', ['items', '--search', 'outage', '--topic', 'Brand 5']],
  ['items --sort negative', ['items', '--sort', 'negative']],
  ['items --json', ['items', '--json']],
  ['items --csv --all', ['items', '--csv', '--all', '--since', '7d']],
  ['timeline', ['timeline', 'Brand 3']],
  ['timeline --bucket 1d', ['timeline', 'Brand 3', '--bucket', '1d', '--since', '90d']],
  ['timeline --json', ['timeline', 'Brand 3', '--json']],
  ['timeline --csv', ['timeline', 'Brand 3', '--csv']],
  ['digest', ['digest']],
  ['digest --format markdown', ['digest', '--format', 'markdown']],
  ['digest --format html', ['digest', '--format', 'html']],
  ['digest --as-of 30d', ['digest', '--as-of', '2026-10-21T12:00:00Z']],
  ['moments -v', ['moments', '-v']],
  ['moments --backtest 90d', ['moments', '--backtest', '--since', '90d']],
  ['export hubspot', ['export', '--to', 'hubspot', '--out', '{tmp}']],
  ['export salesforce', ['export', '--to', 'salesforce', '--out', '{tmp}']],
  ['quality', ['quality']],
  ['topics list', ['topics', 'list']],
  ['feeds list', ['feeds', 'list']],
  ['accounts', ['accounts']],
  ['events list', ['events', 'list']],
  ['silence list', ['silence', 'list']],
  ['rescore (nothing to do)', ['rescore']],
  ['fetch (nothing due)', ['fetch']],
  ['scan (nothing due)', ['scan']],
];

const AS_OF_TAKEN = ['moments', 'digest', 'items', 'timeline', 'scan', 'quality', 'export'];

function time(dist, args, out) {
  const bin = dist ? path.join(path.dirname(path.resolve(dist)), 'bin/momentscan') : path.join(ROOT, 'bin/momentscan');
  const tf = `/tmp/commands-time-${process.pid}.txt`;
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', tf, process.execPath, bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1', COLUMNS: '100', MOMENTSCAN_NOW: AS_OF } });
  const wall = performance.now() - t0;
  const [user, sys, kb] = readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: (user + sys) * 1000, rss: kb / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runAll(dir) {
  const cfg = path.join(dir, 'momentscan.yaml');
  const db = path.join(dir, 'm.db');
  const runs = Number(values.runs);
  const only = values.only?.split(',');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const [name, args] of COMMANDS) {
    if (only && !only.some((o) => name.startsWith(o))) continue;
    const full = [...args.map((a) => (a === '{tmp}' ? path.join(dir, 'export') : a)), '--config', cfg, '--db', db, ...(AS_OF_TAKEN.includes(args[0]) && !args.includes('--as-of') ? ['--as-of', AS_OF] : [])];
    const first = time(values.dist, full);
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      writeFileSync(path.join(values.out, `${name.replace(/[^a-z0-9]+/gi, '_')}.txt`), `exit ${first.status}\n--- stdout\n${first.stdout}\n--- stderr\n${first.stderr.replaceAll(dir, 'DIR')}`);
    }
    const ts = Array.from({ length: runs }, () => time(values.dist, full));
    const row = { name, status: first.status, wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)), rss: Math.max(...ts.map((t) => t.rss)) };
    rows.push(row);
    process.stderr.write(`${name.padEnd(28)} exit ${row.status}  wall ${(row.wall / 1000).toFixed(2)} s  cpu ${(row.cpu / 1000).toFixed(2)} s  rss ${row.rss.toFixed(0)} MB\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
}

if (values.build) await build(path.resolve(values.build));
if (values.run) {
  if (!existsSync(path.join(values.run, 'built.json'))) throw new Error(`${values.run}: no history built there (--build it first)`);
  runAll(path.resolve(values.run));
}
if (!values.build && !values.run) process.stderr.write('usage: node test/bench/commands.mjs --build DIR | --run DIR [--runs 3] [--only NAME,…] [--out DIR] [--dist DIR]\n');
