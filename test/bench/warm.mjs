#!/usr/bin/env node
// The warm fetch alone, this build against another, interleaved: every feed answers 304 Not Modified.
//
//   node test/bench/warm.mjs [--feeds 2000] [--items 50] [--runs 5] [--against DIR] [--cold]
//
// --cold: the cold fetch instead (each run into a new database), with peak RSS.
//
// Starts the bench's feed server (server.mjs), fetches every feed once with this build into a database
// (the cold run, not measured), then for each run copies that database and times `fetch --force` on the
// copy with this build and, when --against names another built checkout, with that one right after
// (interleaved, so the machine's load hits both alike). Reports medians of wall time and CPU time
// (user + sys, GNU time), and their ratio. Every run must exit 0.
import { fork, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLOCK_ISO, configYaml } from './feeds.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const { values } = parseArgs({
  options: { feeds: { type: 'string', default: '2000' }, items: { type: 'string', default: '50' }, runs: { type: 'string', default: '5' }, against: { type: 'string' }, cold: { type: 'boolean', default: false } },
});
const builds = [ROOT, ...(values.against ? [path.resolve(values.against)] : [])];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'momentscan-warm-'));
const server = fork(path.join(HERE, 'server.mjs'), ['--feeds', values.feeds, '--items', values.items, '--hosts', '1', '--gzip'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const stop = () => {
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});
try {
  const { ports } = await new Promise((resolve, reject) => {
    server.on('message', (m) => m.type === 'ready' && resolve(m));
    server.once('exit', () => reject(new Error('the feed server exited')));
  });
  const config = path.join(tmp, 'bench.yaml');
  const fetch = { concurrency: 16, perHost: 16, hostDelay: '0ms', interval: '15m', retries: 2, timeout: '30s' };
  writeFileSync(config, configYaml([`http://127.0.0.1:${ports[0]}`], Number(values.feeds), fetch));
  // the fetch's clock starts at the feeds' fixed now, as in run.mjs (a build from before $MOMENTSCAN_NOW uses the real one)
  const env = { ...process.env, MOMENTSCAN_CACHE_DIR: path.join(tmp, 'cache'), NO_COLOR: '1', MOMENTSCAN_NOW: CLOCK_ISO };
  const cli = (root, db, extra = []) => {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, path.join(root, 'bin/momentscan'), 'fetch', '--config', config, '--db', db, '--quiet', ...extra], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${root}: fetch exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
    const [wall, user, sys, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    return { wall, cpu: user + sys, rss: kb / 1024 };
  };
  const base = path.join(tmp, 'cold.db');
  const cold = values.cold;
  if (!cold) {
    process.stderr.write(`warm: a cold fetch of ${values.feeds} × ${values.items} first (not measured)\n`);
    cli(ROOT, base);
  }
  const got = builds.map(() => ({ wall: [], cpu: [], rss: [] }));
  for (let run = 0; run < Number(values.runs); run++) {
    builds.forEach((root, b) => {
      const db = path.join(tmp, 'warm.db');
      if (!cold) copyFileSync(base, db);
      const t = cli(root, db, cold ? [] : ['--force']);
      got[b].wall.push(t.wall);
      got[b].cpu.push(t.cpu);
      got[b].rss.push(t.rss);
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    });
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  builds.forEach((root, b) => {
    const what = cold ? 'cold fetch' : 'warm fetch --force';
    process.stdout.write(
      `${root}: ${what}, median of ${values.runs}: ${median(got[b].wall).toFixed(2)} s wall, ${median(got[b].cpu).toFixed(2)} s CPU, ${median(got[b].rss).toFixed(0)} MB peak RSS (wall runs: ${got[b].wall.map((x) => x.toFixed(2)).join(', ')}; CPU runs: ${got[b].cpu.map((x) => x.toFixed(2)).join(', ')})\n`,
    );
  });
  if (builds.length === 2) {
    process.stdout.write(`ratio this/against: wall ${(median(got[0].wall) / median(got[1].wall)).toFixed(2)}, CPU ${(median(got[0].cpu) / median(got[1].cpu)).toFixed(2)}, peak RSS ${(median(got[0].rss) / median(got[1].rss)).toFixed(2)}\n`);
  }
} finally {
  stop();
}
