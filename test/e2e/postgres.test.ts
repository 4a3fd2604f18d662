import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PG_MIGRATIONS } from '../../src/store/pg/migrations.js';
import { describe, expect, it } from 'vitest';
import { SyncPg } from '../../src/store/pg/bridge.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { freshDatabase, optionsOf } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const planted = JSON.parse(readFileSync(path.join(SAMPLE, 'planted.json'), 'utf8')) as { asOf: string };
const where = (db: string) => ['--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db];
const args = (db: string) => [...where(db), '--as-of', planted.asOf];

/** The time-dependent fields of moments (when they were first seen: the real clock of the run). */
const steady = (json: string) => JSON.stringify(JSON.parse(json), (k, v) => (k === 'firstSeenAt' ? undefined : v));

describe('every command on PostgreSQL says what it says on SQLite', () => {
  it('fetch, scan, moments (--alerts), topics, items --search, rescore, digest, silence and notify list on the sample', () => {
    const home = tempDir();
    const sqlite = path.join(home, 's.db');
    const pg = freshDatabase('e2e');
    const both = (cmd: string[], o: { input?: string } = {}) =>
      [sqlite, pg].map((db) => {
        const r = runCli([...cmd, ...args(db)], { home, ...o });
        return { ...r, stderr: r.stderr.split(db).join('<db>') };
      });
    const same = (cmd: string[], map: (s: string) => string = (s) => s) => {
      const [a, b] = both(cmd);
      expect(b!.stderr).toBe(a!.stderr);
      expect(b!.status).toBe(a!.status);
      expect(map(b!.stdout)).toBe(map(a!.stdout));
      return a!;
    };
    const fetch = [sqlite, pg].map((db) => runCli(['fetch', ...where(db), '--quiet', '--concurrency', '1'], { home }));
    expect(fetch.map((r) => r.status)).toEqual([0, 0]);
    expect(fetch[1]!.stderr).toBe('');
    const scan = same(['scan', '--json'], steady);
    expect((JSON.parse(scan.stdout) as unknown[]).length).toBeGreaterThanOrEqual(2);
    same(['moments', '--json', '--since', '24h'], steady);
    same(['moments', '--json', '--since', '24h', '--alerts'], steady);
    same(['moments', '--csv', '--since', '3d', '--fields', 'rank,topic,kind,direction,score,start,end']);
    same(['topics', '--json']);
    same(['items', '--json', '--search', 'recall* OR "robot vacuums"', '--since', '30d']);
    same(['items', '--json', '--search', 'Acme NOT recall', '--since', '30d', '--limit', '5']);
    // items streamed a page at a time: the same rows, in the same order, on both
    same(['items', '--ndjson', '--all', '--since', '30d']);
    same(['items', '--csv', '--all', '--sort', 'negative', '--since', '30d', '--explain']);
    // a query neither engine can read: the same usage error (SQLite adds its parser's words)
    const unread = both(['items', '--json', '--search', 'NOT recall', '--since', '30d']).map((r) => ({ ...r, stderr: r.stderr.replace(/ \(fts5: .*\)/, '') }));
    expect(unread[1]).toEqual(unread[0]);
    expect(unread[0]!.status).toBe(2);
    same(['rescore', '--quiet']);
    same(['timeline', 'Acme Robotics', '--json', '--bucket', '1h']);
    same(['digest', '--format', 'markdown', '--since', '24h'], (s) => s.replace(/Made by momentscan at [^.]*\./, 'Made by momentscan at <now>.')); // the real clock of each run: they may straddle a minute
    same(['silence', 'add', 'Acme Robotics', '--for', '2h', '--comment', 'launch day']);
    same(['silence', 'list', '--json'], (s) => s.replace(/"createdAt": ?[^,}]+/g, ''));
    same(['notify', 'list', '--json']);
  }, 300_000); // some 40 CLI runs: minutes on a loaded machine
});

describe('PostgreSQL connection problems: one line naming the server, never the password, the right exit code', () => {
  const cli = (db: string, env: Record<string, string> = {}) => runCli(['moments', ...args(db), '--json'], { home: tempDir(), env });

  it('a URL that cannot be read is a usage error (exit 2)', () => {
    const r = cli('postgres://ana:hunter2@db.example:port/x');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('momentscan: error: postgres://ana:***@db.example:port/x: not a valid PostgreSQL URL — write it as postgres://user@host:5432/database (percent-encode special characters in the user name)\n');
    expect(r.stdout).toBe('');
  });

  it('a refused connection and a wrong password exit 1 and say what to do', () => {
    const url = new URL(freshDatabase('e2e'));
    const refused = new URL(url);
    refused.port = '1';
    const r = cli(refused.toString());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^momentscan: error: postgres:\/\/momentscan_test@127\.0\.0\.1:1\/e2e_\w+: connection refused by 127\.0\.0\.1:1 — is PostgreSQL running there\? check the host and port in the URL\n$/);
    const secret = path.join(tempDir(), 'pw');
    writeFileSync(secret, 'wrong-password-123\n');
    const noPw = new URL(url);
    noPw.password = '';
    const bad = cli(noPw.toString(), { MOMENTSCAN_DB_PASSWORD_FILE: secret });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^momentscan: error: postgres:\/\/momentscan_test@127\.0\.0\.1:\d+\/e2e_\w+: authentication failed for user "momentscan_test" \(password from \$MOMENTSCAN_DB_PASSWORD_FILE \(.*\)\) — check the user and the password/);
    expect(bad.stderr.split('\n')).toHaveLength(2);
    for (const out of [r.stderr, bad.stderr]) {
      expect(out).not.toContain('wrong-password-123');
      expect(out).not.toContain(decodeURIComponent(url.password));
    }
  });

  it("another application's database is refused and left untouched; so is one from a newer momentscan", () => {
    const url = freshDatabase('e2e');
    const pg = SyncPg.connect(optionsOf(url));
    try {
      pg.query('CREATE TABLE invoices (id int PRIMARY KEY, total numeric)');
      pg.query('INSERT INTO invoices VALUES (1, 9.5)');
      const r = runCli(['fetch', ...where(url), '--quiet'], { home: tempDir() });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/: not a momentscan database \(it holds another application's tables\) — it was left untouched/);
      const tables = () => pg.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").rows.map((x) => x.t);
      expect(tables()).toEqual(['invoices']);

      pg.query('DROP TABLE invoices');
      expect(runCli(['fetch', ...where(url), '--quiet'], { home: tempDir() }).status).toBe(0);
      pg.query('UPDATE momentscan_schema SET version = 99');
      const before = pg.query('SELECT count(*) AS n FROM items').rows[0];
      const newer = runCli(['fetch', ...where(url), '--quiet'], { home: tempDir() });
      expect(newer.status).toBe(1);
      expect(newer.stderr).toMatch(new RegExp(`: database schema version 99 is newer than this momentscan understands \\(${PG_MIGRATIONS.length}\\) — upgrade momentscan; the database was left untouched\n$`));
      expect(pg.query('SELECT count(*) AS n FROM items').rows[0]).toEqual(before);
      expect(pg.query('SELECT version FROM momentscan_schema').rows[0]).toEqual({ version: 99 });
    } finally {
      pg.close();
    }
  }, 120_000);
});

describe('a role that may only read (a dashboard, an analyst)', () => {
  it('reads with moments, digest, items, timeline and status, caches left unwritten; a command that must write names the right it lacks', () => {
    const home = tempDir();
    const url = freshDatabase('e2e');
    expect(runCli(['fetch', ...where(url), '--quiet', '--concurrency', '1'], { home }).status).toBe(0);
    // the team's own run first: it records the moments (the reader then sees the same ids)
    const moments = runCli(['moments', '--json', '--since', '3d', ...args(url)], { home });
    expect(moments.status, moments.stderr).toBe(0);
    const role = `ro_${Math.random().toString(36).slice(2, 8)}`;
    const pg = SyncPg.connect(optionsOf(url));
    try {
      pg.query(`CREATE ROLE ${role} LOGIN PASSWORD 'x'`);
      pg.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      const ro = new URL(url);
      ro.username = role;
      ro.password = 'x';
      const reader = ro.toString();
      const read = runCli(['moments', '--json', '--since', '3d', ...args(reader)], { home });
      // (what it cannot record it says, once, as on a SQLite file this user may not write)
      expect(read.stderr).toBe('moments: the database is read-only for this user: moments are reported, not recorded\n');
      expect(read.status).toBe(0);
      expect(steady(read.stdout)).toBe(steady(moments.stdout));
      for (const cmd of [['digest', '--since', '24h'], ['items', '--json', '--since', '30d'], ['timeline', 'Acme Robotics', '--json'], ['status', '--json', '--no-smtp-check']]) {
        const r = runCli([...cmd, ...(cmd[0] === 'status' ? where(reader) : args(reader))], { home });
        expect(r.stderr, cmd.join(' ')).not.toContain('error');
        if (cmd[0] === 'digest') expect(r.stderr).toBe('digest: the database is read-only for this user: the digest is printed, not recorded (--since last will not start after it)\n');
        expect(r.status, cmd.join(' ')).toBe(0);
      }
      // a command that writes: one line saying which right is missing and how to grant it
      const id = (JSON.parse(moments.stdout) as { id: number }[])[0]!.id;
      const label = runCli(['label', String(id), 'real', ...where(reader)], { home });
      expect(label.status).toBe(1);
      expect(label.stderr).toMatch(new RegExp(`^momentscan: error: postgres://${role}@127\\.0\\.0\\.1:\\d+/e2e_\\w+: user "${role}" may not write table \\w+ \\(permission denied for table \\w+\\) — this command writes: grant ${role} INSERT, UPDATE, DELETE on momentscan's tables and USAGE on its sequences \\(GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}\\), or run it as a user that may write\\n$`));
      expect(label.stderr).not.toContain(':x@');
      const fetch = runCli(['fetch', ...where(reader), '--quiet'], { home });
      expect(fetch.status).toBe(1);
      expect(fetch.stderr).toMatch(new RegExp(`^momentscan: error: [^\n]*: user "${role}" may not write table \\w+ [^\n]*, or run it as a user that may write\n$`));
    } finally {
      pg.close();
    }
  }, 180_000);
});

describe('a team whose hosts define a topic differently', () => {
  it('each fetch that redoes the topic\'s matches made with the other definition warns, naming the topic and both definitions', () => {
    const home = tempDir();
    const url = freshDatabase('e2e');
    const env = { MOMENTSCAN_NOW: planted.asOf };
    const text = readFileSync(path.join(SAMPLE, 'momentscan.yaml'), 'utf8').replace(/(url: |- )feeds\//g, `$1${SAMPLE}/feeds/`);
    const write = (name: string, yaml: string) => (writeFileSync(path.join(home, name), yaml), path.join(home, name));
    const a = write('a.yaml', text);
    const b = write('b.yaml', text.replace('keywords: [acme robotics, acme]', 'keywords: [acme robotics]'));
    const fetch = (config: string) => runCli(['fetch', '--config', config, '--db', url, '--quiet'], { home, env });
    expect(fetch(a).stderr).toBe('');
    // host B's first run: as a config edited (nothing to tell it from one)
    expect(fetch(b).stderr).toBe('');
    // then each run of either redid the matches in silence
    const warning = (here: string, there: string) =>
      `momentscan: warning: topic "Acme Robotics" is defined differently by another host or config using this database: its matches were last made with query ${there}, and before that with this config's query ${here}; each run of either redoes them over the whole history, and the counts follow whichever ran last — give every host the same definition (README: Running as a team)\n`;
    const ab = '"acme robotics" OR "acme"';
    expect(fetch(a).stderr).toBe(warning(ab, '"acme robotics"'));
    expect(fetch(b).stderr).toBe(warning('"acme robotics"', ab));
    // the hosts agree again: silence
    expect(fetch(b).stderr).toBe('');
  }, 120_000);
});

describe('a team whose hosts have different topics', () => {
  it("a fetch whose config lacks a topic the team's database matches new items to warns, naming it; the next host with the topic matches what it stored", () => {
    const home = tempDir();
    const url = freshDatabase('e2e');
    const sqlite = path.join(home, 'all.db');
    const env = { MOMENTSCAN_NOW: planted.asOf };
    const text = readFileSync(path.join(SAMPLE, 'momentscan.yaml'), 'utf8').replace(/(url: |- )feeds\//g, `$1${SAMPLE}/feeds/`);
    const write = (name: string, yaml: string) => (writeFileSync(path.join(home, name), yaml), path.join(home, name));
    // host A: the topics' own feeds, not the wire feed; host B: the sample without Northwind Airlines (and its feeds)
    const a = write('a.yaml', text.replace(/\nfeeds:\n(?: {2}.*\n)+/, '\n'));
    const b = write('b.yaml', text.replace(/ {2}- name: Northwind Airlines\n(?: {4}.*\n)+/, ''));
    expect(readFileSync(a, 'utf8')).not.toContain('techwire');
    expect(readFileSync(b, 'utf8')).not.toContain('Northwind');
    const fetch = (config: string, db = url) => runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home, env });
    expect(fetch(a).stderr).toBe('');
    const other = fetch(b);
    expect(other.status, other.stderr).toBe(0);
    expect(other.stderr).toBe(
      `momentscan: warning: the team's database matched items fetched in the last day to a topic this config lacks ("Northwind Airlines"): the items this fetch stores are matched to it only when a host that has it next runs (matching the whole history again) — give every host the team's topics (README: Running as a team)\n`,
    );
    // host A's next run (nothing due) matches the wire feed's items to Northwind: as one host with every feed would have
    expect(fetch(a).stderr).toBe('');
    expect(fetch(path.join(SAMPLE, 'momentscan.yaml'), sqlite).status).toBe(0);
    const northwind = (db: string) => runCli(['items', '--json', '--all', '--topic', 'Northwind Airlines', '--since', '60d', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--as-of', planted.asOf], { home }).stdout;
    const ids = (json: string) => (JSON.parse(json) as { link: string }[]).map((x) => x.link).sort();
    expect(ids(northwind(url)).length).toBeGreaterThan(0);
    expect(ids(northwind(url))).toEqual(ids(northwind(sqlite)));
  }, 120_000);
});
