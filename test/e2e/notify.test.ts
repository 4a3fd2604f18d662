import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startCli, withTimeout } from '../helpers/spawn.js';
import { startSmtp } from '../helpers/smtp.js';
import { freshDatabase, optionsOf } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { SyncPg } from '../../src/store/pg/bridge.js';

// momentscan notify against real HTTP receivers on 127.0.0.1 standing in for Slack, Teams, Discord and a
// generic Standard Webhooks endpoint, on the sample data at 2026-11-20 12:00 UTC (one alert in the last
// 24 hours: the Northwind Airlines tone shift, fired 2026-11-19 18:00).
const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const AS_OF = '2026-11-20T12:00:00Z';
const SECRET = `whsec_${Buffer.from('momentscan-notify-test-secret-32b').toString('base64')}`;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Behaviour = (req: Received, res: ServerResponse, n: number) => void;

async function receiver(behaviours: Record<string, Behaviour> = {}) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = { path: req.url ?? '/', headers: req.headers, body };
      received.push(r);
      const n = (counts.get(r.path) ?? 0) + 1;
      counts.set(r.path, n);
      const b = behaviours[r.path];
      if (b) b(r, res, n);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: (p: string) => `http://127.0.0.1:${port}${p}`, received, at: (p: string) => received.filter((r) => r.path === p) };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

let template: string;
let templateDir: string;
afterAll(() => rmSync(templateDir, { recursive: true, force: true }));
beforeAll(() => {
  // fetched once for the file (tempDir() folders go after each test)
  const dir = (templateDir = mkdtempSync(path.join(os.tmpdir(), 'momentscan-notify-db-')));
  template = path.join(dir, 'sample.db');
  const r = runCli(['fetch', '--config', path.join(SAMPLE, 'momentscan.yaml'), '--db', template, '--quiet'], { home: dir });
  expect(r.status).toBe(0);
}, 60_000);

/**
 * A home with the sample's topics, the given notify section, a signing secret and a copy of the sample
 * database (or `o.db`, a PostgreSQL database, left as it is: fetch into it first).
 */
function setup(notify: string, extra = '', o: { db?: string; bucket?: string } = {}) {
  const home = tempDir();
  const config = path.join(home, 'config.yaml');
  const topics = [
    ['Acme Robotics', 'acme robotics, acme', 'acme-news.rss.xml', 'acme-reddit.atom.xml'],
    ['Northwind Airlines', 'northwind', 'northwind-news.rss.xml', 'northwind-reddit.atom.xml'],
    ['Globex', 'globex', 'globex-news.rss.xml', null],
  ] as const;
  const yaml = [
    `defaults: { bucket: ${o.bucket ?? '6h'}, baseline: 14d }`,
    'topics:',
    ...topics.flatMap(([name, kw, a, b]) => [
      `  - name: ${name}`,
      `    keywords: [${kw}]`,
      '    feeds:',
      `      - { url: ${path.join(SAMPLE, 'feeds', a)}, kind: google-news }`,
      ...(b ? [`      - { url: ${path.join(SAMPLE, 'feeds', b)}, kind: reddit }`] : []),
    ]),
    extra,
    'notify:',
    notify,
  ].join('\n');
  writeFileSync(config, yaml);
  writeFileSync(path.join(home, 'secret'), `${SECRET}\n`);
  const db = o.db ?? path.join(home, 's.db');
  if (!o.db) copyFileSync(template, db);
  const run = async (args: string[]) => withTimeout(startCli([...args, '--config', config, '--db', db], { home }).exited, 60_000, `momentscan ${args.join(' ')}`);
  const start = (args: string[]) => startCli([...args, '--config', config, '--db', db], { home });
  return { home, config, db, run, start };
}

const deliveries = async (s: ReturnType<typeof setup>) => JSON.parse((await s.run(['notify', 'list', '--json'])).stdout) as Record<string, unknown>[];

describe('momentscan notify', () => {
  it('a route with skipPlanned does not send a moment overlapping a planned event; another route sends it, marked planned', async () => {
    const rx = await receiver();
    const s = setup(`  channels:
    quiet: { type: slack, url: "${rx.url('/quiet')}" }
    all: { type: webhook, url: "${rx.url('/all')}", secretFile: secret }
  routes:
    - channels: [quiet]
      skipPlanned: true
    - channels: [all]`);
    const added = await s.run(['events', 'add', 'northwind', '--from', '2026-11-19T00:00:00Z', '--to', '2026-11-20T00:00:00Z', '--note', 'winter schedule']);
    expect(added.status, added.stderr).toBe(0);
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.status, r.stderr).toBe(0);
    expect(rx.received.map((x) => x.path)).toEqual(['/all']);
    const hook = rx.at('/all')[0]!;
    const payload = new Webhook(SECRET).verify(hook.body, hook.headers as Record<string, string>) as { data: Record<string, unknown> };
    expect(payload.data).toMatchObject({ topic: 'Northwind Airlines', planned: true, events: [{ note: 'winter schedule' }] });
    expect(typeof payload.data.id).toBe('number');
  });

  it('delivers the alert once to Slack, Teams, Discord and a signed webhook; the next run sends nothing', async () => {
    const rx = await receiver();
    const s = setup(`  channels:
    desk: { type: slack, url: "${rx.url('/slack')}" }
    teams: { type: teams, url: "${rx.url('/teams')}" }
    disc: { type: discord, url: "${rx.url('/discord')}" }
    hook: { type: webhook, url: "${rx.url('/hook')}", secretFile: secret }
  routes:
    - channels: [desk, teams, disc, hook]`);
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.stderr).toContain('4 delivered in 4 messages, 0 to retry, 0 failed');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(rx.received.map((x) => x.path).sort()).toEqual(['/discord', '/hook', '/slack', '/teams']);

    const slack = JSON.parse(rx.at('/slack')[0]!.body) as { text: string; blocks: { type: string }[] };
    expect(slack.text).toContain('Northwind Airlines: negative tone shift');
    expect(slack.blocks[0]!.type).toBe('header');
    const teams = JSON.parse(rx.at('/teams')[0]!.body) as { attachments: { contentType: string; content: { version: string } }[] };
    expect(teams.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', content: { version: '1.4' } });
    const discord = JSON.parse(rx.at('/discord')[0]!.body) as { allowed_mentions: unknown };
    expect(discord.allowed_mentions).toEqual({ parse: [] });

    const hook = rx.at('/hook')[0]!;
    const payload = new Webhook(SECRET).verify(hook.body, hook.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: 'moment.detected', timestamp: '2026-11-20T00:00:00Z' });
    expect(payload.data).toMatchObject({ schemaVersion: 1, topic: 'Northwind Airlines', kind: 'sentiment-shift', direction: 'negative', alerts: 1 });
    // the record is the moments --json contract
    const moments = JSON.parse((await s.run(['moments', '--json', '--as-of', AS_OF, '--since', '24h', '--alerts'])).stdout) as Record<string, unknown>[];
    expect(Object.keys(payload.data).sort()).toEqual(Object.keys(moments[0]!).sort());

    const list = await deliveries(s);
    expect(list.map((d) => `${d.channel} ${d.event} ${d.status}`).sort()).toEqual([
      'desk moment.detected sent',
      'disc moment.detected sent',
      'hook moment.detected sent',
      'teams moment.detected sent',
    ]);
    // webhook-id is the outbox id
    expect(hook.headers['webhook-id']).toBe(list.find((d) => d.channel === 'hook')!.id);

    const again = await s.run(['notify', '--as-of', AS_OF]);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('0 newly queued; 0 delivered');
    expect(rx.received).toHaveLength(4);
  });

  it('after a gap longer than notify.lookback (the machine was off): a moment over by then is named once as missed, not sent; the others are delivered', async () => {
    const rx = await receiver();
    const s = setup(`  channels:
    hook: { type: webhook, url: "${rx.url('/hook')}", secretFile: secret }
  routes:
    - channels: [hook]`);
    expect((await s.run(['notify', '--as-of', '2026-11-18T00:00:00Z'])).status).toBe(0);
    // off from then until 2026-11-20 09:00: the Acme spike fired (2026-11-18 18:00) and was over (2026-11-19 21:00) meanwhile
    const r = await s.run(['notify', '--as-of', '2026-11-20T09:00:00Z']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      'momentscan: warning: notify: missed while notify was not running, over before this run, not sent: Acme Robotics volume spike (fired 2026-11-18 18:00 UTC, over by 2026-11-19 21:00 UTC) to hook — see momentscan notify list',
    );
    expect(rx.at('/hook').map((x) => (JSON.parse(x.body) as { data: { topic: string } }).data.topic)).toEqual(['Northwind Airlines']);
    const list = await deliveries(s);
    expect(list.map((d) => `${d.topic} ${d.status} ${String(d.error).slice(0, 30)}`).sort()).toEqual([
      'Acme Robotics failed missed: it fired 2026-11-18 18',
      'Northwind Airlines sent null',
    ]);
    // said once: the next run has nothing to say of it
    const next = await s.run(['notify', '--as-of', '2026-11-20T10:00:00Z']);
    expect(next.stderr).not.toContain('missed');
    expect(rx.received).toHaveLength(1);
  });

  it('after a gap of more than 30 days: a warning says from when alerts were not looked at', async () => {
    const rx = await receiver();
    const s = setup(`  channels:\n    hook: { type: webhook, url: "${rx.url('/hook')}", secretFile: secret }\n  routes:\n    - channels: [hook]`);
    expect((await s.run(['notify', '--as-of', '2026-10-01T00:00:00Z'])).status).toBe(0);
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      'momentscan: warning: notify: it last ran for 2026-10-01 00:00 UTC; alerts before 2026-10-21 12:00 UTC (30 days back) are not looked at — see momentscan moments --since 2026-10-01T00:00:00Z',
    );
  });

  /**
   * notify run at 2026-11-18 00:00, then off until 2026-11-19 12:00 (lookback 12h), to a signed webhook and Slack:
   * the Acme spike fired at 2026-11-18 18:00, before the 12 hours looked at, and goes on. `args` go to both runs.
   */
  async function sentLate(args: string[] = []) {
    const rx = await receiver();
    const s = setup(`  lookback: 12h
  channels:
    hook: { type: webhook, url: "${rx.url('/hook')}", secretFile: secret }
    desk: { type: slack, url: "${rx.url('/slack')}" }
  routes:
    - channels: [hook, desk]`);
    expect((await s.run(['notify', '--as-of', '2026-11-18T00:00:00Z', ...args])).status).toBe(0);
    return { rx, r: await s.run(['notify', '--as-of', '2026-11-19T12:00:00Z', ...args]) };
  }

  it('after a gap longer than notify.lookback: a moment still going is sent late, marked late', async () => {
    const { rx, r } = await sentLate();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('notify: late (notify was not running when it alerted), sent now: Acme Robotics volume spike (fired 2026-11-18 18:00 UTC) to hook, desk');
    const hook = rx.at('/hook');
    expect(hook).toHaveLength(1);
    const payload = new Webhook(SECRET).verify(hook[0]!.body, hook[0]!.headers as Record<string, string>) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ type: 'moment.detected', timestamp: '2026-11-18T18:00:00Z', data: { topic: 'Acme Robotics', late: true } });
    const slack = JSON.parse(rx.at('/slack')[0]!.body) as { text: string };
    expect(slack.text).toContain('New moment (late): Acme Robotics: volume spike');
    expect(rx.at('/slack')[0]!.body).toContain('sent late: it alerted 2026-11-18 18:00 UTC, when notify was not running');
  });

  it("a team in Amsterdam (--tz): chat messages say the team's time with its zone, the signed webhook's JSON stays UTC", async () => {
    const { rx, r } = await sentLate(['--tz', 'Europe/Amsterdam']);
    expect(r.status, r.stderr).toBe(0);
    const slack = rx.at('/slack')[0]!.body;
    // (the team's 6-hour buckets start at 00:00, 06:00, 12:00 and 18:00 CET: the spike from its 12:00 bucket alerted when it ended)
    expect(slack).toContain('since 2026-11-18 12:00 CET; sent late: it alerted 2026-11-18 18:00 CET, when notify was not running');
    expect(slack).not.toContain(' UTC');
    const hook = rx.at('/hook')[0]!;
    const payload = new Webhook(SECRET).verify(hook.body, hook.headers as Record<string, string>) as { timestamp: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({ timestamp: '2026-11-18T17:00:00Z', data: { start: '2026-11-18T11:00:00Z' } });
  });

  it('retries 429, 5xx and timeouts across runs, then records them as failed; the others are delivered', async () => {
    const rx = await receiver({
      '/busy': (_r, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('try later'),
      '/limited': (_r, res) => res.writeHead(429, { 'retry-after': '0' }).end(),
      '/hang': () => undefined, // never answers
    });
    const s = setup(`  timeout: 1s
  deadline: 10s
  attempts: 2
  backoff: 0s
  channels:
    good: { type: slack, url: "${rx.url('/good')}" }
    busy: { type: slack, url: "${rx.url('/busy')}" }
    limited: { type: discord, url: "${rx.url('/limited')}" }
    hang: { type: webhook, url: "${rx.url('/hang')}", secretFile: secret }
  routes:
    - channels: [good, busy, limited, hang]`);
    const first = await s.run(['notify', '--as-of', AS_OF]);
    expect(first.status).toBe(0);
    // (the messages that delivered it: the three that failed are counted as to retry)
    expect(first.stderr).toContain('1 delivered in 1 message, 3 to retry, 0 failed');
    expect(first.stderr).toContain('busy: moment.detected Northwind Airlines will be tried again');
    expect(first.stderr).toContain('answered 503: try later');
    expect(first.stderr).toContain('no answer within 1s');
    const second = await s.run(['notify', '--as-of', AS_OF]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/warning: notify: busy: moment\.detected Northwind Airlines was not delivered: http:\/\/127\.0\.0\.1:\d+ answered 503: try later \(gave up after 2 tries\)/);
    expect(second.stderr).toContain('limited: moment.detected Northwind Airlines was not delivered');
    expect(second.stderr).toContain('hang: moment.detected Northwind Airlines was not delivered');
    expect(rx.at('/good')).toHaveLength(1);
    for (const p of ['/busy', '/limited', '/hang']) expect(rx.at(p)).toHaveLength(2);
    // the same message id on the retry
    expect(new Set(rx.at('/hang').map((r) => r.headers['webhook-id'])).size).toBe(1);
    const list = await deliveries(s);
    expect(Object.fromEntries(list.map((d) => [d.channel, [d.status, d.attempts]]))).toEqual({ good: ['sent', 1], busy: ['failed', 2], limited: ['failed', 2], hang: ['failed', 2] });
    // a third run leaves them alone
    await s.run(['notify', '--as-of', AS_OF]);
    expect(rx.received).toHaveLength(7);
  });

  it('410 Gone disables the endpoint with a warning; a 3xx is recorded, never followed', async () => {
    const rx = await receiver({
      '/gone': (_r, res) => res.writeHead(410).end(),
      '/moved': (_r, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end(),
    });
    const s = setup(`  channels:
    gone: { type: webhook, url: "${rx.url('/gone')}", secretFile: secret }
    moved: { type: teams, url: "${rx.url('/moved')}" }
    good: { type: discord, url: "${rx.url('/good')}" }
  routes:
    - channels: [gone, moved, good]`);
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("gone: the endpoint answered 410 Gone; nothing more is sent to it");
    expect(r.stderr).toMatch(/moved: moment\.detected Northwind Airlines was not delivered: http:\/\/127\.0\.0\.1:\d+ answered 302, a redirect to http:\/\/127\.0\.0\.1:1: not followed/);
    expect(rx.at('/good')).toHaveLength(1);
    const list = await deliveries(s);
    expect(Object.fromEntries(list.map((d) => [d.channel, [d.status, d.attempts, d.httpStatus]]))).toEqual({ gone: ['failed', 1, 410], moved: ['failed', 1, 302], good: ['sent', 1, 200] });
  });

  it('two runs at once send each alert once', async () => {
    const slow: Behaviour = (_r, res) => void setTimeout(() => res.writeHead(200).end('ok'), 300);
    const rx = await receiver({ '/a': slow, '/b': slow, '/c': slow });
    const s = setup(`  channels:
    a: { type: slack, url: "${rx.url('/a')}" }
    b: { type: webhook, url: "${rx.url('/b')}", secretFile: secret }
    c: { type: discord, url: "${rx.url('/c')}" }
  routes:
    - channels: [a, b, c]`);
    const runs = [s.start(['notify', '--as-of', AS_OF]), s.start(['notify', '--as-of', AS_OF])];
    const done = await Promise.all(runs.map((x) => withTimeout(x.exited, 60_000, 'notify')));
    expect(done.map((d) => d.status)).toEqual([0, 0]);
    expect(rx.received.map((r) => r.path).sort()).toEqual(['/a', '/b', '/c']);
    expect((await deliveries(s)).map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('kill -9 between sending and recording loses nothing: the next run sends it again under the same id', async () => {
    let victim: ReturnType<ReturnType<typeof setup>['start']> | null = null;
    const rx = await receiver({
      '/hook': (_r, res, n) => {
        if (n === 1) {
          victim!.child.kill('SIGKILL'); // the sender dies before it hears the answer
          setTimeout(() => res.writeHead(200).end(), 50);
        } else res.writeHead(204).end();
      },
    });
    const s = setup(`  timeout: 500ms
  deadline: 1s
  channels:
    hook: { type: webhook, url: "${rx.url('/hook')}", secretFile: secret }
  routes:
    - channels: [hook]`);
    victim = s.start(['notify', '--as-of', AS_OF]);
    const killed = await withTimeout(victim.exited, 60_000, 'the killed run');
    expect(killed.signal).toBe('SIGKILL');
    expect((await deliveries(s)).map((d) => d.status)).toEqual(['pending']);
    // leased to the dead run for its deadline and two timeouts, plus a second
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.status).toBe(0);
    expect(rx.at('/hook')).toHaveLength(2);
    expect(rx.at('/hook')[1]!.headers['webhook-id']).toBe(rx.at('/hook')[0]!.headers['webhook-id']);
    expect((await deliveries(s)).map((d) => d.status)).toEqual(['sent']);
    await s.run(['notify', '--as-of', AS_OF]);
    expect(rx.at('/hook')).toHaveLength(2);
  });

  it('scan --notify fetches, reports, then delivers', async () => {
    const rx = await receiver();
    const s = setup(`  channels:
    desk: { type: slack, url: "${rx.url('/slack')}" }
  routes:
    - channels: [desk]`);
    const r = await s.run(['scan', '--as-of', AS_OF, '--notify', '--json']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(rx.at('/slack')).toHaveLength(1);
    expect(JSON.parse(rx.at('/slack')[0]!.body).text).toContain('Northwind Airlines');
  });

  it('a silenced topic is recorded, not sent; silence list and remove', async () => {
    const rx = await receiver();
    const s = setup(`  channels:
    desk: { type: slack, url: "${rx.url('/slack')}" }
  routes:
    - channels: [desk]`);
    const add = await s.run(['silence', 'add', 'northwind airlines', '--for', '2h', '--comment', 'outage handled']);
    expect(add.status).toBe(0);
    expect(add.stdout).toBe('1\n');
    expect(add.stderr).toContain('Northwind Airlines silenced until');
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('(1 silenced)');
    expect(rx.received).toHaveLength(0);
    expect((await deliveries(s)).map((d) => d.status)).toEqual(['silenced']);
    const list = JSON.parse((await s.run(['silence', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(list).toMatchObject([{ id: 1, topic: 'Northwind Airlines', comment: 'outage handled' }]);
    // the tables, piped, are the 100 columns of every table, a row a line
    for (const args of [['silence', 'list'], ['notify', 'list']]) {
      const lines = (await s.run(args)).stdout.trimEnd().split('\n');
      expect(lines.length, args.join(' ')).toBe(5);
      for (const l of lines) expect([...l].length, l).toBe(100);
    }
    expect((await s.run(['silence', 'list'])).stdout).toMatch(/│ Northwind Airlines .*│ outage handled +│/);
    expect((await s.run(['notify', 'list'])).stdout).toMatch(/│ desk +│ detected │ Northwind Air… │ silenced │ +0 │/);
    expect((await s.run(['silence', 'remove', '1'])).status).toBe(0);
    expect(JSON.parse((await s.run(['silence', 'list', '--json'])).stdout)).toEqual([]);
    const unknown = await s.run(['silence', 'add', 'Initech', '--for', '1h']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('silence add: no topic named "Initech" in the config');
    // a silence past the last time a date holds: refused, and the list still reads (it was stored, 'Invalid
    // time value' exit 1, and every silence list failed so until it was removed)
    const endless = await s.run(['silence', 'add', 'Northwind', '--for', '999999999d']);
    expect(endless.status).toBe(2);
    expect(endless.stdout).toBe('');
    expect(endless.stderr).toBe('momentscan: error: --for 999999999d: at most 36500d (100 years) — momentscan silence remove ID ends a silence whenever you like\n');
    const list2 = await s.run(['silence', 'list', '--json']);
    expect(list2.status).toBe(0);
    expect(JSON.parse(list2.stdout)).toEqual([]);
    // one stored before that refusal (af2697a took --for 999999999d), or a damaged row: every reader copes
    // (silence list said 'Invalid time value', exit 1, until silence remove): it ends 100 years after it began
    const began = Date.parse('2026-12-07T10:00:00Z');
    const raw = new Database(s.db);
    raw.prepare('INSERT INTO notify_silences (topic, starts_at, ends_at, comment, created_at) VALUES (?, ?, ?, ?, ?)').run('Northwind Airlines', began, began + 999_999_999 * 86_400_000, 'old', began);
    raw.prepare('INSERT INTO notify_silences (topic, starts_at, ends_at, comment, created_at) VALUES (?, ?, ?, ?, ?)').run('Globex', began, 'garbage', 'damaged', began);
    raw.close();
    const stored = await s.run(['silence', 'list', '--json']);
    expect(stored.status, stored.stderr).toBe(0);
    expect((JSON.parse(stored.stdout) as Record<string, unknown>[]).map((r) => [r.topic, r.endsAt])).toEqual([
      ['Northwind Airlines', '2126-11-13T10:00:00Z'],
      ['Globex', '2126-11-13T10:00:00Z'],
    ]);
    const table = await s.run(['silence', 'list']);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ Northwind Airlines +│ 2126-11-13 10:00 │ /);
    const held = await s.run(['notify', '--as-of', AS_OF]);
    expect(held.status, held.stderr).toBe(0);
    // several ids at once, as events remove takes them (it took one: 'too many arguments', exit 2); all or none
    const ids = (JSON.parse(stored.stdout) as { id: number }[]).map((r) => String(r.id));
    const partly = await s.run(['silence', 'remove', ...ids, '99']);
    expect(partly.status).toBe(2);
    expect(partly.stderr).toBe('momentscan: error: silence remove: no silence 99 — momentscan silence list --all shows them\n');
    expect(JSON.parse((await s.run(['silence', 'list', '--json'])).stdout)).toHaveLength(2);
    const both = await s.run(['silence', 'remove', ...ids]);
    expect(both.status, both.stderr).toBe(0);
    expect(both.stderr).toBe(`silence: removed ${ids.join(', ')}\n`);
    expect(JSON.parse((await s.run(['silence', 'list', '--all', '--json'])).stdout)).toEqual([]);
  });

  it('notify test sends a test message to one channel, and fails with the reason', async () => {
    const rx = await receiver({ '/broken': (_r, res) => res.writeHead(400).end('invalid_payload') });
    const s = setup(`  channels:
    desk: { type: slack, url: "${rx.url('/slack')}" }
    broken: { type: slack, url: "${rx.url('/broken')}" }
    hook: { type: webhook, url: "${rx.url('/hook')}", secretFile: secret }`);
    const ok = await s.run(['notify', 'test', 'desk']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/notify: test message delivered to desk \(slack, http:\/\/127\.0\.0\.1:\d+\)/);
    expect(JSON.parse(rx.at('/slack')[0]!.body).text).toContain('Test message');
    const hook = await s.run(['notify', 'test', 'hook']);
    expect(hook.status).toBe(0);
    const h = rx.at('/hook')[0]!;
    expect(new Webhook(SECRET).verify(h.body, h.headers as Record<string, string>)).toMatchObject({ type: 'momentscan.test' });
    const bad = await s.run(['notify', 'test', 'broken']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^momentscan: error: notify test: broken \(slack\): http:\/\/127\.0\.0\.1:\d+ answered 400: invalid_payload — /);
    const none = await s.run(['notify', 'test', 'nope']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('channels are: desk, broken, hook');
  });

  /** An SMTP server on 127.0.0.1 and a home whose one channel, mail, emails desk@example.com (`route`: more of its route). */
  const mailSetup = async (route = '', o: { bucket?: string } = {}) => {
    const smtp = await startSmtp();
    closers.push(() => smtp.close());
    const s = setup(`  channels:\n    mail: { type: email, to: [desk@example.com] }\n  routes:\n    - channels: [mail]${route}`, `email:\n  smtp: ${smtp.url()}\n  from: momentscan@example.com\n`, o);
    return { smtp, s };
  };

  it('an email channel sends the digest of the alert', async () => {
    const { smtp, s } = await mailSetup();
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.stderr).toContain('1 delivered in 1 message');
    expect(r.status).toBe(0);
    const mail = await smtp.messages();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toEqual(['desk@example.com']);
    expect(mail[0]!.parsed.subject).toBe('momentscan: 1 new moment — Northwind Airlines negative tone');
    expect(mail[0]!.parsed.text).toContain('Northwind Airlines: negative tone shift');
  });

  it("an email's chart of a long moment keeps its onset: several buckets to a bar, as the digest's", async () => {
    // 15-minute buckets: the Acme spike (from 15:30) is over 28 buckets long by 2026-11-19 06:00
    const { smtp, s } = await mailSetup('\n      topics: [Acme Robotics]', { bucket: '15m' });
    const r = await s.run(['notify', '--as-of', '2026-11-19T06:00:00Z']);
    expect(r.status, r.stderr).toBe(0);
    const mail = await smtp.messages();
    expect(mail).toHaveLength(1);
    const text = mail[0]!.parsed.text as string;
    const chart = /(\d+[mhd]) buckets, \^ = the moment/.exec(text);
    expect(chart, text).not.toBeNull();
    expect(chart![1]).not.toBe('15m');
    const moments = JSON.parse((await s.run(['moments', '--json', '--as-of', '2026-11-19T06:00:00Z', '--since', '24h', '-t', 'Acme Robotics'])).stdout) as { start: string }[];
    // the HTML chart's first bar is at or before the moment's start: the onset is in view
    const html = mail[0]!.parsed.html as string;
    const caption = /(\d+[mhd]) buckets, (\d{4}-\d\d-\d\d \d\d:\d\d) → /.exec(html);
    expect(caption, html).not.toBeNull();
    expect(caption![1]).toBe(chart![1]);
    expect(Date.parse(`${caption![2]!.replace(' ', 'T')}:00Z`)).toBeLessThanOrEqual(Date.parse(moments[0]!.start));
  });

  it.each([
    ['a missing secret file', (u: string) => `  channels:\n    hook: { type: webhook, url: "${u}", secretFile: missing-secret }`, /config\.yaml: notify\.channels\.hook\.secretFile: cannot read the whsec_ secret file .*missing-secret \(no such file\)/],
    ['a secret that is not whsec_', (u: string) => `  channels:\n    hook: { type: webhook, url: "${u}", secretFile: config.yaml }`, /notify\.channels\.hook\.secretFile: .* does not hold a Standard Webhooks secret/],
    ['an unknown route field', (u: string) => `  channels:\n    d: { type: slack, url: "${u}" }\n  routes:\n    - { channels: [d], minscore: 3 }`, /notify\.routes\[0\]\.minscore: unknown field \(did you mean "minScore"\?\)/],
    ['a route naming no channel', (u: string) => `  channels:\n    d: { type: slack, url: "${u}" }\n  routes:\n    - { topics: [Globex] }`, /notify\.routes\[0\]\.channels: a route needs the channels it sends to/],
    ['a bad URL', () => `  channels:\n    d: { type: slack, url: "javascript:alert(1)" }`, /notify\.channels\.d\.url: expected an http\(s\) URL, got a javascript: URL/],
  ])('%s is a config error naming the field (exit 2), before anything is sent', async (_name, notify, message) => {
    const rx = await receiver();
    const s = setup(notify(rx.url('/x')));
    const r = await s.run(['notify', '--as-of', AS_OF]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(rx.received).toHaveLength(0);
  });
});

describe('momentscan notify on PostgreSQL', () => {
  it('two hosts evaluating and sending at once (moments --alerts, then notify): both report the alert, it is queued and delivered once per channel', async () => {
    const slow: Behaviour = (_r, res) => void setTimeout(() => res.writeHead(200).end('ok'), 300);
    const rx = await receiver({ '/a': slow, '/b': slow });
    const db = freshDatabase('notify');
    const s = setup(
      `  channels:
    a: { type: slack, url: "${rx.url('/a')}" }
    b: { type: webhook, url: "${rx.url('/b')}", secretFile: secret }
  routes:
    - channels: [a, b]`,
      '',
      { db },
    );
    expect((await s.run(['fetch', '--quiet'])).status).toBe(0);
    const twice = async (args: string[]) => Promise.all([s.start(args), s.start(args)].map((x) => withTimeout(x.exited, 60_000, args.join(' '))));
    const alerts = await twice(['moments', '--alerts', '--since', '24h', '--json', '--as-of', AS_OF]);
    for (const r of alerts) expect(r.status, r.stderr).toBe(0);
    // both report the alert (Northwind Airlines' tone shift); it is recorded once
    expect(alerts.map((r) => (JSON.parse(r.stdout) as { topic: string }[]).map((m) => m.topic))).toEqual([['Northwind Airlines'], ['Northwind Airlines']]);
    const sent = await twice(['notify', '--as-of', AS_OF]);
    for (const r of sent) expect(r.status, r.stderr).toBe(0);
    expect(rx.received.map((r) => r.path).sort()).toEqual(['/a', '/b']);
    expect(JSON.parse(rx.at('/a')[0]!.body).text).toContain('Northwind Airlines');
    expect(new Webhook(SECRET).verify(rx.at('/b')[0]!.body, rx.at('/b')[0]!.headers as Record<string, string>)).toMatchObject({ data: { topic: 'Northwind Airlines' } });
    expect((await deliveries(s)).map((d) => d.status)).toEqual(['sent', 'sent']);
    const pg = SyncPg.connect(optionsOf(db));
    try {
      // one outbox row per (alert, channel), whoever evaluated first
      expect(pg.query('SELECT count(*) AS n FROM notify_outbox').rows[0]).toEqual({ n: 2 });
    } finally {
      pg.close();
    }
    // the next runs, at once again, send nothing more
    for (const r of await twice(['notify', '--as-of', AS_OF])) expect(r.status, r.stderr).toBe(0);
    expect(rx.received).toHaveLength(2);
  }, 120_000);
});

