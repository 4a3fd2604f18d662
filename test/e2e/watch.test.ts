import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { openTerminal, type Terminal } from '../helpers/tmux.js';
import { tempDir } from '../helpers/tmp.js';

// momentscan watch driven in a real terminal (tmux) on the sample data (local feed files: no network) at
// 2026-11-20 12:00 UTC: the Acme Robotics spike and the Northwind Airlines tone shift.
const CONFIG = path.join(ROOT, 'fixtures', 'sample', 'momentscan.yaml');
const AS_OF = '2026-11-20T12:00:00Z';

function start(width = 100, height = 30) {
  const home = tempDir();
  const db = path.join(home, 'watch.db');
  const term = openTerminal({ width, height, home, cwd: ROOT, env: { NO_COLOR: '1' } });
  term.run(`${process.execPath} ${BIN} watch --config ${CONFIG} --db ${db} --as-of ${AS_OF}`);
  return { term, db };
}

/**
 * How long one terminal test may take: each waits on a real terminal (start-up, a fetch of the sample, redraws),
 * up to 20 s per wait; on a loaded machine the default 30 s for the whole test was seen to run out. A hang guard, not a
 * speed target.
 */
const TERMINAL_TIMEOUT = 120_000;

/** The bottom line (messages). */
const bottom = (screen: string) => screen.trimEnd().split('\n').at(-1) ?? '';

/** The terminal as the shell left it: main screen, cursor shown, cooked mode with echo. */
async function expectShellBack(term: Terminal, started = `watch --config ${CONFIG}`) {
  await term.waitFor((s) => !s.includes('momentscan watch  as of'), 'the view to go');
  expect(term.pane('#{alternate_on} #{cursor_flag}')).toBe('0 1');
  term.run('echo "rc=$?"; stty -a | tr " " "\\n" | grep -x -e -icanon -e icanon -e -echo -e echo | tr "\\n" " "; echo');
  // (the answer's own line: the command typed, echoed on the screen, names icanon too)
  const screen = await term.waitFor((s) => /rc=\d+/.test(s) && /^-?icanon -?echo\s*$/m.test(s), 'the shell');
  expect(screen).toMatch(/^icanon echo\s*$/m);
  // the command line that started it is still on the main screen: the view never drew there
  const history = term.history();
  expect(history).toContain(started);
  expect(history).not.toContain('momentscan watch  as of');
  return screen;
}

describe('momentscan watch in a terminal', () => {
  it('columns per topic; keys move, open, mark noise (saved), mute; narrow on resize; q restores the terminal', async () => {
    const { term, db } = start();
    // it fetches the due (local) feeds itself, then shows a column per topic as of the fixed time
    let screen = await term.waitFor((s) => s.includes('fetch: 7 feeds, 7 ok') && s.includes('SPIKE'), 'the fetched view');
    expect(term.pane('#{alternate_on} #{cursor_flag}')).toBe('1 0');
    expect(screen).toContain('as of 2026-11-20 12:00 UTC (fixed)');
    expect(screen.split('\n')[1]).toMatch(/^ Acme Robotics .*│ Northwind Airlines ★ 1 ongoing/);

    // o on the first entry, Acme's spike: no desktop here, so it says where its link is (its first example's)
    const json = (args: string[]) => JSON.parse(runCli([...args, '--json', '--config', CONFIG, '--db', db, '--as-of', AS_OF], { home: tempDir() }).stdout);
    const moments = json(['moments']) as { topic: string; examples: { link: string }[] }[];
    const linkOf = (topic: string) => moments.find((m) => m.topic === topic)!.examples[0]!.link;
    // the link whole, at the bottom, on as many lines as it takes
    const shows = (link: string) => (s: string) => {
      const prefix = 'no desktop to open it here; the link:';
      const lines = s.trimEnd().split('\n');
      const at = lines.findLastIndex((l) => l.startsWith(prefix));
      return at >= 0 && lines.slice(at).join('').replace(/\s+/g, '') === `${prefix}${link}`.replace(/\s+/g, '');
    };
    term.keys('o');
    await term.waitFor(shows(linkOf('Acme Robotics')), "the spike's link");

    // l: the Northwind column (its tone shift first), j: its newest item, k: back to the tone shift
    const [newest] = json(['items', '--topic', 'Northwind Airlines', '--limit', '1']) as { link: string }[];
    term.keys('l', 'j', 'o');
    await term.waitFor(shows(newest!.link), "the newest Northwind item's link");
    term.keys('k', 'o');
    await term.waitFor(shows(linkOf('Northwind Airlines')), "the tone shift's link");

    // n marks the selected moment noise: on screen and in the database
    term.keys('n');
    screen = await term.waitFor((s) => bottom(s).includes('marked noise (saved)'), 'the verdict');
    expect(bottom(screen)).toMatch(/^Northwind Airlines: moment of 2026-11-19 \d\d:\d\d marked noise/);
    expect(screen).toContain('✗ noise');
    const open = new Database(db, { readonly: true });
    try {
      expect(open.prepare('SELECT topic, kind, direction, verdict FROM feedback').all()).toEqual([
        { topic: 'Northwind Airlines', kind: 'sentiment-shift', direction: 'negative', verdict: 'noise' },
      ]);
    } finally {
      open.close();
    }

    // m mutes the topic: a silence, shown in its header
    term.keys('m');
    // (the message is wider than the terminal: it takes two lines at the bottom, none of it cut)
    screen = await term.waitFor((s) => /^Northwind Airlines muted until .* \(momentscan silence list\)$/.test(s.trimEnd().split('\n').slice(-2).map((l) => l.trim()).join(' ')), 'the mute');
    expect(screen.split('\n')[1]).toMatch(/│ Northwind Airlines muted until/);
    const silences = runCli(['silence', 'list', '--json', '--config', CONFIG, '--db', db], { home: tempDir() });
    expect(JSON.parse(silences.stdout)).toMatchObject([{ topic: 'Northwind Airlines', comment: 'muted in momentscan watch' }]);

    // narrower than 80 columns: one topic at a time
    term.resize(60, 24);
    screen = await term.waitFor((s) => s.includes('‹ 2/4 Northwind Airlines ›'), 'the narrow view');
    expect(screen).not.toContain('Acme Robotics');
    term.keys('h');
    await term.waitFor((s) => s.includes('‹ 1/4 Acme Robotics ›'), 'the previous topic');

    term.keys('q');
    const shell = await expectShellBack(term);
    expect(shell).toContain('rc=0');
  }, TERMINAL_TIMEOUT);

  it('a topic under two silences is muted until the later one ends, and m unmutes it from both', async () => {
    const { term, db } = start();
    await term.waitFor((s) => s.includes('fetch: 7 feeds, 7 ok') && s.includes('SPIKE'), 'the fetched view');
    const cli = (...args: string[]) => runCli([...args, '--config', CONFIG, '--db', db], { home: tempDir() });
    expect(cli('silence', 'add', 'Northwind', '--for', '1h').status).toBe(0);
    expect(cli('silence', 'add', 'Northwind', '--until', '2099-03-04T05:06:00Z').status).toBe(0);
    term.keys('f');
    // it said the first silence's end (in an hour), though the topic stays muted until 2099
    let screen = await term.waitFor((s) => /│ Northwind Airlines muted until/.test(s.split('\n')[1] ?? ''), 'the mute');
    expect(screen.split('\n')[1]).toMatch(/│ Northwind Airlines muted until  4 Mar 05:06 /);
    term.keys('l', 'm');
    screen = await term.waitFor((s) => bottom(s).includes('Northwind Airlines unmuted'), 'the unmute');
    expect(screen.split('\n')[1]).not.toContain('muted until');
    expect(JSON.parse(cli('silence', 'list', '--json').stdout)).toEqual([]);
    term.keys('q');
    expect(await expectShellBack(term)).toContain('rc=0');
  }, TERMINAL_TIMEOUT);

  it('Ctrl-C leaves it as clean as q', async () => {
    const { term } = start(80, 24);
    await term.waitFor((s) => s.includes('SPIKE'), 'the view');
    term.keys('C-c');
    const shell = await expectShellBack(term);
    expect(shell).toContain('rc=0');
  }, TERMINAL_TIMEOUT);

  it('a SIGTERM also restores the terminal (exit 143)', async () => {
    const { term } = start(80, 24);
    await term.waitFor((s) => s.includes('SPIKE'), 'the view');
    const shell = Number(term.pane('#{pane_pid}'));
    const child = execFileSync('pgrep', ['-P', String(shell)], { encoding: 'utf8' }).trim().split('\n').map(Number)[0]!;
    process.kill(child, 'SIGTERM');
    const screen = await expectShellBack(term);
    expect(screen).toContain('rc=143');
  }, TERMINAL_TIMEOUT);

  it("says when a topic's stored matches were redone for its config: at the bottom, and again on the terminal it leaves", async () => {
    // the sample fetched with its own config; then watched with a config whose Acme topic lost a keyword (a host whose
    // copy of the team's config drifted): `moments` warns on stderr, and watch, whose screen hides stderr, said nothing
    const home = tempDir();
    const db = path.join(home, 'drift.db');
    expect(runCli(['fetch', '--config', CONFIG, '--db', db, '--quiet'], { home }).status).toBe(0);
    const drifted = path.join(home, 'drifted.yaml');
    const text = readFileSync(CONFIG, 'utf8').replace('keywords: [acme robotics, acme]', 'keywords: [acme robotics]');
    writeFileSync(drifted, text.replace(/url: feeds\//g, `url: ${path.join(ROOT, 'fixtures', 'sample', 'feeds')}/`).replace(/^  - feeds\//m, `  - ${path.join(ROOT, 'fixtures', 'sample', 'feeds')}/`));
    const term = openTerminal({ width: 100, height: 30, home, cwd: ROOT, env: { NO_COLOR: '1' } });
    term.run(`${process.execPath} ${BIN} watch --config ${drifted} --db ${db} --as-of ${AS_OF} --no-fetch`);
    const said = (s: string) => s.replace(/\s+/g, ' ');
    const screen = await term.waitFor((s) => said(s).includes('warning: topic Acme Robotics is defined otherwise than when the stored items were matched to it'), 'the warning at the bottom');
    expect(said(screen)).toContain('(printed again when watch ends)');
    term.keys('q');
    await expectShellBack(term, `watch --config ${drifted}`);
    expect(said(term.history())).toContain('momentscan: warning: topic Acme Robotics is defined otherwise than when the stored items were matched to it (then');
  }, TERMINAL_TIMEOUT);

  it('an --interval longer than a day is refused, not run every millisecond', async () => {
    const home = tempDir();
    const term = openTerminal({ width: 100, height: 10, home, cwd: ROOT, env: { NO_COLOR: '1' } });
    // 30d does not fit a timer: Node fired it every millisecond (a TimeoutOverflowWarning over the view)
    term.run(`${process.execPath} ${BIN} watch --config ${CONFIG} --db ${path.join(home, 'w.db')} --no-fetch --interval 30d; echo "rc=$?"`);
    await term.waitFor((s) => /rc=\d+/.test(s), 'the refusal');
    // (the history joins the line the terminal wrapped)
    expect(term.history()).toContain('momentscan: error: --interval 30d: at most 1d — f fetches and reloads at any time; --no-fetch never fetches');
    expect(term.history()).toContain('rc=2');
  }, TERMINAL_TIMEOUT);

  it('refuses off a terminal, in one line, exit 2', () => {
    const home = tempDir();
    const r = runCli(['watch', '--config', CONFIG, '--db', path.join(home, 'x.db')], { home });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'momentscan: error: watch needs a terminal (stdin and stdout) — run it in a terminal; scripts read momentscan moments --json or momentscan items --json\n',
    );
  });

  it('refuses a terminal that cannot move its cursor (TERM=dumb) in one line, exit 2, drawing nothing', async () => {
    // (it drew the view with cursor addressing all the same: a screenful of escape codes in Emacs' shell)
    const home = tempDir();
    const term = openTerminal({ width: 100, height: 30, home, cwd: ROOT, env: { NO_COLOR: '1', TERM: 'dumb' } });
    term.run(`${process.execPath} ${BIN} watch --config ${CONFIG} --db ${path.join(home, 'w.db')} --as-of ${AS_OF}; echo "rc=$?"`);
    const screen = await term.waitFor((s) => /^rc=\d+/m.test(s), 'the exit');
    expect(screen).toMatch(/^rc=2$/m);
    expect(term.history().replace(/\n/g, '')).toContain(
      'momentscan: error: watch needs a terminal that can move its cursor, and TERM=dumb says this one cannot — run it in a full terminal (TERM=xterm-256color and the like); here, momentscan moments and momentscan items print plain text',
    );
    expect(term.pane('#{alternate_on}')).toBe('0');
    expect(screen).not.toContain('momentscan watch  as of');
  }, TERMINAL_TIMEOUT);
});
