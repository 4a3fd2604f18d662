import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampOf } from '../../src/store/check-record.js';
import { CHECK_ALWAYS_BYTES } from '../../src/store/db.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { startSmtp, type TestSmtpServer } from '../helpers/smtp.js';
import { startCli, withTimeout } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE_CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');

let home: string;
let db: string;
beforeAll(() => {
  // shared by the tests: not a tempDir (those go after each test)
  home = mkdtempSync(path.join(os.tmpdir(), 'momentscan-status-'));
  db = path.join(home, 's.db');
  expect(runCli(['fetch', '--config', SAMPLE_CONFIG, '--db', db, '--quiet'], { home }).status).toBe(0);
}, 60_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('momentscan topics', () => {
  it('lists each topic with its query, feeds, items, learning state and last moment', () => {
    runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', '2026-11-20T12:00:00Z', '--json'], { home });
    const r = runCli(['topics', '--config', SAMPLE_CONFIG, '--db', db, '--json'], { home });
    expect(r.status, r.stderr).toBe(0);
    const topics = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(topics.map((t) => t.name)).toEqual(['Acme Robotics', 'Northwind Airlines', 'Globex', 'Initech']);
    expect(topics[0]).toMatchObject({ query: expect.stringContaining('acme'), feeds: 2, sources: ['google-news', 'reddit'], learning: false });
    expect(topics[0]!.items).toBeGreaterThan(0);
    expect(topics[0]!.lastMoment).toMatchObject({ kind: 'volume-spike', end: expect.stringMatching(/^2026-11-/) });
    const table = runCli(['topics', '--config', SAMPLE_CONFIG, '--db', db], { home });
    expect(table.stdout).toMatch(/│ Acme Robo/);
  });

  it('before any fetch: every topic has no items, and no database is created', () => {
    const h = tempDir();
    const r = runCli(['topics', '--config', SAMPLE_CONFIG, '--db', path.join(h, 'none.db'), '--json'], { home: h });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { items: number; learning: boolean; learningUntil: unknown }[])[0]).toMatchObject({ items: 0, learning: true, learningUntil: null });
    expect(existsSync(path.join(h, 'none.db'))).toBe(false);
  });
});

describe('momentscan status', () => {
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startSmtp({ user: 'digest', password: 'right password' });
  });
  afterAll(() => server.close());

  const status = async (password: string, exit = 0) => {
    const pw = path.join(home, `pw-${password.length}`);
    writeFileSync(pw, `${password}\n`, { mode: 0o600 });
    const config = path.join(home, `c-${password.length}.yaml`);
    writeFileSync(config, `topics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [${path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml')}]\nemail:\n  to: [a@example.com]\n  smtp: ${server.url('digest')}\n  passwordFile: ${pw}\n`);
    const r = await withTimeout(startCli(['status', '--config', config, '--db', db, '--json'], { home }).exited, 30_000, 'status');
    expect(r.status, r.stderr).toBe(exit);
    // (its config's Acme is not the sample's Acme Robotics the database was fetched with: the first status says
    // it matched the stored items to it, as every reading command does; nothing else)
    if (exit === 0) expect(r.stderr).toMatch(/^(momentscan: warning: topic Acme is new to this database: its [\d,]+ stored items were matched against it, and [\d,]+ match it\n)?$/);
    else expect(r.stderr).toMatch(/^momentscan: error: email: the SMTP check of smtp:\/\/digest@127\.0\.0\.1:\d+ failed: .* — check the user in the SMTP URL \(.*c-5\.yaml: email\.smtp\) and the password in email\.passwordFile; --no-smtp-check leaves the check out\n$/);
    return JSON.parse(r.stdout) as { config: { exists: boolean }; database: { exists: boolean; bytes: number }; feeds: Record<string, unknown>; topics: unknown[]; email: { check: string; server: string } };
  };

  it('says where things are, how feeds and topics fare, and that the SMTP login works, sending nothing', async () => {
    const s = await status('right password');
    expect(s.config.exists).toBe(true);
    expect(s.database).toMatchObject({ exists: true });
    expect(s.database.bytes).toBeGreaterThan(0);
    expect(s.feeds).toMatchObject({ total: 1, ok: 0, failing: 0, new: 1 });
    expect(s.topics).toHaveLength(1);
    expect(s.email).toEqual({ server: `smtp://digest@127.0.0.1:${server.port}`, to: ['a@example.com'], check: 'ok' });
    expect(await server.messages()).toHaveLength(0);
  });

  it('a wrong SMTP password is reported as such, and fails the health check (exit 1)', async () => {
    expect((await status('wrong', 1)).email.check).toBe('failed: the server refused the login (535)');
  });

  it('a server that never greets: the check gives up at 15 s, and status ends then (it ran on for the 30 s greeting timeout)', async () => {
    const silent = createServer(() => undefined); // takes the connection, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const config = path.join(home, 'silent.yaml');
      writeFileSync(config, `topics:\n  - name: Acme\n    keywords: [acme]\nemail:\n  to: [a@example.com]\n  smtp: smtp://127.0.0.1:${(silent.address() as AddressInfo).port}\n`);
      const started = Date.now();
      const r = await withTimeout(startCli(['status', '--config', config, '--db', db, '--json'], { home }).exited, 40_000, 'status');
      expect(r.status, r.stderr).toBe(1);
      expect((JSON.parse(r.stdout) as { email: { check: string } }).email.check).toBe('failed: no answer within 15s');
      expect(Date.now() - started).toBeLessThan(25_000);
    } finally {
      silent.close();
    }
  }, 60_000);

  it('nothing listening at the SMTP address: said in words, on the screen and in one error line, exit 1 (a cron health check goes by it)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // a port nothing listens at
    const h = tempDir();
    const r = runCli(['status', '--config', SAMPLE_CONFIG, '--db', path.join(h, 'none.db')], { home: h, env: { MOMENTSCAN_SMTP_URL: `smtp://127.0.0.1:${port}` } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`\\nemail {5}smtp://127\\.0\\.0\\.1:${port} → no recipients \\(email\\.to\\): failed: nothing listens at\\s+127\\.0\\.0\\.1:${port}\\s+\\(connection refused\\)\\n`));
    expect(r.stderr).toBe(`momentscan: error: email: the SMTP check of smtp://127.0.0.1:${port} failed: nothing listens at 127.0.0.1:${port} (connection refused) — check the SMTP URL (MOMENTSCAN_SMTP_URL) and that the server is up; --no-smtp-check leaves the check out\n`);
    expect(runCli(['status', '--config', SAMPLE_CONFIG, '--db', path.join(h, 'none.db'), '--no-smtp-check'], { home: h, env: { MOMENTSCAN_SMTP_URL: `smtp://127.0.0.1:${port}` } }).status).toBe(0);
  });

  it('one screen for people, before any fetch', () => {
    const h = tempDir();
    const r = runCli(['status', '--config', SAMPLE_CONFIG, '--db', path.join(h, 'none.db')], { home: h });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^config {4}.*momentscan\.yaml\ndatabase {2}.*none\.db \(none yet: run momentscan fetch\)\nfeeds {5}7 configured: 0 ok, 0 failing, 7 never fetched, 0 retired\ntopics {4}4, 4 still learning\n/);
    expect(r.stdout).toContain('email     not configured');
  });
});

describe('status: the damage check of a large database', () => {
  it('reads every page when the file changed since its last clean check or with --check; otherwise the header, schema and length', () => {
    const h = tempDir();
    const big = path.join(h, 'big.db');
    copyFileSync(db, big);
    // past the size every open checks (32 MB): detection caches of 34 MB
    const pad = new Database(big);
    const put = pad.prepare('INSERT INTO engine_states (topic_id, key, at, state) VALUES (1, ?, 0, ?)');
    for (let i = 0; i < 34; i++) put.run(`pad${i}`, Buffer.alloc(1 << 20, i));
    pad.pragma('wal_checkpoint(TRUNCATE)');
    pad.close();
    expect(statSync(big).size).toBeGreaterThan(CHECK_ALWAYS_BYTES);
    const status = (...more: string[]) => runCli(['status', '--config', SAMPLE_CONFIG, '--db', big, '--no-smtp-check', '--json', ...more], { home: h });
    const checks = path.join(h, '.cache', 'momentscan', 'checks');
    expect(status().status).toBe(0);
    const [record] = readdirSync(checks);
    expect(record).toMatch(/\.json$/);
    // the file as the disk might leave it without a write (its record says it is unchanged): not read again...
    const clean = readFileSync(big);
    const bytes = Buffer.from(clean);
    bytes.fill(0xa5, 4096 * 20, 4096 * 21);
    writeFileSync(big, bytes);
    const recordPath = path.join(checks, record!);
    const unchanged = () => writeFileSync(recordPath, JSON.stringify({ ...JSON.parse(readFileSync(recordPath, 'utf8')), stamp: stampOf(big) }));
    unchanged();
    expect(status().status).toBe(0);
    // ...but with --check, every page: damaged, exit 1, the file as it was
    const checked = status('--check');
    expect(checked.status).toBe(1);
    expect(checked.stderr).toMatch(/^momentscan: error: .*big\.db: database is damaged \(/);
    expect(readFileSync(big).equals(bytes), "the file as it was").toBe(true);
    // a file changed since (written by anyone) is read whole without --check
    writeFileSync(big, bytes);
    const changed = status();
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/database is damaged/);
    // a file cut short (its last pages, detection caches nothing reads here) is refused at the first read by SQLite
    // itself, which compares the file's length with its header, even unchanged since a clean check
    writeFileSync(big, clean.subarray(0, clean.length - 8192));
    unchanged();
    const cut = status();
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/big\.db: database is damaged \(database disk image is malformed\)/);
  });
});
