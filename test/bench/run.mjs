#!/usr/bin/env node
// momentscan benchmark: fetch throughput on synthetic feeds served from 127.0.0.1, detection time,
// and start-up time, measured on the built CLI (`npm run bench` builds first).
//
//   node test/bench/run.mjs [--feeds 2000] [--items 50] [--runs 3] [--gzip|--no-gzip] [--hosts 20]
//                           [--concurrency 16] [--per-host 4] [--host-delay 0ms]
//                           [--profile] [--json] [--keep]
//
// The feeds are spread round-robin over --hosts ports on 127.0.0.1, each a host of its own for the
// fetcher's per-host manners (which key on host:port), so every host has many feeds.
//
// Each run: a fresh database, a cold `fetch` (every feed 200), `moments --json` on what it stored,
// then a warm `fetch --force` on the same database (every feed 304; without --force every feed would
// be skipped as not due within fetch.interval), then a skip run: the same `fetch` without --force,
// where every feed is skipped and the server sees no request at all. Then `--help` ten times, and
// `momentscan sentiment` on the dev-set tweets (sentiment.mjs). The median,
// min and max of each are reported against the targets; the exit status is 0 whatever the numbers
// (a benchmark reports, it does not gate) and 1 only when a run was wrong (items missing, a feed not
// answered 304, the CLI failing), because then the numbers mean nothing.
//
// The feeds are served by a child process (server.mjs) so the CLI's CPU and memory figures are its
// own, but on this machine that server still shares the cores with the CLI: the wall times include
// some contention. Plain Node (node: builtins) plus better-sqlite3 from node_modules, to check the
// database read-only.
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { CLOCK_ISO, TOPICS, configYaml } from './feeds.mjs';
import { formatProfile, summarizeProfile } from './profile.mjs';
import { benchSentiment, formatSentiment } from './sentiment.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BIN = path.join(ROOT, 'bin', 'momentscan');
const GNU_TIME = '/usr/bin/time';
const HELP_RUNS = 10;
/** Targets, in ms. */
/** Targets (issue 15): times in ms, peak RSS of the cold fetch in MB. */
const TARGETS = { cold: 10_000, warm: 1_000, skip: 300, help: 100, coldRssMb: 300 };
/** Written into the generated config as they are: the fetch settings not taken from options. */
const FETCH_FIXED = { interval: '15m', retries: 2, timeout: '30s' };

const USAGE = `usage: node test/bench/run.mjs [options]

  --feeds <n>        synthetic feeds to serve (default 2000)
  --items <n>        items per feed (default 50)
  --runs <n>         cold/moments/warm/skip repetitions; the median is reported (default 3)
  --gzip, --no-gzip  serve gzip to clients that ask for it (default on)
  --hosts <n>        serve the feeds from this many ports on 127.0.0.1, round-robin (default 1)
  --concurrency <n>  fetch.concurrency in the generated config (default 16)
  --per-host <n>     fetch.perHost in the generated config (default 16)
  --topics <n>       topics in the generated config, 5 keywords each beyond the first ten (default 100)
  --host-delay <d>   fetch.hostDelay in the generated config, e.g. 0ms, 250ms, 1s (default 0ms)
  --profile          one more cold and warm (--force) fetch under node --cpu-prof, summarised (hot functions)
  --json             print the results as one JSON object on stdout (progress stays on stderr)
  --keep             keep the temporary folder (config, databases, profile) and print its path
  --db postgres      instead: fetch workers (1, 2, 4) sharing a PostgreSQL database against one fetch into
                     SQLite, in the same run (test/bench/workers.mjs: --feeds, --items, --hosts, --per-host,
                     --concurrency, --workers 1,2,4, --json)
  -h, --help         this help
`;

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  // parseArgs in Node 20 has no --no-* negation: take --no-gzip out first.
  let gzip = true;
  const rest = [];
  for (const a of argv) {
    if (a === '--no-gzip') gzip = false;
    else if (a === '--gzip') gzip = true;
    else rest.push(a);
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
    options: {
        feeds: { type: 'string', default: '2000' },
        items: { type: 'string', default: '50' },
        runs: { type: 'string', default: '3' },
        hosts: { type: 'string', default: '1' },
        concurrency: { type: 'string', default: '16' },
        'per-host': { type: 'string', default: '16' },
        topics: { type: 'string', default: '100' },
        'host-delay': { type: 'string', default: '0ms' },
        profile: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}`);
    return n;
  };
  // A duration as the config writes it (250ms, 1s, 1m30s), to whole milliseconds, at most a minute.
  const delay = String(values['host-delay']).trim().toLowerCase();
  const UNIT = { ms: 1, s: 1000, m: 60_000 };
  const hostDelayMs = /^(\d+(\.\d+)?(ms|s|m))+$/.test(delay)
    ? Math.round([...delay.matchAll(/(\d+(?:\.\d+)?)(ms|s|m)/g)].reduce((t, m) => t + Number(m[1]) * UNIT[m[2]], 0))
    : NaN;
  if (!(hostDelayMs >= 0 && hostDelayMs <= 60_000)) throw new UsageError('--host-delay takes a duration from 0ms to 1m, such as 0ms, 250ms or 1s');
  return {
    feeds: int('feeds', 1, 100_000),
    items: int('items', 1, 5_000),
    runs: int('runs', 1, 100),
    hosts: int('hosts', 1, 1_000),
    concurrency: int('concurrency', 1, 256),
    perHost: int('per-host', 1, 64),
    topics: int('topics', TOPICS.length, 1_000),
    hostDelayMs,
    gzip,
    profile: values.profile,
    json: values.json,
    keep: values.keep,
    help: values.help,
  };
}

/** A run that went wrong: its numbers mean nothing (exit 1). */
class BenchError extends Error {}
/** A bad option (exit 2). */
class UsageError extends BenchError {}

// ---------------------------------------------------------------------------------------------
// Clean-up: the server, a CLI still running, the temp folder — on success, failure and Ctrl-C.

const live = { server: null, cli: null, tmp: null, keep: false };

function cleanup() {
  if (live.cli) {
    // The CLI runs in its own process group (spawned detached): a terminal's Ctrl-C does not reach
    // it, this does, and it reaches both /usr/bin/time and the node under it.
    try {
      process.kill(-live.cli.pid, 'SIGKILL');
    } catch {}
    live.cli = null;
  }
  if (live.server) {
    live.server.kill();
    live.server = null;
  }
  if (live.tmp && !live.keep) rmSync(live.tmp, { recursive: true, force: true });
  live.tmp = null;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}: stopping${live.keep && live.tmp ? ` (kept ${live.tmp})` : ''}\n`);
    cleanup();
    process.exit(code);
  });
}
process.on('exit', cleanup);

const progress = (msg) => process.stderr.write(`bench: ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// The feed server (a child process)

async function startServer(o) {
  const child = fork(path.join(HERE, 'server.mjs'), ['--feeds', String(o.feeds), '--items', String(o.items), '--hosts', String(o.hosts), ...(o.gzip ? ['--gzip'] : [])], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.server = child;
  const pending = new Map(); // request id → { resolve, reject }
  let nextId = 0;
  let gone = null;
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      gone = new BenchError(`the feed server exited (${signal ?? `code ${code}`})`);
      reject(gone);
      for (const p of pending.values()) p.reject(gone);
      pending.clear();
    });
    child.on('message', (msg) => {
      if (msg.type === 'ready') return resolve(msg);
      pending.get(msg.id)?.resolve(msg);
      pending.delete(msg.id);
    });
  });
  const ask = (type) =>
    new Promise((resolve, reject) => {
      if (gone) return reject(gone);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ type, id });
    });
  const info = await ready;
  return { info, reset: () => ask('reset'), stats: async () => (await ask('stats')).stats };
}

// ---------------------------------------------------------------------------------------------
// Running the CLI, measured

const haveGnuTime = (() => {
  try {
    return statSync(GNU_TIME).isFile();
  } catch {
    return false;
  }
})();

/**
 * Runs `node [nodeArgs] bin/momentscan args`, measuring wall time in this process and, when `measure`
 * is set, peak RSS and CPU time: via GNU time (`%M` is the child's max RSS), else by polling
 * /proc/<pid>/status (VmHWM) every 20 ms, which can miss a peak in the last 20 ms and gives no CPU.
 */
function runCli(args, { env, nodeArgs = [], measure = true, timeFile } = {}) {
  const nodeArgv = [...nodeArgs, BIN, ...args];
  const viaTime = measure && haveGnuTime;
  const [cmd, argv] = viaTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.cli = child;
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    let hwmKb = 0;
    const poll =
      measure && !viaTime
        ? setInterval(() => {
            try {
              const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
              if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
            } catch {}
          }, 20)
        : null;
    let wallMs = 0;
    child.once('exit', () => {
      wallMs = performance.now() - t0;
      if (poll) clearInterval(poll);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      live.cli = null;
      const r = { code, signal, wallMs, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), rssMb: null, userS: null, sysS: null };
      if (viaTime) {
        // GNU time may write "Command exited with non-zero status N" first; the numbers are last.
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const [user, sys, maxKb] = last.split(/\s+/).map(Number);
        if ([user, sys, maxKb].every(Number.isFinite)) Object.assign(r, { rssMb: maxKb / 1024, userS: user, sysS: sys });
      } else if (hwmKb > 0) {
        r.rssMb = hwmKb / 1024;
      }
      resolve(r);
    });
  });
}

function expectExit0(r, what) {
  if (r.code !== 0) {
    throw new BenchError(`${what}: exit ${r.signal ?? r.code}${r.stderr ? `\n${r.stderr.trim()}` : ''}`);
  }
  if (r.stderr.trim() !== '') progress(`${what}: stderr: ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
}

// ---------------------------------------------------------------------------------------------
// Checks on the database (read-only) and on what the server answered

function inspectDb(db) {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const one = (sql) => conn.prepare(sql).pluck().get();
    const fetchLog = Object.fromEntries(conn.prepare('SELECT status, count(*) AS n FROM fetch_log GROUP BY status').all().map((r) => [r.status, r.n]));
    return {
      items: one('SELECT count(*) FROM items'),
      itemTopics: one('SELECT count(*) FROM item_topics'),
      topicsMatched: one('SELECT count(DISTINCT topic_id) FROM item_topics'),
      scored: one('SELECT count(*) FROM items WHERE sentiment IS NOT NULL AND sentiment <> 0'),
      fetchLog,
    };
  } finally {
    conn.close();
  }
}

function dbBytes(db) {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(db + suffix).size;
    } catch {}
  }
  return total;
}

function checkCold(o, db, stats, what) {
  const expected = o.feeds * o.items;
  const got = inspectDb(db);
  if (got.items !== expected) {
    throw new BenchError(`${what}: the database holds ${got.items} items, expected ${o.feeds} × ${o.items} = ${expected} (fetch_log: ${JSON.stringify(got.fetchLog)})`);
  }
  if (stats.feeds200 !== o.feeds || stats.requests !== o.feeds) {
    throw new BenchError(`${what}: the server answered ${stats.feeds200} of ${o.feeds} feeds with one 200 (${stats.requests} requests: ${JSON.stringify(stats.byStatus)})`);
  }
  return got;
}

/**
 * The per-host bound, as the server saw it: connections open at once to one host. The fetcher keeps
 * to perHost requests per host and its connection pool allows one spare connection (for a retry
 * racing a slow close), so more than perHost + 1 is a broken bound; perHost + 1 is noted in the report.
 */
function checkPerHost(o, stats, what) {
  if (stats.maxOpenPerHost > o.perHost + 1) {
    const worst = stats.perHost.reduce((a, b) => (b.maxOpen > a.maxOpen ? b : a));
    throw new BenchError(`${what}: ${stats.maxOpenPerHost} connections were open at once to 127.0.0.1:${worst.port}, with fetch.perHost ${o.perHost} (at most ${o.perHost + 1} with the pool's spare)`);
  }
}

function checkWarm(o, db, stats, itemsBefore, what) {
  if (stats.feeds304 !== o.feeds || stats.requests !== o.feeds) {
    throw new BenchError(`${what}: expected one 304 for each of the ${o.feeds} feeds; the server saw ${stats.requests} requests (${JSON.stringify(stats.byStatus)}), ${stats.feeds304} feeds answered 304 once`);
  }
  const got = inspectDb(db);
  if (got.items !== itemsBefore) throw new BenchError(`${what}: items changed from ${itemsBefore} to ${got.items} on a run where nothing changed`);
  if ((got.fetchLog['not-modified'] ?? 0) !== o.feeds) throw new BenchError(`${what}: fetch_log has ${got.fetchLog['not-modified'] ?? 0} not-modified rows, expected ${o.feeds}`);
  return got;
}

/** A fetch right after the warm one, without --force: every feed is not due, so nothing is requested or logged. */
function checkSkip(o, db, stats, before, what) {
  if (stats.requests !== 0 || stats.connections !== 0) {
    throw new BenchError(`${what}: every feed should be skipped as not due (fetch.interval ${FETCH_FIXED.interval}); the server saw ${stats.requests} requests on ${stats.connections} connections (${JSON.stringify(stats.byStatus)})`);
  }
  const got = inspectDb(db);
  if (got.items !== before.items) throw new BenchError(`${what}: items changed from ${before.items} to ${got.items} on a run that fetched nothing`);
  const rows = (log) => Object.values(log).reduce((a, b) => a + b, 0);
  if (rows(got.fetchLog) !== rows(before.fetchLog)) throw new BenchError(`${what}: fetch_log went from ${JSON.stringify(before.fetchLog)} to ${JSON.stringify(got.fetchLog)} on a run that fetched nothing`);
}

// ---------------------------------------------------------------------------------------------
// Statistics and output

function summary(values, target) {
  const xs = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  const round = (v) => (v === null ? null : Math.round(v * 10) / 10);
  const s = { median: round(median), min: round(xs[0]), max: round(xs[xs.length - 1]), runs: values.map(round) };
  if (target !== undefined) Object.assign(s, { target, verdict: median <= target ? 'ok' : 'over' });
  return s;
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (mb) => `${mb.toFixed(0)} MB`;
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtS = (s) => `${s.toFixed(2)} s`;

/** Connections, in all and to one host (against perHost), and the shortest gap between two requests to one host. */
function serverLine(s, meta) {
  const perHost = meta.fetch.perHost;
  const bound = s.maxOpenPerHost <= perHost ? `≤ perHost ${perHost}` : `perHost ${perHost} + the pool's spare`;
  const gap = s.minGapPerHostMs === null ? '' : `; shortest gap between two requests arriving at one host ${s.minGapPerHostMs < 10 ? s.minGapPerHostMs.toFixed(1) : Math.round(s.minGapPerHostMs)} ms (hostDelay ${meta.fetch.hostDelay})`;
  return (
    `${fmtInt(s.connections)} connections opened, at most ${s.maxOpenConnections} open at once in all and ${s.maxOpenPerHost} to one host (${bound}); ` +
    `${s.requestsPerHost.min === s.requestsPerHost.max ? s.requestsPerHost.min : `${s.requestsPerHost.min}–${s.requestsPerHost.max}`} requests per host${gap}`
  );
}

function table(report) {
  const { meta, results: r } = report;
  const lines = [
    `momentscan bench: ${fmtInt(meta.feeds)} feeds × ${meta.items} items = ${fmtInt(meta.totalItems)} items; ${meta.topics} topics (5 keywords each beyond the first ten); ${meta.runs} run${meta.runs === 1 ? '' : 's'}; gzip ${meta.gzip ? 'on' : 'off'}`,
    `fetch: concurrency ${meta.fetch.concurrency}, perHost ${meta.fetch.perHost}, hostDelay ${meta.fetch.hostDelay}, interval ${meta.fetch.interval}, retries ${meta.fetch.retries}, timeout ${meta.fetch.timeout}; ` +
      `${meta.hosts} host${meta.hosts === 1 ? '' : 's'} (127.0.0.1 ports), ${meta.feedsPerHost.min === meta.feedsPerHost.max ? meta.feedsPerHost.min : `${meta.feedsPerHost.min}–${meta.feedsPerHost.max}`} feeds each`,
    `${meta.node} on ${meta.platform}, ${meta.cpus} × ${meta.cpuModel}, ${fmtInt(meta.memoryMb)} MB RAM`,
    `feeds: ${(meta.servedRawBytes / 1e6).toFixed(1)} MB of XML${meta.gzip ? `, ${(meta.servedGzipBytes / 1e6).toFixed(1)} MB gzipped` : ''}, served from 127.0.0.1 by a separate process that shares this machine's ${meta.cpus} cores`,
    `peak RSS and CPU: ${meta.rssMethod}`,
    '',
  ];
  const rows = [['', 'median', 'min', 'max', 'target', '']];
  const add = (label, s, fmt, target) => {
    if (!s) return;
    const goal = target === undefined ? '' : fmt === fmtMb ? `≤ ${target} MB` : `≤ ${target >= 1000 ? `${target / 1000} s` : `${target} ms`}`;
    rows.push([label, fmt(s.median), fmt(s.min), fmt(s.max), goal, s.verdict ?? '']);
  };
  add('cold fetch', r.cold.wallMs, fmtMs, TARGETS.cold);
  add('  items/s', r.cold.itemsPerSec, fmtInt);
  add('  items/s per core (CPU s)', r.cold.itemsPerCpuSec, fmtInt);
  add('  CPU user', r.cold.userS, fmtS);
  add('  CPU sys', r.cold.sysS, fmtS);
  add('  peak RSS', r.cold.rssMb, fmtMb, TARGETS.coldRssMb);
  add('warm fetch --force (304)', r.warm.wallMs, fmtMs, TARGETS.warm);
  add('  CPU user', r.warm.userS, fmtS);
  add('  CPU sys', r.warm.sysS, fmtS);
  add('  peak RSS', r.warm.rssMb, fmtMb);
  add('skip run (none due)', r.skip.wallMs, fmtMs, TARGETS.skip);
  add('  peak RSS', r.skip.rssMb, fmtMb);
  add('moments --json', r.moments.wallMs, fmtMs);
  add('  peak RSS', r.moments.rssMb, fmtMb);
  add('items --all as a table', r.itemsTable.wallMs, fmtMs);
  add('  peak RSS', r.itemsTable.rssMb, fmtMb);
  add(`--help (${HELP_RUNS} runs)`, r.help.wallMs, fmtMs, TARGETS.help);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) lines.push(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  const d = report.details;
  lines.push(
    '',
    `cold: ${fmtInt(d.database.items)} items, ${fmtInt(d.database.itemTopics)} topic matches over ${d.database.topicsMatched}/${TOPICS.length} topics, ${fmtInt(d.database.scored)} items with a non-zero sentiment; database ${(d.database.bytes / 1e6).toFixed(0)} MB`,
    `server during a cold run: ${serverLine(d.coldServer, meta)}, ${(d.coldServer.bytesOut / 1e6).toFixed(1)} MB sent, ${fmtInt(d.coldServer.gzipResponses)} gzip responses`,
    `server during a warm run: ${serverLine(d.warmServer, meta)}, ${JSON.stringify(d.warmServer.byStatus)}`,
    `server during a skip run: ${fmtInt(d.skipServer.requests)} requests, ${fmtInt(d.skipServer.connections)} connections`,
    `moments found at ${CLOCK_ISO}: ${d.moments.length === 0 ? 'none' : d.moments.map((m) => `${m.topic} ${m.kind} (${m.score})`).join(', ')}`,
  );
  lines.push('', ...(report.sentiment ? formatSentiment(report.sentiment) : ['sentiment: not measured (no ../shared/data/sentiment-dev next to the repository)']));
  for (const [kind, p] of Object.entries(report.profile ?? {})) {
    lines.push('', `── ${kind} fetch under --cpu-prof (${fmtMs(p.wallMs)} wall) ──`, ...formatProfile(p));
    if (p.workers) lines.push('', ...formatProfile(p.workers, `on ${p.workers.threads} parse worker thread${p.workers.threads === 1 ? '' : 's'} together`));
    if (p.replay) lines.push('', ...formatProfile(p.replay, "on the story replay's worker thread"));
    if (p.file) lines.push(`(${p.file})`);
  }
  if (meta.kept) lines.push('', `kept: ${meta.kept}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Profiling (--profile)

async function profileFetches(o, run, server, config, tmp) {
  const db = path.join(tmp, 'profile.db');
  const out = {};
  for (const kind of ['cold', 'warm']) {
    progress(`profiling a ${kind} fetch (node --cpu-prof)`);
    const dir = path.join(tmp, `prof-${kind}`);
    await server.reset();
    const args = ['fetch', '--config', config, '--db', db, '--quiet', ...(kind === 'warm' ? ['--force'] : [])];
    const r = await run(args, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    expectExit0(r, `profiled ${kind} fetch`);
    const stats = await server.stats();
    if (kind === 'cold') checkCold(o, db, stats, 'profiled cold fetch');
    else checkWarm(o, db, stats, o.feeds * o.items, 'profiled warm fetch');
    checkPerHost(o, stats, `profiled ${kind} fetch`);
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread, the others parse workers
    // and, on a big replay, the story replay's worker (told by its code: ingest/story-worker.js)
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    const thread = (f) => Number(f.split('.').at(-3));
    const file = files.find((f) => thread(f) === 0);
    if (!file) throw new BenchError(`no .cpuprofile of the main thread in ${dir}`);
    const full = path.join(dir, file);
    const others = files.filter((f) => thread(f) !== 0).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    const isReplay = (p) => p.nodes.some((n) => n.callFrame.url.endsWith('/ingest/story-worker.js'));
    const workers = others.filter((p) => !isReplay(p));
    const replay = others.filter(isReplay);
    out[kind] = {
      file: o.keep ? full : null,
      wallMs: Math.round(r.wallMs),
      ...summarizeProfile(JSON.parse(readFileSync(full, 'utf8')), ROOT, kind === 'cold' ? 15 : 10),
      workers: workers.length > 0 ? summarizeProfile(workers, ROOT, kind === 'cold' ? 15 : 10) : null,
      replay: replay.length > 0 ? summarizeProfile(replay, ROOT, kind === 'cold' ? 15 : 10) : null,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  // --db postgres: fetch workers on PostgreSQL against SQLite (workers.mjs)
  const db = process.argv.findIndex((a) => a === '--db' || a.startsWith('--db='));
  if (db >= 0) {
    const value = process.argv[db].includes('=') ? process.argv[db].split('=')[1] : process.argv[db + 1];
    if (value !== 'postgres') throw new UsageError(`--db takes postgres (workers on PostgreSQL against SQLite), not "${value}"`);
    await (await import('./workers.mjs')).main(process.argv.slice(2));
    return;
  }
  const o = parseOptions(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new BenchError('dist/ is missing: run npm run build first (npm run bench does)');

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'momentscan-bench-'));
  Object.assign(live, { tmp, keep: o.keep });
  // A scrubbed environment, as the end-to-end tests use: no user config, no proxy, no colour.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmp,
    XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
    XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
    NO_COLOR: '1',
    TZ: 'UTC',
    NO_PROXY: '127.0.0.1,localhost',
    // the feeds are dated before CLOCK: every command's clock starts there (commands/context.ts), so what a
    // fetch stores (which items a story's window reaches, when feeds are due) is the same on any day
    MOMENTSCAN_NOW: CLOCK_ISO,
  };
  const timeFile = path.join(tmp, 'time.txt');
  const run = (args, extra = {}) => runCli(args, { env, timeFile, ...extra });

  progress(`generating ${o.feeds} feeds × ${o.items} items and starting the feed server on ${o.hosts} port${o.hosts === 1 ? '' : 's'} (gzip ${o.gzip ? 'on' : 'off'})`);
  const server = await startServer(o);
  const bases = server.info.ports.map((port) => `http://127.0.0.1:${port}`);
  const config = path.join(tmp, 'bench.yaml');
  const fetchSettings = { concurrency: o.concurrency, perHost: o.perHost, hostDelay: `${o.hostDelayMs}ms`, ...FETCH_FIXED };
  writeFileSync(config, configYaml(bases, o.feeds, fetchSettings, o.topics - TOPICS.length));
  const ports = server.info.ports;
  progress(
    `serving ${(server.info.rawBytes / 1e6).toFixed(1)} MB from 127.0.0.1:${ports.length === 1 ? ports[0] : `{${ports[0]}, …, ${ports[ports.length - 1]}}`} ` +
      `(${o.hosts} host${o.hosts === 1 ? '' : 's'}, ~${Math.ceil(o.feeds / o.hosts)} feeds each; generated in ${(server.info.generateMs / 1000).toFixed(1)} s)`,
  );

  const cold = [];
  const warm = [];
  const skip = [];
  const moments = [];
  const itemsTable = [];
  const details = {};
  for (let i = 1; i <= o.runs; i++) {
    const db = path.join(tmp, `run-${i}.db`);
    const fetchArgs = ['fetch', '--config', config, '--db', db, '--quiet'];

    await server.reset();
    const c = await run(fetchArgs);
    expectExit0(c, `cold fetch ${i}`);
    const coldServer = await server.stats();
    const database = checkCold(o, db, coldServer, `cold fetch ${i}`);
    checkPerHost(o, coldServer, `cold fetch ${i}`);
    cold.push(c);
    progress(`run ${i}/${o.runs}: cold fetch ${fmtMs(c.wallMs)}${c.rssMb ? `, ${fmtMb(c.rssMb)} peak RSS` : ''}`);

    const m = await run(['moments', '--config', config, '--db', db, '--json', '--as-of', CLOCK_ISO]);
    expectExit0(m, `moments ${i}`);
    let found;
    try {
      found = JSON.parse(m.stdout);
    } catch {
      throw new BenchError(`moments ${i}: stdout is not JSON: ${m.stdout.slice(0, 200)}`);
    }
    moments.push(m);
    progress(`run ${i}/${o.runs}: moments ${fmtMs(m.wallMs)} (${found.length} found)`);

    // Every item as a table (one line per row, drawn in linear time; the note on stderr suggests a machine format).
    const t = await run(['items', '--config', config, '--db', db, '--all', '--since', '3650d', '--as-of', CLOCK_ISO, '--format', 'table', '--quiet']);
    expectExit0(t, `items table ${i}`);
    const tableRows = t.stdout.split('\n').length - 5;
    if (tableRows !== o.feeds * o.items) throw new BenchError(`items table ${i}: ${tableRows} rows, expected ${o.feeds * o.items}`);
    itemsTable.push(t);
    progress(`run ${i}/${o.runs}: items --all as a table ${fmtMs(t.wallMs)} (${fmtInt(tableRows)} rows)`);

    // --force: every feed was fetched moments ago, so without it every one would be skipped as not due.
    await server.reset();
    const w = await run([...fetchArgs, '--force']);
    expectExit0(w, `warm fetch ${i}`);
    const warmServer = await server.stats();
    const afterWarm = checkWarm(o, db, warmServer, database.items, `warm fetch ${i}`);
    checkPerHost(o, warmServer, `warm fetch ${i}`);
    warm.push(w);
    progress(`run ${i}/${o.runs}: warm fetch --force ${fmtMs(w.wallMs)}`);

    // The same fetch without --force right after: nothing is due, nothing may be requested.
    await server.reset();
    const k = await run(fetchArgs);
    expectExit0(k, `skip run ${i}`);
    const skipServer = await server.stats();
    checkSkip(o, db, skipServer, afterWarm, `skip run ${i}`);
    skip.push(k);
    progress(`run ${i}/${o.runs}: skip run ${fmtMs(k.wallMs)}`);

    if (i === 1) {
      Object.assign(details, {
        database: { ...database, bytes: dbBytes(db) },
        coldServer,
        warmServer,
        skipServer,
        moments: found.map((x) => ({ topic: x.topic, kind: x.kind, direction: x.direction, score: x.score })),
      });
    }
    if (!o.keep) for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  }

  // Start-up: one unmeasured run to warm the file cache, then HELP_RUNS measured ones.
  progress(`--help × ${HELP_RUNS}`);
  const help = [];
  for (let i = 0; i <= HELP_RUNS; i++) {
    const h = await run(['--help'], { measure: false });
    expectExit0(h, '--help');
    if (i > 0) help.push(h);
  }

  // The whole `momentscan sentiment` process on the dev-set tweets (skipped when ../shared/data is not there).
  progress('sentiment on the dev-set tweets');
  const sentiment = benchSentiment({ runs: o.runs, tmp, env, progress });

  // Optional: one more cold fetch, then a warm one on its database, under the V8 profiler.
  const profile = o.profile ? await profileFetches(o, run, server, config, tmp) : null;

  const totalItems = o.feeds * o.items;
  const report = {
    meta: {
      feeds: o.feeds,
      items: o.items,
      totalItems,
      runs: o.runs,
      gzip: o.gzip,
      concurrency: o.concurrency,
      topics: o.topics,
      hosts: o.hosts,
      feedsPerHost: { min: Math.floor(o.feeds / o.hosts), max: Math.ceil(o.feeds / o.hosts) },
      fetch: { ...fetchSettings, hostDelayMs: o.hostDelayMs },
      asOf: CLOCK_ISO,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.availableParallelism?.() ?? os.cpus().length,
      cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      servedRawBytes: server.info.rawBytes,
      servedGzipBytes: server.info.gzBytes,
      server: 'separate process on the same machine (shares its cores)',
      rssMethod: haveGnuTime ? `GNU time (${GNU_TIME} -f %M, user and sys CPU)` : 'polling /proc/<pid>/status VmHWM every 20 ms (no CPU time)',
      kept: o.keep ? tmp : null,
    },
    targets: TARGETS,
    results: {
      cold: {
        wallMs: summary(cold.map((r) => r.wallMs), TARGETS.cold),
        itemsPerSec: summary(cold.map((r) => totalItems / (r.wallMs / 1000))),
        // items per second of CPU (user + sys, all threads): what one core ingests
        itemsPerCpuSec: summary(cold.map((r) => (r.userS === null || r.userS === undefined ? null : totalItems / (r.userS + r.sysS)))),
        userS: summary(cold.map((r) => r.userS)),
        sysS: summary(cold.map((r) => r.sysS)),
        rssMb: summary(cold.map((r) => r.rssMb), TARGETS.coldRssMb),
      },
      warm: {
        wallMs: summary(warm.map((r) => r.wallMs), TARGETS.warm),
        userS: summary(warm.map((r) => r.userS)),
        sysS: summary(warm.map((r) => r.sysS)),
        rssMb: summary(warm.map((r) => r.rssMb)),
      },
      skip: {
        wallMs: summary(skip.map((r) => r.wallMs), TARGETS.skip),
        userS: summary(skip.map((r) => r.userS)),
        sysS: summary(skip.map((r) => r.sysS)),
        rssMb: summary(skip.map((r) => r.rssMb)),
      },
      moments: { wallMs: summary(moments.map((r) => r.wallMs)), rssMb: summary(moments.map((r) => r.rssMb)) },
      itemsTable: { wallMs: summary(itemsTable.map((r) => r.wallMs)), rssMb: summary(itemsTable.map((r) => r.rssMb)) },
      help: { wallMs: summary(help.map((r) => r.wallMs), TARGETS.help) },
    },
    sentiment,
    details,
    profile,
  };
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : table(report));
}

main().then(
  () => cleanup(),
  (err) => {
    process.stderr.write(`bench: error: ${err instanceof BenchError ? err.message : (err?.stack ?? err)}\n`);
    if (err instanceof UsageError) process.stderr.write('(run node test/bench/run.mjs --help for usage)\n');
    if (live.keep && live.tmp) process.stderr.write(`bench: kept ${live.tmp}\n`);
    cleanup();
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
