#!/usr/bin/env node
// A big ingest from local files: generates FILES feed files of ITEMS items each (the benchmark's
// news-search items, 14 days of them) in a temp folder, fetches them all once into a fresh database with
// the built CLI under GNU time, and reports wall time, CPU, peak RSS and the items stored. Run it at a
// few sizes to see whether peak memory follows the total (issue 15 asks that it does not).
//
//   node test/bench/local.mjs [--files 60] [--items 5000] [--keep] [--dir DIR]
//
// Nothing is committed: the files are made from the seeded generator each run (about 1 KB an item), or
// once into --dir and read from there by later runs (3,000,000 items take ~10 minutes to write).
// Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { configYaml, feedPath, renderFeed } from './feeds.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE = `usage: node test/bench/local.mjs [--files N] [--items N] [--keep] [--dir DIR]

  --files <n>  feed files to generate and fetch from file:// (default 60)
  --items <n>  items in each file, about 1 KB each, over the 14 days before 2026-11-20 (default 5000)
  --keep       keep the temp folder (feed files, config, database) and print its path
  --dir <path> write the feed files there once (kept) and reuse them in later runs with the same --items
               and no more --files (any build); the config and database still go in a temp folder
  -h, --help   this help
`;
let values;
try {
  ({ values } = parseArgs({ options: { files: { type: 'string', default: '60' }, items: { type: 'string', default: '5000' }, keep: { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (err) {
  process.stderr.write(`local: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const files = Number(values.files);
const items = Number(values.items);
if (!(files >= 1 && items >= 1)) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const tmp = mkdtempSync(path.join(tmpdir(), 'momentscan-local-'));
try {
  const t0 = performance.now();
  // the feed files: in the temp folder, or in --dir (made once for this --items and at least --files: a stamp
  // says so; file i is the same whatever --files is, so 25 files are the first 25 of 300)
  const home = values.dir ? path.resolve(values.dir, `items-${items}`) : tmp;
  const stamp = path.join(home, 'complete.json');
  let bytes = 0;
  const reused = values.dir && existsSync(stamp) && JSON.parse(readFileSync(stamp, 'utf8')).files >= files;
  if (reused) bytes = JSON.parse(readFileSync(stamp, 'utf8')).largest;
  else {
    mkdirSync(path.join(home, 'feeds'), { recursive: true });
    for (let i = 0; i < files; i++) {
      const xml = renderFeed(i, items);
      bytes = Math.max(bytes, Buffer.byteLength(xml));
      writeFileSync(path.join(home, feedPath(i)), xml);
    }
    if (values.dir) writeFileSync(stamp, JSON.stringify({ files, items, largest: bytes }));
  }
  const maxBytes = `${Math.ceil(bytes / 2 ** 20) + 1}MB`;
  const cfg = path.join(tmp, 'local.yaml');
  writeFileSync(cfg, configYaml([pathToFileURL(home).href], files, { concurrency: 8, perHost: 8, hostDelay: '0ms', interval: '15m', retries: 0, timeout: '60s', maxBytes }));
  process.stderr.write(`local: ${files} files × ${items} items (largest ${maxBytes}) ${reused ? `reused from ${home}` : 'written'} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const db = path.join(tmp, 'local.db');
  const timeFile = path.join(tmp, 'time.txt');
  const gnu = existsSync('/usr/bin/time');
  const cmd = [process.execPath, path.join(ROOT, 'bin', 'momentscan'), 'fetch', '--config', cfg, '--db', db, '--quiet'];
  const t1 = performance.now();
  const r = gnu ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, ...cmd], { stdio: 'inherit' }) : spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit' });
  const wall = (performance.now() - t1) / 1000;
  if (r.status !== 0) throw new Error(`fetch exited ${r.status}`);
  const read = new Database(db, { readonly: true });
  const stored = read.prepare('SELECT count(*) FROM items').pluck().get();
  const stories = read.prepare('SELECT count(*) FROM stories').pluck().get();
  read.close();
  const [user, sys, kb] = gnu ? readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  process.stdout.write(
    `local ingest: ${files} files × ${items} items: ${stored.toLocaleString('en-US')} stored (${stories.toLocaleString('en-US')} stories) in ${wall.toFixed(1)} s ` +
      `(${Math.round(stored / wall).toLocaleString('en-US')} items/s; CPU ${user} s user + ${sys} s sys, ${Math.round(stored / (user + sys)).toLocaleString('en-US')} items per CPU-second); ` +
      `peak RSS ${Math.round(kb / 1024)} MB\n`,
  );
} finally {
  if (values.keep) process.stderr.write(`kept ${tmp}\n`);
  else rmSync(tmp, { recursive: true, force: true });
}
