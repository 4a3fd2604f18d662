import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// An analyst with read access to the cron user's database: the file 0444 in a folder 0555, read by a user
// who cannot write either. As root (CI, containers) permissions do not bind root, so the reader is the
// `nobody` user (setpriv); as anyone else, the user running the tests is the reader. Either way, the test
// first shows that this reader cannot write (fetch fails), so the read commands' success means something.

const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const AS_OF = '2026-11-20T12:00:00Z';
const READS: string[][] = [
  ['items', '--as-of', AS_OF, '--since', '30d', '--json'],
  ['items', '--as-of', AS_OF, '--since', '30d', '--search', 'robots', '--json'],
  ['timeline', 'Acme Robotics', '--as-of', AS_OF, '--json'],
  ['feeds', 'list', '--json'],
  ['feeds', 'export'],
  ['moments', '--as-of', AS_OF, '--json'],
  ['topics', '--json'],
  ['status', '--json', '--no-smtp-check'],
];
// listings that are empty in the sample (read all the same: they failed with "cannot open the database for writing")
const EMPTY_READS: string[][] = [
  ['events', 'list', '--json'],
  ['silence', 'list', '--json'],
  ['notify', 'list', '--json'],
];

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Runs the CLI as the reader: `nobody` when the tests run as root, else this user. */
function runAsReader(args: string[], home: string): CliResult {
  if (!isRoot) return runCli(args, { home });
  const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), NO_COLOR: '1', LANG: 'C.UTF-8' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw new Error(`cannot run the CLI as nobody with setpriv (${r.error.message}): this test needs a user that cannot write the database`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
let locked: string[] = [];
afterEach(() => {
  // give the folders back their write bit, so that they can be removed
  for (const dir of locked) chmodSync(dir, 0o755);
  locked = [];
});

/** A folder the reader can enter, holding the sample database as the owner left it (fetched, searched, moments recorded). */
function ownersDatabase(): { dir: string; db: string; home: string; owner: Map<string, CliResult> } {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const home = tempDir();
  chmodSync(home, 0o755);
  const db = path.join(dir, 'm.db');
  const fetched = runCli(['fetch', '--config', CONFIG, '--db', db, '--quiet'], { home });
  expect(fetched.status, fetched.stderr).toBe(0);
  // momentscan made it the owner's alone (0600): the owner shares it, as README says
  chmodSync(db, 0o644);
  const owner = new Map<string, CliResult>();
  for (const args of READS) owner.set(args.join(' '), runCli([...args, '--config', CONFIG, '--db', db], { home }));
  return { dir, db, home, owner };
}

function lock(dir: string, db: string): void {
  chmodSync(db, 0o444);
  chmodSync(dir, 0o555);
  locked.push(dir);
}

describe('read-only commands on a database this user may only read', () => {
  it('items, timeline, feeds list, feeds export, moments, topics, status and the event, silence and notify lists print what the owner sees, and write nothing', () => {
    const { dir, db, home, owner } = ownersDatabase();
    const digestArgs = ['digest', '--as-of', AS_OF, '--since', '7d', '--config', CONFIG, '--db', db];
    const ownersDigest = runCli(digestArgs, { home });
    expect(ownersDigest.status, ownersDigest.stderr).toBe(0);
    lock(dir, db);
    const before = sha(db);
    const files = readdirSync(dir);

    // the reader really cannot write: fetch is refused
    const fetch = runAsReader(['fetch', '--config', CONFIG, '--db', db, '--quiet'], home);
    expect(fetch.status).toBe(1);
    expect(fetch.stderr).toMatch(/cannot open the database for writing/);

    for (const args of READS) {
      const r = runAsReader([...args, '--config', CONFIG, '--db', db], home);
      const key = args.join(' ');
      expect(r.status, `${key}: ${r.stderr}`).toBe(0);
      // (OPML says when it was made)
      const same = (text: string) => text.replace(/<dateCreated>[^<]*</, '<dateCreated><');
      expect(same(r.stdout), key).toBe(same(owner.get(key)!.stdout));
      expect(r.stdout.length, key).toBeGreaterThan(10);
    }
    for (const args of EMPTY_READS) {
      const r = runAsReader([...args, '--config', CONFIG, '--db', db], home);
      expect([r.status, r.stdout, r.stderr], args.join(' ')).toEqual([0, '[]\n', '']);
    }
    const moments = runAsReader(['moments', '--as-of', AS_OF, '--config', CONFIG, '--db', db], home);
    expect(moments.stderr).toMatch(/read-only for this user: moments are reported, not recorded/);
    // the digest is printed as the owner sees it, and not recorded (said in one line)
    const digest = runAsReader(digestArgs, home);
    expect(digest.status, digest.stderr).toBe(0);
    // (but for the minute it was made in: the two runs may fall in two minutes on a busy machine)
    const made = (text: string) => text.replace(/Made by momentscan at \d{4}-\d\d-\d\d \d\d:\d\d UTC/, 'Made by momentscan at (time) UTC');
    expect(made(digest.stdout)).toBe(made(ownersDigest.stdout));
    expect(digest.stdout).toContain('Acme Robotics');
    expect(digest.stderr).toBe('digest: the database is read-only for this user: the digest is printed, not recorded (--since last will not start after it)\n');
    expect(sha(db)).toBe(before);
    expect(readdirSync(dir)).toEqual(files); // no -wal or -shm left behind, none could be made
  });

  it('sees what a writer has committed to its write-ahead log and not yet copied into the file', () => {
    const { dir, db, home } = ownersDatabase();
    // the owner's connection, open in WAL mode (as a running fetch's is), with a change only in the log
    const writer = new Database(db);
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      writer.prepare("UPDATE feeds SET title = 'Retitled while the reader looks' WHERE url LIKE '%acme-news%'").run();
      expect(existsSync(`${db}-wal`)).toBe(true);
      lock(dir, db);
      const r = runAsReader(['feeds', 'list', '--json', '--config', CONFIG, '--db', db], home);
      expect(r.status, r.stderr).toBe(0);
      const rows = JSON.parse(r.stdout) as { url: string; title: string }[];
      expect(rows.find((f) => f.url.includes('acme-news'))!.title).toBe('Retitled while the reader looks');
    } finally {
      writer.close();
    }
  });

  it('says what to do when a killed writer left changes in its log and no -shm, rather than reading half of them', () => {
    const { db, home } = ownersDatabase();
    const copy = path.join(tempDir(), 'm.db');
    // a write-ahead log with changes in it and no -shm beside it: copy the files of a database being written
    const writer = new Database(db);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("UPDATE feeds SET title = 'Only in the log'").run();
    copyFileSync(db, copy);
    copyFileSync(`${db}-wal`, `${copy}-wal`);
    writer.close();
    const copyDir = path.dirname(copy);
    chmodSync(copyDir, 0o755);
    lock(copyDir, copy);
    chmodSync(`${copy}-wal`, 0o444);
    const r = runAsReader(['feeds', 'list', '--json', '--config', CONFIG, '--db', copy], home);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/its write-ahead log holds changes and this user cannot create .*-shm — try again when the fetch writing it has finished/);
  });
});
