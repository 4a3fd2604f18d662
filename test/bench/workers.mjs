// `npm run bench -- --db postgres`: fetch workers sharing one PostgreSQL database, against one fetch into
// SQLite, on the benchmark's synthetic feeds (server.mjs, feeds.mjs) in the same run:
//
//   node test/bench/run.mjs --db postgres [--feeds 1000] [--items 20] [--hosts 10] [--per-host 2]
//                                         [--concurrency 8] [--workers 1,2,4] [--json]
//
// For SQLite: one `fetch` into a new file. For PostgreSQL, for each worker count: a new database, that many
// `fetch --worker` processes started at once. Reported: wall time until the last one ends, items stored
// per second, each host's most requests in flight at once (the server counts them; never above
// --per-host, whatever the number of workers), how the feeds were shared between workers, and each worker's
// peak RSS (GNU time). A real server is started for the run (test/helpers/pg-cluster.mjs) and removed after.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { configYaml } from './feeds.mjs';
import { startCluster } from '../helpers/pg-cluster.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, '../../bin/momentscan');
const GNU_TIME = '/usr/bin/time';

export async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      feeds: { type: 'string', default: '1000' },
      items: { type: 'string', default: '20' },
      hosts: { type: 'string', default: '10' },
      'per-host': { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '8' },
      workers: { type: 'string', default: '1,2,4' },
      json: { type: 'boolean', default: false },
    },
  });
  const o = {
    feeds: Number(values.feeds),
    items: Number(values.items),
    hosts: Number(values.hosts),
    perHost: Number(values['per-host']),
    concurrency: Number(values.concurrency),
    workers: values.workers.split(',').map(Number),
  };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'momentscan-bench-workers-'));
  const progress = (m) => process.stderr.write(`bench: ${m}\n`);
  const server = await feedServer(o);
  let cluster;
  try {
    const config = path.join(tmp, 'bench.yaml');
    const bases = server.info.ports.map((p) => `http://127.0.0.1:${p}`);
    writeFileSync(config, configYaml(bases, o.feeds, { concurrency: o.concurrency, perHost: o.perHost, hostDelay: '0ms', interval: '15m', retries: 2, timeout: '30s' }));
    progress('starting PostgreSQL');
    cluster = await startCluster();
    const rows = [];
    // SQLite: one process
    await server.reset();
    const file = path.join(tmp, 'sqlite.db');
    const one = await measure(['fetch', '--quiet', '--config', config, '--db', file], tmp);
    const sqliteItems = new Database(file, { readonly: true }).prepare('SELECT count(*) FROM items').pluck().get();
    rows.push(row('SQLite', 1, one.wall, sqliteItems, await server.stats(), [one], o));
    progress(`SQLite, 1 process: ${one.wall.toFixed(1)} s`);
    for (const n of o.workers) {
      await server.reset();
      const name = `bench_${n}`;
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = cluster.url.replace(/\/postgres$/, `/${name}`);
      // the schema first, so that the workers start on equal terms
      await measure(['topics', '--config', config, '--db', url], tmp);
      const t0 = performance.now();
      const runs = await Promise.all(Array.from({ length: n }, () => measure(['fetch', '--worker', '--config', config, '--db', url], tmp)));
      const wall = (performance.now() - t0) / 1000;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const items = Number((await c.query('SELECT count(*) AS n FROM items')).rows[0].n);
      await c.end();
      rows.push(row('PostgreSQL', n, wall, items, await server.stats(), runs, o));
      progress(`PostgreSQL, ${n} worker(s): ${wall.toFixed(1)} s`);
    }
    process.stdout.write(values.json ? `${JSON.stringify({ options: o, rows }, null, 2)}\n` : table(rows, o));
  } finally {
    cluster?.destroy();
    server.child.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function row(store, workers, wall, items, stats, runs, o) {
  const hosts = stats.perHost ?? [];
  const requests = hosts.map((h) => h.requests);
  return {
    store,
    workers,
    wallS: Math.round(wall * 10) / 10,
    items,
    itemsPerS: Math.round(items / wall),
    expectedItems: o.feeds * o.items,
    // the server answers at once, so requests in flight per host are not seen here (the tests count them:
    // test/fetch/workers.test.ts); what it sees is how evenly the hosts were asked and the connections
    // each kept open (a pool per process: up to the per-host limit × processes)
    hostRequestsMin: requests.length ? Math.min(...requests) : null,
    hostRequestsMax: requests.length ? Math.max(...requests) : null,
    hostConnectionsMax: hosts.length ? Math.max(...hosts.map((h) => h.maxOpen)) : null,
    perHostLimit: o.perHost,
    feedsPerWorker: runs.map((r) => r.feeds),
    peakRssMb: runs.map((r) => r.rssMb),
  };
}

function table(rows, o) {
  const lines = [`${o.feeds} feeds × ${o.items} items on ${o.hosts} hosts (per-host limit ${o.perHost}, concurrency ${o.concurrency} per process)`, ''];
  lines.push('store       workers  wall s   items  items/s  requests/host  conns/host  feeds per worker     peak RSS MB per worker');
  for (const r of rows) {
    lines.push(
      `${r.store.padEnd(11)} ${String(r.workers).padStart(7)} ${String(r.wallS).padStart(7)} ${String(r.items).padStart(7)} ${String(r.itemsPerS).padStart(8)}  ${`${r.hostRequestsMin}-${r.hostRequestsMax}`.padStart(13)} ${String(r.hostConnectionsMax).padStart(11)}  ${r.feedsPerWorker.join(',').padEnd(20)} ${r.peakRssMb.join(',')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the CLI under GNU time (peak RSS); resolves with wall time, RSS and the feeds it fetched. */
function measure(args, cwd) {
  const timeFile = path.join(cwd, `time-${Math.random().toString(36).slice(2)}`);
  const haveTime = (() => {
    try {
      return statSync(GNU_TIME).isFile();
    } catch {
      return false;
    }
  })();
  const cmd = haveTime ? GNU_TIME : process.execPath;
  const argv = haveTime ? ['-f', '%M', '-o', timeFile, process.execPath, BIN, ...args] : [BIN, ...args];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', async (code) => {
      if (code !== 0) return reject(new Error(`momentscan ${args[0]} failed (${code}): ${stderr.trim().slice(0, 500)}`));
      let rssMb = null;
      if (haveTime) {
        const { readFileSync } = await import('node:fs');
        rssMb = Math.round(Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024);
      }
      const m = /fetch: (\d+) feeds?, (\d+) ok/.exec(stderr);
      resolve({ wall: (performance.now() - t0) / 1000, rssMb, feeds: m ? Number(m[2]) : null });
    });
  });
}

async function feedServer(o) {
  const child = fork(path.join(HERE, 'server.mjs'), ['--feeds', String(o.feeds), '--items', String(o.items), '--hosts', String(o.hosts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let next = 0;
  const info = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the feed server exited (${code})`)));
    child.on('message', (msg) => {
      if (msg.type === 'ready') return resolve(msg);
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    });
  });
  const ask = (type) => new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve);
    child.send({ type, id });
  });
  return { child, info, reset: () => ask('reset'), stats: async () => (await ask('stats')).stats };
}
