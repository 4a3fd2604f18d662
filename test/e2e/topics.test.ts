import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const BASE = '# mine\ntopics:\n  - name: Acme   # ours\n    keywords: [ acme ]\nnotify:\n  channels:\n    desk: { type: slack, url: "https://hooks.slack.com/services/x" }\n  routes:\n    - channels: [desk]\n      topics: [Acme]\n';

function setup(text = BASE) {
  const home = tempDir();
  const config = path.join(home, 'momentscan.yaml');
  writeFileSync(config, text);
  return { home, config, cli: (...args: string[]) => runCli([...args, '--config', config], { home }) };
}

/** An RSS feed of these titles, one a day before 2026-11-20. */
function rss(titles: string[]): string {
  const items = titles.map((t, i) => `<item><title>${t}</title><link>https://news.example/${encodeURIComponent(t)}</link><guid>${encodeURIComponent(t)}</guid><pubDate>${new Date(Date.UTC(2026, 10, 19 - i, 9)).toUTCString()}</pubDate></item>`);
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>wire</title>${items.join('')}</channel></rss>\n`;
}

describe('momentscan topics add', () => {
  it('adds a topic with keywords, exclusions and sources, every other line as written; the same again is a note, another definition an error', () => {
    const { config, cli } = setup();
    const r = cli('topics', 'add', 'Globex', '--keywords', 'globex, globex corp', '--exclude', 'globex markets', '--source', 'google-news', '--source', 'reddit:robotics');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `momentscan: topic Globex added (query: ("globex" OR "globex corp") -"globex markets"; 2 feeds from its sources); the next fetch matches every stored item against it, so its history counts at once — ${config}\n`,
    );
    const text = readFileSync(config, 'utf8');
    expect(text).toBe(BASE.replace('keywords: [ acme ]\n', 'keywords: [ acme ]\n  - name: Globex\n    keywords: [globex, globex corp]\n    exclude: [globex markets]\n    sources:\n      - google-news\n      - reddit: robotics\n'));
    const topics = JSON.parse(cli('topics', '--json', '--db', path.join(path.dirname(config), 'none.db')).stdout) as { name: string; feeds: number }[];
    expect(topics.map((t) => [t.name, t.feeds])).toEqual([['Acme', 0], ['Globex', 2]]);
    const again = cli('topics', 'add', 'globex', '--keywords', 'globex,globex corp', '--exclude', 'globex markets', '--source', 'google-news', '--source', 'reddit:robotics');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toBe(`momentscan: topic Globex is already configured so; the config is left as it was — ${config}\n`);
    const other = cli('topics', 'add', 'GLOBEX', '--keywords', 'globex');
    expect(other.status).toBe(2);
    expect(other.stderr).toBe(
      'momentscan: error: topics add: topic Globex already exists, with query ("globex" OR "globex corp") -"globex markets" and 2 feeds — momentscan topics remove Globex first to define it anew (its stored history is kept); nothing was written\n',
    );
    expect(readFileSync(config, 'utf8')).toBe(text);
  });

  it.each([
    [['--query', 'initech OR'], 'topics add: --query: OR at the end of the query: it needs a term after it at column 9 of "initech OR" — nothing was written'],
    [['--keywords', '#, &'], 'topics add: --keywords: expected a keyword or phrase with letters or digits, got "#", "&" (words are matched, not punctuation) — nothing was written'],
    [['--keywords', 'x', '--source', 'bogus'], 'topics add: --source bogus: unknown source "bogus"; expected one of google-news, google-alerts, bing-news, reddit, hackernews, mastodon, ndjson, rss, or a feed URL — nothing was written'],
    [['--keywords', 'x', '--query', 'x'], 'topics add: give --keywords or --query, not both'],
    [[], 'topics add: give what its items say, with --keywords a,b (any of them) or --query Q — e.g. momentscan topics add Initech --keywords "initech"'],
    [['--keywords', 'two\nlines'], '--keywords: "two lines" holds a line break, a control character or an escape sequence — give one line of plain text'],
  ])('a bad definition (%j) is one usage error naming the flag, and the config is left as it was', (args, message) => {
    const { config, cli } = setup();
    const r = cli('topics', 'add', 'Initech', ...args);
    expect(r.stderr).toBe(`momentscan: error: ${message}\n`);
    expect(r.status).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe(BASE);
  });

  it('hostile names: YAML syntax reads back as typed, an escape sequence or 10,000 characters is refused', () => {
    const { config, cli } = setup();
    const name = 'Acme: "Robotics" #1 - [x] & *y';
    const r = cli('topics', 'add', name, '--keywords', 'acme robotics', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ schemaVersion: 1, config, dryRun: false, added: true, name, query: '"acme robotics"', feeds: [] });
    const listed = JSON.parse(cli('topics', '--json', '--db', path.join(path.dirname(config), 'none.db')).stdout) as { name: string }[];
    expect(listed.map((t) => t.name)).toEqual(['Acme', name]);
    const text = readFileSync(config, 'utf8');
    for (const bad of ['\u001b[2J\u001b[31mEvil', 'x'.repeat(10_000)]) {
      const refused = cli('topics', 'add', bad, '--keywords', 'evil');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/^momentscan: error: topics add: the name: ("Evil" holds a line break, a control character or an escape sequence|at most 100 characters, got 10,000) — /);
      expect(readFileSync(config, 'utf8')).toBe(text);
    }
  });

  it('--dry-run prints the config as it would be and writes nothing; the file is written through its link, with its mode', () => {
    const { home } = setup();
    const dotfiles = path.join(home, 'dotfiles');
    mkdirSync(dotfiles);
    const real = path.join(dotfiles, 'momentscan.yaml');
    writeFileSync(real, BASE, { mode: 0o600 });
    chmodSync(real, 0o600);
    const link = path.join(home, 'linked.yaml');
    symlinkSync(real, link);
    const dry = runCli(['topics', 'add', 'Initech', '--query', 'initech -"office space"', '--dry-run', '--config', link], { home });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(BASE.replace('keywords: [ acme ]\n', 'keywords: [ acme ]\n  - name: Initech\n    query: initech -"office space"\n'));
    expect(readFileSync(real, 'utf8')).toBe(BASE);
    // --json with --dry-run says it would be added (it said added: false, as for a topic already there)
    const dryJson = runCli(['topics', 'add', 'Initech', '--query', 'initech -"office space"', '--dry-run', '--json', '--config', link], { home });
    expect(dryJson.status, dryJson.stderr).toBe(0);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({ dryRun: true, added: true, name: 'Initech' });
    expect(readFileSync(real, 'utf8')).toBe(BASE);
    const r = runCli(['topics', 'add', 'Initech', '--query', 'initech -"office space"', '--config', link], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(real, 'utf8')).toBe(dry.stdout);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dotfiles)).toEqual(['momentscan.yaml']);
  });
});

describe('a config write the system refuses', () => {
  it('under a file size limit (ulimit -f) the config is left whole: one line saying what stops it, exit 1, no file left beside it', () => {
    const { home, config } = setup(`# ${'x'.repeat(10_000)}\n${BASE}`);
    const before = readFileSync(config, 'utf8');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' };
    // (4 blocks: 2 or 4 KB as the shell counts them; SIGXFSZ is ignored by Node, so the write fails with EFBIG)
    const r = spawnSync('sh', ['-c', `ulimit -f 4; exec "${process.execPath}" "${BIN}" topics add Globex --keywords globex --config "${config}"`], { env, encoding: 'utf8' });
    expect(r.stderr).toBe(`momentscan: error: ${config}: cannot write the config (EFBIG) — a file size limit (ulimit -f) stops it: raise it; it was left as it was\n`);
    expect(r.status).toBe(1);
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(readdirSync(home)).toEqual(['momentscan.yaml']);
  });

  it('a config the edit would make larger than 1 MB is refused, and left as it was', () => {
    const { config, cli } = setup(`# ${'x'.repeat((1 << 20) - 2 - BASE.length - 20)}\n${BASE}`);
    const before = readFileSync(config, 'utf8');
    const r = cli('topics', 'add', 'Globex', '--keywords', 'globex, globex corporation, globex industries');
    expect(r.stderr).toBe(`momentscan: error: topics add: adding it would make the config 1.0 MB, more than the 1 MB momentscan reads — ${config} is left as it was\n`);
    expect(r.status).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });
});

describe('momentscan topics remove', () => {
  it('removes a topic; its history stays in the database, unseen, and comes back whole with the topic, items stored meanwhile included', () => {
    const { home, config, cli } = setup('# mine\nfetch: { interval: 0s }\ntopics:\n  - name: Acme   # ours\n    keywords: [ acme ]\n  - name: Wire\n    keywords: [wire]\nfeeds:\n  - wire.xml\n');
    const db = path.join(home, 'm.db');
    const feed = path.join(home, 'wire.xml');
    writeFileSync(feed, rss(['acme one wire', 'acme two wire']));
    const at = ['--db', db, '--as-of', '2026-11-20T00:00:00Z', '--since', '30d'];
    const acmeItems = () => (JSON.parse(cli('items', '--topic', 'acme', '--json', ...at).stdout) as { title: string }[]).map((i) => i.title).sort();
    expect(cli('fetch', '--db', db, '--quiet').status).toBe(0);
    expect(acmeItems()).toEqual(['acme one wire', 'acme two wire']);
    const r = cli('topics', 'remove', 'acme', '--db', db);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`momentscan: removed topic Acme; its items, counts, moments and labels stay in the database, unseen until a topic of that name is added again — ${config}\n`);
    expect(readFileSync(config, 'utf8')).toBe('# mine\nfetch: { interval: 0s }\ntopics:\n  - name: Wire\n    keywords: [wire]\nfeeds:\n  - wire.xml\n');
    // unseen: no command names it
    expect(cli('items', '--topic', 'acme', ...at).stderr).toMatch(/^momentscan: error: --topic: no topic named "acme" in the config — topics are: Wire\n$/);
    const items = JSON.parse(cli('items', '--json', ...at).stdout) as { topics: string[] }[];
    expect(items).toHaveLength(2);
    expect(items.every((i) => i.topics.join() === 'Wire')).toBe(true);
    // a fetch while it is away stores an item it would have matched
    writeFileSync(feed, rss(['acme one wire', 'acme two wire', 'acme three wire']));
    expect(cli('fetch', '--db', db, '--quiet').status).toBe(0);
    expect(cli('topics', 'add', 'Acme', '--keywords', 'acme').status).toBe(0);
    expect(acmeItems()).toEqual(['acme one wire', 'acme three wire', 'acme two wire']);
    expect((JSON.parse(cli('topics', '--json', '--db', db).stdout) as { name: string; items: number }[]).map((t) => [t.name, t.items])).toEqual([['Wire', 3], ['Acme', 3]]);
  });

  it('all or none: an unknown topic, or one a notify route names, is a usage error and nothing is removed', () => {
    const { config, cli } = setup(BASE.replace('topics:\n', 'topics:\n  - name: Globex\n    keywords: [globex]\n'));
    const before = readFileSync(config, 'utf8');
    const unknown = cli('topics', 'remove', 'globex', 'nope');
    expect(unknown.stderr).toBe('momentscan: error: topics remove: no topic named "nope" in the config — topics are: Globex, Acme\n');
    expect(unknown.status).toBe(2);
    const routed = cli('topics', 'remove', 'acme');
    expect(routed.stderr).toBe(`momentscan: error: topics remove: without Acme the config would not load: notify.routes[0].topics[0]: no topic named "Acme"; topics are: Globex — edit that line of ${config} first; nothing was removed\n`);
    expect(routed.status).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe(before);
    const json = cli('topics', 'remove', 'globex', '--dry-run', '--json');
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ schemaVersion: 1, config, dryRun: true, removed: [{ name: 'Globex', query: '"globex"', feeds: [] }] });
    expect(readFileSync(config, 'utf8')).toBe(before);
  });
});

describe('a first run with no config', () => {
  it('topics and feeds say how to add one (they said only "No topics configured.")', () => {
    const home = tempDir();
    const topics = runCli(['topics'], { home });
    expect(topics.status, topics.stderr).toBe(0);
    expect(topics.stdout).toContain('No topics configured — add one with `momentscan topics add NAME --keywords a,b`');
    const feeds = runCli(['feeds'], { home });
    expect(feeds.status, feeds.stderr).toBe(0);
    expect(feeds.stdout).toContain('No feeds configured — add one with `momentscan feeds add URL`');
  });
});

describe('momentscan topics rename', () => {
  it('renames a topic in the config (its notify routes too) and the database: its items, counts and silences follow it', () => {
    const base = BASE.replace('topics:\n', 'fetch: { interval: 0s }\ntopics:\n').replace('notify:', '  - name: Wire\n    keywords: [wire]\nfeeds:\n  - wire.xml\nnotify:');
    const { home, config, cli } = setup(base);
    const db = path.join(home, 'm.db');
    writeFileSync(path.join(home, 'wire.xml'), rss(['acme one wire', 'acme two wire']));
    expect(cli('fetch', '--db', db, '--quiet').status).toBe(0);
    expect(cli('silence', 'add', 'acme', '--for', '2h', '--db', db).status).toBe(0);
    const dry = cli('topics', 'rename', 'acme', 'Acme Robotics', '--db', db, '--dry-run', '--json');
    expect(dry.status, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ schemaVersion: 1, config, dryRun: true, renamed: true, from: 'Acme', to: 'Acme Robotics', history: true });
    expect(readFileSync(config, 'utf8')).toBe(base);
    const r = cli('topics', 'rename', 'acme', 'Acme Robotics', '--db', db);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`momentscan: topic Acme renamed Acme Robotics; its history in the database (items, counts, moments, labels, events, silences) follows it — ${config}\n`);
    expect(readFileSync(config, 'utf8')).toBe(base.replace('name: Acme   # ours', 'name: Acme Robotics # ours').replace('topics: [Acme]', 'topics: [Acme Robotics]'));
    const at = ['--db', db, '--as-of', '2026-11-20T00:00:00Z', '--since', '30d'];
    const titles = (JSON.parse(cli('items', '--topic', 'acme robotics', '--json', ...at).stdout) as { title: string }[]).map((i) => i.title).sort();
    expect(titles).toEqual(['acme one wire', 'acme two wire']);
    const topics = JSON.parse(cli('topics', '--json', '--db', db).stdout) as { name: string; items: number }[];
    expect(topics.map((t) => [t.name, t.items])).toEqual([['Acme Robotics', 2], ['Wire', 2]]);
    expect((JSON.parse(cli('silence', 'list', '--json', '--db', db).stdout) as { topic: string }[]).map((s) => s.topic)).toEqual(['Acme Robotics']);
  });

  it('refuses a new name the config or the database already has, and changes nothing', () => {
    const base = '# mine\nfetch: { interval: 0s }\ntopics:\n  - name: Acme\n    keywords: [acme]\n  - name: Wire\n    keywords: [wire]\n  - name: Old\n    keywords: [old]\nfeeds:\n  - wire.xml\n';
    const { home, config, cli } = setup(base);
    const db = path.join(home, 'm.db');
    writeFileSync(path.join(home, 'wire.xml'), rss(['acme one wire', 'old two wire']));
    expect(cli('fetch', '--db', db, '--quiet').status).toBe(0);
    const inConfig = cli('topics', 'rename', 'acme', 'WIRE', '--db', db);
    expect(inConfig.stderr).toBe('momentscan: error: topics rename: topic Wire already exists in the config — give another name, or momentscan topics remove Wire first; nothing was written\n');
    expect(inConfig.status).toBe(2);
    expect(cli('topics', 'remove', 'old', '--db', db, '--quiet').status).toBe(0);
    const after = readFileSync(config, 'utf8');
    for (const dry of [[], ['--dry-run']]) {
      const inDb = cli('topics', 'rename', 'acme', 'old', '--db', db, ...dry);
      expect(inDb.stderr).toBe(`momentscan: error: ${db}: the database already holds a topic "Old", another history than Acme's — give another name, or momentscan topics add "Old" to have that history back; nothing was renamed\n`);
      expect(inDb.status).toBe(2);
    }
    expect(readFileSync(config, 'utf8')).toBe(after);
    const topics = JSON.parse(cli('topics', '--json', '--db', db).stdout) as { name: string; items: number }[];
    expect(topics.map((t) => [t.name, t.items])).toEqual([['Acme', 1], ['Wire', 2]]);
  });
});

describe('a reading command run with a config whose topic is defined otherwise', () => {
  it('says in one line on stderr that the stored items were matched again, once; stdout stays data', () => {
    const base = '# mine\nfetch: { interval: 0s }\ntopics:\n  - name: Acme\n    keywords: [acme]\nfeeds:\n  - wire.xml\n';
    const { home, config, cli } = setup(base);
    const db = path.join(home, 'm.db');
    writeFileSync(path.join(home, 'wire.xml'), rss(['acme one wire', 'acme two wire', 'globex three wire']));
    expect(cli('fetch', '--db', db, '--quiet').status).toBe(0);
    writeFileSync(config, base.replace('keywords: [acme]', 'keywords: [two]').replace('topics:\n', 'topics:\n  - name: Wire\n    keywords: [wire]\n'));
    const at = ['--db', db, '--as-of', '2026-11-20T00:00:00Z', '--since', '30d'];
    const r = cli('items', '--topic', 'acme', '--json', ...at);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { title: string }[]).map((i) => i.title)).toEqual(['acme two wire']);
    expect(r.stderr).toBe(
      'momentscan: warning: topic Wire is new to this database: its 3 stored items were matched against it, and 3 match it\n' +
        'momentscan: warning: topic Acme is defined otherwise than when the stored items were matched to it (then query "acme"; now query "two"): the 3 stored items were matched again, 1 matches it now, and its counts and moments follow this config — a run with the config the database is fetched with matches them back\n',
    );
    // said once: the next reading command finds the matches made
    const again = cli('moments', '--json', ...at);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/defined otherwise|new to this database/);
  });
});
