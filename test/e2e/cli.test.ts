import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const planted = JSON.parse(readFileSync(path.join(SAMPLE, 'planted.json'), 'utf8')) as {
  asOf: string;
  planted: { topic: string; kind: string; direction?: string; start: string; end: string }[];
  quiet: string[];
};
const sampleArgs = (db: string) => ['--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--as-of', planted.asOf];

describe('momentscan on the bundled sample data', () => {
  it('scan ranks the planted spike first and the sentiment swing second; quiet topics stay quiet; stdout is pure JSON', () => {
    const home = tempDir();
    const db = path.join(home, 'sample.db');
    const r = runCli(['scan', ...sampleArgs(db), '--json'], { home });
    expect(r.stderr).toMatch(/fetch: 7 feeds, 7 ok, 0 not modified, 0 failed, 0 skipped; [\d,]+ new items/);
    expect(r.status).toBe(0);
    const moments = JSON.parse(r.stdout) as Record<string, unknown>[]; // throws on any banner line
    expect(moments.length).toBeGreaterThanOrEqual(2);
    const [first, second] = moments;
    const [spike, swing] = planted.planted;
    expect(first).toMatchObject({ rank: 1, topic: spike!.topic, kind: 'volume-spike' });
    expect(second).toMatchObject({ rank: 2, topic: swing!.topic, kind: 'sentiment-shift', direction: 'negative' });
    // the moments sit on the planted windows
    for (const [m, p] of [[first, spike], [second, swing]] as const) {
      expect(Date.parse(m!.start as string)).toBeLessThan(Date.parse(p!.end));
      expect(Date.parse(m!.end as string)).toBeGreaterThan(Date.parse(p!.start));
    }
    expect(second!.ongoing).toBe(true);
    for (const quiet of planted.quiet) expect(moments.filter((m) => m.topic === quiet)).toEqual([]);
    // explained
    expect(first!.observed as number).toBeGreaterThan(3 * (first!.expected as number));
    expect(first!.distinctSources as number).toBeGreaterThanOrEqual(3);
    expect((first!.examples as { link: string }[])[0]!.link).toMatch(/^https:\/\//);
    expect(second!.sentimentNow as number).toBeLessThan(second!.sentimentBaseline as number);
  });

  it('a second scan adds no items, answers from the same data with the same moments', () => {
    const home = tempDir();
    const db = path.join(home, 'sample.db');
    const a = runCli(['scan', ...sampleArgs(db), '--json'], { home });
    const b = runCli(['scan', ...sampleArgs(db), '--json'], { home });
    expect(b.stderr).toMatch(/fetch: 7 feeds, 0 ok, 7 not modified, 0 failed, 0 skipped; 0 new items/);
    const strip = (s: string) => (JSON.parse(s) as Record<string, unknown>[]).map(({ firstSeenAt: _f, ...m }) => m);
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
  });

  it('the default table fits the terminal and carries no colour codes when piped', () => {
    const home = tempDir();
    const r = runCli(['scan', ...sampleArgs(path.join(home, 's.db'))], { home, env: { NO_COLOR: '' } });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b/);
    expect(r.stdout).toContain('Acme Robotics');
    expect(r.stdout).toContain('▲ spike');
  });

  it('moments --json and detect --json write pure JSON, colour forced or not; only the moments table is coloured, and only when asked', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--quiet'], { home });
    const series = ['timestamp,value', ...Array.from({ length: 200 }, (_, i) => `${new Date(Date.UTC(2026, 9, 1) + i * 3_600_000).toISOString()},${i === 150 ? 60 : 5 + (i % 3)}`)].join('\n');
    const colour = { NO_COLOR: '', FORCE_COLOR: '1' };
    const json = [{}, colour].map((env) => {
      const moments = runCli(['moments', ...sampleArgs(db), '--json'], { home, env });
      expect(moments.status).toBe(0);
      expect((JSON.parse(moments.stdout) as unknown[]).length).toBeGreaterThanOrEqual(2);
      const detect = runCli(['detect', '--json'], { home, env, input: series });
      expect(detect.status).toBe(0);
      expect(JSON.parse(detect.stdout) as unknown[]).toHaveLength(200);
      for (const out of [moments.stdout, detect.stdout]) expect(out).not.toMatch(/\x1b/);
      return [moments.stdout, detect.stdout];
    });
    expect(json[1]).toEqual(json[0]);
    expect(runCli(['detect', '--format', 'table'], { home, env: colour, input: series }).stdout).not.toMatch(/\x1b/);
    const [plain, coloured] = [{}, colour].map((env) => runCli(['moments', ...sampleArgs(db)], { home, env }).stdout);
    expect(plain).not.toMatch(/\x1b/);
    expect(coloured).toMatch(/\x1b\[33m▲ spike\x1b\[39m/);
    expect(coloured!.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  }, 60_000);

  it('moments --csv and --ndjson describe the same moments as --json', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--quiet'], { home });
    const json = JSON.parse(runCli(['moments', ...sampleArgs(db), '--json'], { home }).stdout) as { topic: string }[];
    const nd = runCli(['moments', ...sampleArgs(db), '--ndjson'], { home }).stdout.trim().split('\n').map((l) => JSON.parse(l) as { topic: string });
    const csv = runCli(['moments', ...sampleArgs(db), '--csv'], { home }).stdout.trim().split('\r\n');
    expect(nd.map((m) => m.topic)).toEqual(json.map((m) => m.topic));
    expect(csv).toHaveLength(json.length + 1);
    expect(csv[0]!.startsWith('id,rank,topic,kind,direction,score')).toBe(true);
  });

  it('--alerts reports a burst once: an hourly run after the swing fired stays quiet until it grows', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--quiet'], { home });
    const swing = planted.planted[1]!;
    const at = (since: string, ...more: string[]) => runCli(['moments', ...sampleArgs(db), '--since', since, '--topic', swing.topic, '--json', ...more], { home });
    // still going at the end of the sample, so every window shows it...
    const going = JSON.parse(at('1h').stdout) as { ongoing: boolean; firedAt: string; alerts: number; alertedAt: string }[];
    expect(going).toHaveLength(1);
    expect(going[0]!.ongoing).toBe(true);
    expect(going[0]!.alerts).toBe(1);
    // ...but it alerted when it fired, hours before the last hour: an hourly --alerts run has nothing to say
    const quiet = at('1h', '--alerts', '--fail-on-moments');
    expect(quiet.stdout).toBe('[]\n');
    expect(quiet.status).toBe(0);
    // the run covering the time it fired reports it
    const hours = Math.ceil((Date.parse('2026-11-20T12:00:00Z') - Date.parse(going[0]!.alertedAt)) / 3_600_000) + 1;
    const fired = at(`${hours}h`, '--alerts', '--fail-on-moments');
    expect(fired.status).toBe(4);
    expect((JSON.parse(fired.stdout) as { alertedAt: string }[]).map((m) => m.alertedAt)).toEqual([going[0]!.alertedAt]);
  });

  it('--fail-on-moments exits 4 when there are moments, 0 with a filter that leaves none', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    expect(runCli(['scan', ...sampleArgs(db), '--json', '--fail-on-moments'], { home }).status).toBe(4);
    const quiet = runCli(['moments', ...sampleArgs(db), '--json', '--fail-on-moments', '--topic', planted.quiet[0]!], { home });
    expect(quiet.stdout).toBe('[]\n');
    expect(quiet.status).toBe(0);
  });
});

describe('momentscan errors', () => {
  it('a bad config exits 2 with one line naming the file and the field', () => {
    const home = tempDir();
    const cfg = path.join(home, 'bad.yaml');
    writeFileSync(cfg, 'topics:\n  - name: Acme\n    keywords: [acme]\n  - name: Globex\n    keyword: [globex]\n');
    const r = runCli(['scan', '--config', cfg], { home });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `momentscan: error: ${cfg}: topics[1].keyword: unknown field (did you mean "keywords"?); expected one of name, keywords, query, exclude, languages, stem, sources, feeds, bucket, tags — fix the config file (momentscan init writes a commented example)`,
    ]);
  });

  it('a file that is not a database exits 1, says so in one line, and is left as it was', () => {
    const home = tempDir();
    const db = path.join(home, 'notes.txt');
    writeFileSync(db, 'my precious notes\n');
    const r = runCli(['scan', ...sampleArgs(db)], { home });
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${db}: not a momentscan database`);
    expect(readFileSync(db, 'utf8')).toBe('my precious notes\n');
  });

  it('a folder that cannot be made (under /proc) is one line and exit 1 at once; it spun a core for ever (Node\'s recursive mkdir)', () => {
    const home = tempDir();
    const started = Date.now();
    const fetch = runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', '/proc/momentscan-audit/m.db'], { home });
    expect(fetch.status).toBe(1);
    expect(fetch.stderr).toMatch(/^momentscan: error: \/proc\/momentscan-audit: cannot create the database folder \(\w+\) — [^\n]+\n$/);
    const init = runCli(['init', '--config', '/proc/momentscan-audit/config.yaml'], { home });
    expect(init.status).toBe(1);
    expect(init.stderr).toMatch(/^momentscan: error: \/proc\/momentscan-audit\/config\.yaml: cannot write the config \(\w+\) — [^\n]+\n$/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('without a config, fetch explains how to start', () => {
    const home = tempDir();
    const r = runCli(['fetch'], { home });
    expect(r.status).toBe(3); // nothing fetched, as when every feed failed
    expect(r.stderr).toMatch(/no feeds configured — create a config with momentscan init/);
    const quiet = runCli(['fetch', '--quiet'], { home });
    expect(quiet.status).toBe(3);
    expect(quiet.stderr).toMatch(/no feeds configured/);
  });

  it.each([
    [['moments', '--since', 'yesterday'], /--since: cannot read "yesterday" as a time/],
    [['moments', '--as-of', '2026-13-45'], /--as-of: cannot read "2026-13-45" as a time/],
    [['moments', '--format', 'xml'], /argument 'xml' is invalid/],
    [['moments', '--json', '--csv'], /choose one output format, not json and csv/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage error %j exits 2', (args, message) => {
    const home = tempDir();
    const r = runCli([...args, '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', path.join(home, 'x.db')], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('momentscan init and help', () => {
  it('init writes the starter config to the XDG folder and will not overwrite it', () => {
    const home = tempDir();
    const r = runCli(['init'], { home });
    expect(r.status).toBe(0);
    const file = path.join(home, '.config', 'momentscan', 'config.yaml');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('topics:');
    const again = runCli(['init'], { home });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('a config file already exists — edit it, or pass --force');
  });

  it('--help lists the commands and exits 0; --version prints the version', () => {
    const home = tempDir();
    const help = runCli(['--help'], { home });
    expect(help.status).toBe(0);
    for (const c of ['init', 'fetch', 'moments', 'scan']) expect(help.stdout).toContain(c);
    const version = runCli(['--version'], { home });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('momentscan moments --backtest', () => {
  it('lists, oldest first, what would have fired and when, sums up alerts per week, and records nothing', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--quiet'], { home });
    const r = runCli(['moments', ...sampleArgs(db), '--since', '21d', '--backtest', '--json'], { home });
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { topic: string; kind: string; firedAt: string; firstSeenAt: string }[];
    const fired = rows.map((m) => Date.parse(m.firedAt));
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
    expect(rows.map((m) => m.topic)).toEqual(expect.arrayContaining(['Acme Robotics', 'Northwind Airlines']));
    expect(rows.every((m) => m.firstSeenAt === m.firedAt)).toBe(true);
    expect(r.stderr).toMatch(/^backtest: .* \(3\.0 weeks\): \d+ alerts?, [\d.]+ a week$/m);
    expect(r.stderr).toMatch(/^backtest: {3}Initech: 0 alerts, 0\.0 a week$/m);
    // nothing recorded: a later digest or moments run does not see these as already reported
    const again = JSON.parse(runCli(['moments', ...sampleArgs(db), '--json'], { home }).stdout) as { firstSeenAt: string }[];
    expect(again.every((m) => m.firstSeenAt === planted.asOf)).toBe(true);
  });

  // --limit cut the replay's counts with the list: '--limit 1' said 'Northwind Airlines: 0 alerts' of a topic that fired
  it('--limit cuts the list, not the counts on stderr', () => {
    const home = tempDir();
    const db = path.join(home, 's.db');
    runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', db, '--quiet'], { home });
    const all = runCli(['moments', ...sampleArgs(db), '--since', '21d', '--backtest', '--json'], { home });
    const one = runCli(['moments', ...sampleArgs(db), '--since', '21d', '--backtest', '--json', '--limit', '1'], { home });
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout)).toHaveLength(1);
    expect((JSON.parse(all.stdout) as unknown[]).length).toBeGreaterThan(1);
    expect(one.stderr).toBe(all.stderr);
    expect(one.stderr).toMatch(/^backtest: {3}Northwind Airlines: [1-9]\d* alerts?, /m);
  });
});

describe('sub-command mistakes', () => {
  it.each([
    [['feeds', 'tset', 'x.xml'], 'momentscan: error: unknown command "tset" for momentscan feeds — did you mean momentscan feeds test? See momentscan feeds test --help\n'],
    [['help', 'nope'], /^momentscan: error: unknown command "nope" — the commands are init, fetch, feeds, .*; see momentscan --help\n$/],
    // usage errors are one line, as the README says every error is, the hint after the dash
    [['fetch', '--bogus'], "momentscan: error: unknown option '--bogus' — see momentscan fetch --help for usage\n"],
    [['feeds', 'test'], "momentscan: error: missing required argument 'source' — see momentscan feeds test --help for usage\n"],
    [['moments', '--jsn'], "momentscan: error: unknown option '--jsn' — did you mean --json? See momentscan moments --help for usage\n"],
    // a period's end by another name: --as-of ends it (it said only "see momentscan moments --help")
    [['moments', '--until', '2026-11-20'], "momentscan: error: unknown option '--until' — the period ends at --as-of: --since 7d --as-of 2026-11-20T12:00:00Z is the 7 days up to then. See momentscan moments --help for usage\n"],
    [['items', '--to=2026-11-20'], "momentscan: error: unknown option '--to=2026-11-20' — the period ends at --as-of: --since 7d --as-of 2026-11-20T12:00:00Z is the 7 days up to then. See momentscan items --help for usage\n"],
    [['moments', 'extra'], "momentscan: error: too many arguments for 'moments'. Expected 0 arguments but got 1 — see momentscan moments --help for usage\n"],
    [['moments', '--limit'], "momentscan: error: option '-n, --limit <n>' argument missing — see momentscan moments --help for usage\n"],
    [['fetch', '--concurrency', '0'], "momentscan: error: option '--concurrency <n>' argument '0' is invalid. --concurrency takes a whole number from 1 to 256 — see momentscan fetch --help for usage\n"],
    // an unknown command is worded one way wherever it is made, the commands listed when none is close
    // (the top level said "unknown command 'frobnicate' — see momentscan --help for usage", listing none;
    // 'silence lst' said "too many arguments for 'list'")
    [['frobnicate'], /^momentscan: error: unknown command "frobnicate" — the commands are init, fetch, feeds, items, .*, accounts; see momentscan --help\n$/],
    [['momnets'], 'momentscan: error: unknown command "momnets" — did you mean momentscan moments? See momentscan moments --help\n'],
    [['feeds', 'lst'], 'momentscan: error: unknown command "lst" for momentscan feeds — did you mean momentscan feeds list? See momentscan feeds list --help\n'],
    [['silence', 'lst'], 'momentscan: error: unknown command "lst" for momentscan silence — did you mean momentscan silence list? See momentscan silence list --help\n'],
    [['accounts', 'lst'], 'momentscan: error: unknown command "lst" for momentscan accounts — did you mean momentscan accounts list? See momentscan accounts list --help\n'],
    [['notify', 'zzz'], 'momentscan: error: unknown command "zzz" for momentscan notify — the commands are run, test, list; see momentscan notify --help\n'],
    // the default sub-command named, a word after it is one too many (not an unknown command)
    [['silence', 'list', 'extra'], "momentscan: error: too many arguments for 'list'. Expected 0 arguments but got 1 — see momentscan silence list --help for usage\n"],
    [['feeds', 'list', 'extra'], "momentscan: error: too many arguments for 'list'. Expected 0 arguments but got 1 — see momentscan feeds list --help for usage\n"],
    [['db', 'mgirate'], 'momentscan: error: unknown command "mgirate" for momentscan db — did you mean momentscan db migrate? See momentscan db migrate --help\n'],
    // an unset variable in a script (feeds test "$URL") read the current folder: ": /tmp/x is a folder, not a feed file", exit 1
    [['feeds', 'test', ' '], 'momentscan: error: feeds test: the source is empty — give a feed URL, a file, or ndjson:FILE\n'],
  ])('%j: names the mistake, suggests the closest command, points to its help (exit 2)', (args, stderr) => {
    const r = runCli(args, { home: tempDir() });
    expect(r.status).toBe(2);
    if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
    else expect(r.stderr).toMatch(stderr);
  });

  it('help feeds test shows the help of feeds test', () => {
    const r = runCli(['help', 'feeds', 'test'], { home: tempDir() });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: momentscan feeds test \[options\] <source>/);
  });

  it('notify --help lists the options notify takes (those of notify run, what notify alone runs), all three ways of asking', () => {
    for (const args of [['notify', '--help'], ['notify', '-h'], ['help', 'notify']]) {
      const r = runCli(args, { home: tempDir() });
      expect(r.status).toBe(0);
      const options = r.stdout.split('\nOptions:\n')[1]!.split('\nCommands:\n')[0]!;
      for (const o of ['-s, --since <when>', '--as-of <time>', '--sensitivity <level>', '-h, --help']) expect(options).toContain(`  ${o}`);
    }
  });

  it.each([
    ['feeds', ['--json', '--fields <list>', '--no-headers']],
    ['silence', ['--all', '--json', '--csv']],
    ['events', ['-t, --topic <name>', '-s, --since <when>', '--json']],
    ['accounts', ['-f, --format <format>', '--json', '--ndjson']],
  ])('%s --help lists the options of its default list sub-command too (`feeds --json` runs feeds list), all three ways of asking', (cmd, wanted) => {
    for (const args of [[cmd, '--help'], [cmd, '-h'], ['help', cmd]]) {
      const r = runCli(args, { home: tempDir() });
      expect(r.status).toBe(0);
      const options = r.stdout.split('\nOptions:\n')[1]!.split('\nCommands:\n')[0]!;
      for (const o of [...wanted, '-h, --help']) expect(options).toContain(`  ${o}`);
      expect(options.trimEnd().endsWith('display help for command')).toBe(true);
    }
  });

  it.each([
    [['events', 'add', 'Acme', '--since', '1d'], '--since', 'events add'],
    [['notify', 'list', '--as-of', '1h'], '--as-of', 'notify list'],
    [['silence', 'add', 'Acme', '--all'], '--all', 'silence add'],
  ])('%j: an option of the default sub-command is not suggested for itself under another sub-command', (args, flag, cmd) => {
    const r = runCli(args, { home: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`momentscan: error: unknown option '${flag}' — see momentscan ${cmd} --help for usage\n`);
  });
});

describe('small things a newcomer hit', () => {
  it('init -c ./my.yaml suggests the next command with -c', () => {
    const home = tempDir();
    const r = runCli(['init', '-c', './my.yaml'], { home, cwd: home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`momentscan: wrote ${path.join(home, 'my.yaml')}; edit its topics and feeds, then run momentscan scan --config ./my.yaml\n`);
  });

  it.each(['0m', '00h', '-5m'])('detect --resolution %s is a usage error', (res) => {
    const r = runCli(['detect', '--resolution', res], { home: tempDir(), input: 'timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,2\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--resolution: expected 5m, 30m, 1h, 1d... (at least 1m), got "${res}"`);
  });

  it('items --explain keeps a topic named __proto__', () => {
    const home = tempDir();
    const config = path.join(home, 'c.yaml');
    writeFileSync(config, `topics:\n  - name: __proto__\n    keywords: [acme]\n    feeds: [${path.join(ROOT, 'fixtures', 'feeds', 'google-news.rss.xml')}]\n`);
    const db = path.join(home, 'm.db');
    expect(runCli(['fetch', '--config', config, '--db', db, '--quiet'], { home }).status).toBe(0);
    const r = runCli(['items', '--config', config, '--db', db, '--explain', '--json', '--since', '3650d'], { home });
    expect(r.status, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout) as { topics: string[]; why: Record<string, string[]> }[];
    expect(items.length).toBeGreaterThan(0);
    for (const it of items) expect(Object.keys(it.why)).toEqual(['__proto__']);
  });
});
