import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startSmtp, type TestSmtpServer } from '../helpers/smtp.js';
import { startCli, withTimeout, type CliExit } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `momentscan digest` end to end: the built CLI on the bundled sample data, sending to a real SMTP
 * server on 127.0.0.1 (smtp-server), what arrives parsed by a real mail parser (mailparser). The CLI is
 * spawned asynchronously: the server lives in this process and must keep answering while it runs.
 */
const SAMPLE = path.join(ROOT, 'fixtures', 'sample');
const SAMPLE_CONFIG = path.join(SAMPLE, 'momentscan.yaml');
// the Acme Robotics spike (2026-11-18 afternoon) is going on at the first time, over by the second
const SPIKE_ON = '2026-11-19T06:00:00Z';
const LATER = '2026-11-20T12:00:00Z';
const PASSWORD = 'correct horse battery staple 7%&';

let templateHome: string;
let template: string;
beforeAll(() => {
  // fetch the sample feeds once; each test works on its own copy of the database
  templateHome = mkdtempSync(path.join(os.tmpdir(), 'momentscan-digest-template-'));
  template = path.join(templateHome, 'template.db');
  const r = runCli(['fetch', '--config', SAMPLE_CONFIG, '--db', template, '--quiet'], { home: templateHome });
  expect(r.status, r.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(templateHome, { recursive: true, force: true }));

const servers: TestSmtpServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
async function smtp(o: Parameters<typeof startSmtp>[0] = {}): Promise<TestSmtpServer> {
  const s = await startSmtp(o);
  servers.push(s);
  return s;
}

/** A home folder with its own copy of the fetched database. */
function setup(): { home: string; db: string } {
  const home = tempDir();
  const db = path.join(home, 'sample.db');
  copyFileSync(template, db);
  if (existsSync(`${template}-wal`)) copyFileSync(`${template}-wal`, `${db}-wal`);
  return { home, db };
}

/** The sample config with absolute feed paths and an `email:` section, written to the home folder. */
function configWithEmail(home: string, email: string): string {
  const text = readFileSync(SAMPLE_CONFIG, 'utf8').replace(/(url: |- )feeds\//g, `$1${SAMPLE}/feeds/`);
  const file = path.join(home, 'momentscan.yaml');
  writeFileSync(file, `${text}\nemail:\n${email}`);
  return file;
}

async function digest(args: string[], o: { home: string; db: string; config?: string; env?: Record<string, string> }): Promise<CliExit> {
  const cli = startCli(['digest', '--config', o.config ?? SAMPLE_CONFIG, '--db', o.db, ...args], { home: o.home, ...(o.env ? { env: o.env } : {}) });
  return withTimeout(cli.exited, 60_000, `momentscan digest ${args.join(' ')}`);
}

const links = (html: string) => [...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

describe('momentscan digest --send', { timeout: 90_000 }, () => {
  it('sends the digest to a real SMTP server, logging in with the password from the password file; text and HTML parts with the example links', async () => {
    const { home, db } = setup();
    const server = await smtp({ user: 'digest', password: PASSWORD });
    const pwFile = path.join(home, 'smtp-password');
    writeFileSync(pwFile, `${PASSWORD}\n`);
    chmodSync(pwFile, 0o600);
    const config = configWithEmail(
      home,
      `  to: [analyst@example.com, "Desk <desk@example.com>"]\n  from: "momentscan <momentscan@example.com>"\n  smtp: ${server.url('digest')}\n  passwordFile: smtp-password\n  subjectPrefix: "[momentscan]"\n`,
    );
    const r = await digest(['--send', '--as-of', SPIKE_ON, '--since', '24h'], { home, db, config });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`via smtp://digest@127.0.0.1:${server.port}`);
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(PASSWORD);
      expect(out).not.toContain(encodeURIComponent(PASSWORD));
    }
    expect(server.logins).toEqual([{ user: 'digest', pass: PASSWORD }]);

    const [mail, ...more] = await server.messages();
    expect(more).toEqual([]);
    expect(mail!.user).toBe('digest');
    expect(mail!.to.sort()).toEqual(['analyst@example.com', 'desk@example.com']);
    expect(mail!.from).toBe('momentscan@example.com');
    const m = mail!.parsed;
    expect(m.subject).toMatch(/^\[momentscan\]: \d+ new moments?.* — Acme Robotics spike$/);
    expect(m.from?.value).toEqual([{ name: 'momentscan', address: 'momentscan@example.com' }]);
    expect(m.date).toBeInstanceOf(Date);
    expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail!.raw).toMatch(/Content-Type: multipart\/alternative/i);
    // the text part: the period, the moment explained, example links
    const text = m.text!;
    expect(text).toContain('2026-11-18 06:00 → 2026-11-19 06:00 UTC');
    expect(text).toMatch(/NEW MOMENTS[\s\S]*Acme Robotics: volume spike, score/);
    expect(text).toMatch(/volume: +\d+ stories in the peak/);
    expect(text).toMatch(/tone: +[+-]\d\.\d\d now vs [+-]\d\.\d\d before/);
    // the HTML part: a complete document, the same example links as the text, all https
    const html = m.html as string;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('role="img" aria-label="Stories per');
    expect(html).not.toMatch(/<img|<script|<style/i);
    const hrefs = links(html);
    expect(hrefs.length).toBeGreaterThanOrEqual(1);
    for (const href of hrefs) {
      expect(href).toMatch(/^https:\/\/www\.[a-z-]+\.example\//);
      expect(text).toContain(href);
    }
    // the links are those of the moment's example items
    const moments = JSON.parse(
      runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', SPIKE_ON, '--since', '24h', '--json', '--topic', 'Acme Robotics'], { home }).stdout,
    ) as { examples: { link: string }[] }[];
    expect(hrefs).toEqual(expect.arrayContaining(moments[0]!.examples.map((e) => e.link)));

    // --since last: only the time since this digest; the spike is over by then: it has faded
    const later = await digest(['--send', '--as-of', LATER, '--since', 'last'], { home, db, config });
    expect(later.status, later.stderr).toBe(0);
    const second = (await server.messages())[1]!.parsed;
    expect(second.text).toContain('2026-11-19 06:00 → 2026-11-20 12:00 UTC');
    expect(second.text).toMatch(/FADED[\s\S]*Acme Robotics: volume spike/);
    expect(second.text).not.toMatch(/NEW MOMENTS[\s\S]*Acme Robotics[\s\S]*FADED/);
  });

  it('a server that refuses the message: exit 1 with the SMTP reason, the digest not recorded, so the next --since last covers the old period too', async () => {
    const { home, db } = setup();
    const good = await smtp();
    const bad = await smtp({ rejectWith: { code: 550, message: 'mailbox unavailable' } });
    const to = ['--to', 'analyst@example.com'];
    const first = await digest(['--send', ...to, '--as-of', SPIKE_ON], { home, db, env: { MOMENTSCAN_SMTP_URL: good.url() } });
    expect(first.status, first.stderr).toBe(0);

    const failed = await digest(['--send', ...to, '--as-of', '2026-11-20T00:00:00Z', '--since', 'last'], { home, db, env: { MOMENTSCAN_SMTP_URL: bad.url() } });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(`^momentscan: error: sending the digest via smtp://127\\.0\\.0\\.1:${bad.port} failed: 550 mailbox unavailable — the digest was not marked as sent\\n$`),
    );
    expect(failed.stdout).toBe('');
    expect(await bad.messages()).toEqual([]);

    const next = await digest(['--send', ...to, '--as-of', LATER, '--since', 'last'], { home, db, env: { MOMENTSCAN_SMTP_URL: good.url() } });
    expect(next.status, next.stderr).toBe(0);
    const mails = await good.messages();
    expect(mails).toHaveLength(2);
    // from the end of the first (sent) digest, not of the failed one
    expect(mails[1]!.parsed.text).toContain('2026-11-19 06:00 → 2026-11-20 12:00 UTC');
  });

  it('Ctrl-C while the mail server holds the message: exit 130, one line saying the digest is not marked as sent; nothing recorded', async () => {
    const { home, db } = setup();
    // a server that takes the message and never answers it
    let dataEnd!: () => void;
    const received = new Promise<void>((resolve) => (dataEnd = resolve));
    const stall = createNetServer((sock) => {
      sock.on('error', () => undefined);
      sock.write('220 stall.example ESMTP\r\n');
      let buf = '';
      let inData = false;
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (inData) {
            if (line === '.') dataEnd();
            continue;
          }
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'DATA') {
            inData = true;
            sock.write('354 go ahead\r\n');
          } else sock.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    try {
      const port = (stall.address() as AddressInfo).port;
      const cli = startCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--send', '--to', 'a@example.com', '--as-of', SPIKE_ON], {
        home,
        env: { MOMENTSCAN_SMTP_URL: `smtp://127.0.0.1:${port}` },
      });
      await withTimeout(received, 60_000, 'the message to reach the server');
      cli.child.kill('SIGINT');
      const r = await withTimeout(cli.exited, 10_000, 'the interrupted digest to exit');
      expect(r.status).toBe(130);
      expect(r.stderr).toBe(
        'momentscan: error: interrupted while the digest was being sent: it is not marked as sent (the mail server had not confirmed it) — the next digest --since last covers this period again; check the inbox before sending it again\n',
      );
    } finally {
      stall.close();
    }
    const printed = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', LATER, '--since', 'last'], { home });
    expect(printed.stdout).toContain('2026-11-19 12:00 → 2026-11-20 12:00 UTC');
  });

  it('a server that is not there: exit 1 naming it, nothing recorded', async () => {
    const { home, db } = setup();
    const gone = await smtp();
    const url = gone.url();
    await gone.close();
    servers.pop();
    const r = await digest(['--send', '--to', 'a@example.com', '--as-of', SPIKE_ON], { home, db, env: { MOMENTSCAN_SMTP_URL: url } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^momentscan: error: sending the digest via smtp:\/\/127\.0\.0\.1:\d+ failed: nothing listens at 127\.0\.0\.1:\d+ \(connection refused\) — the digest was not marked as sent\n$/);
    // printing now starts 24h back: nothing was recorded
    const printed = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', LATER, '--since', 'last'], { home });
    expect(printed.stdout).toContain('2026-11-19 12:00 → 2026-11-20 12:00 UTC');
  });

  it('a wrong password: exit 1 with the server\'s reason; no password in any output; a password in the URL works but is warned about and never shown', async () => {
    const { home, db } = setup();
    const server = await smtp({ user: 'digest', password: PASSWORD });
    const wrong = 'not-the-password-42';
    const bad = await digest(['--send', '--to', 'a@example.com', '--as-of', SPIKE_ON], { home, db, env: { MOMENTSCAN_SMTP_URL: server.url('digest', wrong) } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`sending the digest via smtp://digest:***@127.0.0.1:${server.port} failed: `);
    expect(bad.stderr).toContain('535');
    expect(bad.stderr + bad.stdout).not.toContain(wrong);

    const ok = await digest(['--send', '--to', 'a@example.com', '--as-of', SPIKE_ON], { home, db, env: { MOMENTSCAN_SMTP_URL: server.url('digest', PASSWORD) } });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('warning: the SMTP URL (MOMENTSCAN_SMTP_URL) carries the password');
    expect(ok.stderr).toContain(`smtp://digest:***@127.0.0.1:${server.port}`);
    expect(ok.stderr + ok.stdout).not.toContain(PASSWORD);
    expect(ok.stderr + ok.stdout).not.toContain(encodeURIComponent(PASSWORD));
    expect(await server.messages()).toHaveLength(1);
  });

  it('a password in the SMTP URL while email.passwordFile is set: the file wins, and a warning says the URL\'s is ignored', async () => {
    const { home, db } = setup();
    const server = await smtp({ user: 'digest', password: PASSWORD });
    writeFileSync(path.join(home, 'smtp-password'), `${PASSWORD}\n`);
    chmodSync(path.join(home, 'smtp-password'), 0o600);
    const config = configWithEmail(home, `  to: [a@example.com]\n  passwordFile: smtp-password\n`);
    const r = await digest(['--send', '--as-of', SPIKE_ON], { home, db, config, env: { MOMENTSCAN_SMTP_URL: server.url('digest', 'stale-url-password') } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: the SMTP URL (MOMENTSCAN_SMTP_URL) carries a password too; the one in email.passwordFile is used, the URL\'s is ignored');
    expect(r.stderr).not.toContain('stale-url-password');
    expect(await server.messages()).toHaveLength(1);
  });

  it('--dry-run prints the MIME message with both parts and sends nothing, records nothing', async () => {
    const { home, db } = setup();
    const server = await smtp();
    const r = await digest(['--send', '--dry-run', '--to', 'a@example.com,b@example.com', '--as-of', SPIKE_ON], { home, db, env: { MOMENTSCAN_SMTP_URL: server.url() } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('dry run');
    expect(r.stdout).toMatch(/^Content-Type: multipart\/alternative/im);
    const m = await simpleParser(r.stdout);
    expect(m.subject).toMatch(/^momentscan: .* — Acme Robotics spike$/);
    expect(m.text).toContain('Acme Robotics: volume spike');
    expect(m.html).toContain('<!DOCTYPE html>');
    expect((Array.isArray(m.to) ? m.to : [m.to]).map((a) => a?.text).join(', ')).toBe('a@example.com, b@example.com');
    expect(await server.messages()).toEqual([]);
    // nothing recorded: --since last still goes back 24h
    const again = await digest(['--dry-run', '--to', 'a@example.com', '--as-of', SPIKE_ON, '--since', 'last'], { home, db });
    expect(again.status, again.stderr).toBe(0);
    expect((await simpleParser(again.stdout)).text).toContain('2026-11-18 06:00 → 2026-11-19 06:00 UTC');
  });

  it('two --since last --send runs at once (cron overlapping an analyst, two hosts) send the period once; a run killed while sending gives it back when its claim runs out', async () => {
    const { home, db } = setup();
    const args = ['--send', '--to', 'a@example.com', '--since', 'last'];
    const run = (server: TestSmtpServer, now: string) => ({ home, db, env: { MOMENTSCAN_SMTP_URL: server.url(), MOMENTSCAN_NOW: now } });
    const another = /^digest: another digest run has sent the period from 2026-11-\d\d 12:00 UTC on, or is sending it now; nothing sent\n$/;

    // the first is caught sending (the server holds its recipient) while the second runs
    const held = await smtp({ hold: true });
    const first = startCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, ...args], { home, env: run(held, LATER).env });
    await withTimeout(held.held, 60_000, 'the first digest to be sending');
    const second = await digest(args, run(held, LATER));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(another);
    held.release();
    const done = await withTimeout(first.exited, 60_000, 'the first digest');
    expect(done.status, done.stderr).toBe(0);
    expect(await held.messages()).toHaveLength(1);

    // a day later, one is killed while sending: its period is not sent by another run while its claim holds,
    // and is sent in full (from the first's end) by the next run after it
    const DAY_AFTER = '2026-11-21T12:00:00Z';
    const stuck = await smtp({ hold: true });
    const killed = startCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, ...args], { home, env: run(stuck, DAY_AFTER).env });
    await withTimeout(stuck.held, 60_000, 'the digest to be sending');
    killed.child.kill('SIGKILL');
    await killed.exited;
    const good = await smtp();
    const meanwhile = await digest(args, run(good, DAY_AFTER));
    expect(meanwhile.status, meanwhile.stderr).toBe(0);
    expect(meanwhile.stderr).toMatch(another);
    const later = await digest(args, run(good, '2026-11-21T12:11:00Z'));
    expect(later.status, later.stderr).toBe(0);
    const mails = await good.messages();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.text).toContain('2026-11-20 12:00 → 2026-11-21 12:11 UTC');
  });

  it("two hosts' 07:00 crons send a --day digest once to its recipients: the second says when it went and exits 0; --resend sends it again; a run that died holds it only for its lease, never the next day", async () => {
    const { home, db } = setup();
    // the team is in Amsterdam: its 07:00 is 06:00 UTC, its yesterday 2026-11-19 00:00–24:00 CET
    const day = ['--send', '--tz', 'Europe/Amsterdam', '--day', 'yesterday', '--always'];
    const run = (server: TestSmtpServer, now: string) => ({ home, db, env: { MOMENTSCAN_SMTP_URL: server.url(), MOMENTSCAN_NOW: now } });
    const server = await smtp();
    const a = await digest([...day, '--to', 'a@example.com,b@example.com'], run(server, '2026-11-20T06:00:02Z'));
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/^digest: sent ".*" to a@example\.com, b@example\.com via /m);
    // the other host, 40 seconds later (the same recipients, written otherwise)
    const b = await digest([...day, '--to', 'B@example.com', '--to', 'a@example.com'], run(server, '2026-11-20T06:00:42Z'));
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toBe('');
    expect(b.stderr).toBe('digest: the digest of 2026-11-19 was sent to a@example.com, b@example.com by a run at 2026-11-20 07:00 CET; nothing sent (--resend sends it again)\n');
    expect(await server.messages()).toHaveLength(1);
    // other recipients are another digest; --resend sends the day again on purpose
    expect((await digest([...day, '--to', 'c@example.com'], run(server, '2026-11-20T06:01:00Z'))).status).toBe(0);
    const again = await digest([...day, '--to', 'a@example.com,b@example.com', '--resend'], run(server, '2026-11-20T09:00:00Z'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/^digest: sent ".*" to a@example\.com, b@example\.com via /m);
    const mails = await server.messages();
    expect(mails.map((m) => m.to.join(' '))).toEqual(['a@example.com b@example.com', 'c@example.com', 'a@example.com b@example.com']);
    expect(mails.every((m) => m.parsed.text!.includes('2026-11-19 00:00 → 2026-11-20 00:00 CET'))).toBe(true);
    // --resend without --day (or without --send) is a usage error
    const bad = await digest(['--send', '--since', '24h', '--to', 'a@example.com', '--resend'], run(server, '2026-11-20T09:00:00Z'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^momentscan: error: --resend goes with --day and --send/);

    // the next morning one host dies while sending: the other waits out its claim's lease, then sends the day
    const stuck = await smtp({ hold: true });
    const killed = startCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, ...day, '--to', 'a@example.com'], { home, env: run(stuck, '2026-11-21T06:00:00Z').env });
    await withTimeout(stuck.held, 60_000, 'the digest to be sending');
    killed.child.kill('SIGKILL');
    await killed.exited;
    const good = await smtp();
    const meanwhile = await digest([...day, '--to', 'a@example.com'], run(good, '2026-11-21T06:01:00Z'));
    expect(meanwhile.status, meanwhile.stderr).toBe(0);
    expect(meanwhile.stderr).toBe(
      'digest: the digest of 2026-11-20 is being sent to a@example.com by another run (started 2026-11-21 07:00 CET); nothing sent — if that run died, its claim runs out at 2026-11-21 07:10 CET (--resend sends it now)\n',
    );
    const retry = await digest([...day, '--to', 'a@example.com'], run(good, '2026-11-21T06:11:00Z'));
    expect(retry.status, retry.stderr).toBe(0);
    // and the day after is not held by it
    const dayAfter = await digest([...day, '--to', 'a@example.com'], run(good, '2026-11-22T06:00:00Z'));
    expect(dayAfter.status, dayAfter.stderr).toBe(0);
    const sent = await good.messages();
    expect(sent.map((m) => /2026-11-\d\d 00:00 → 2026-11-\d\d 00:00 CET/.exec(m.parsed.text!)?.[0])).toEqual([
      '2026-11-20 00:00 → 2026-11-21 00:00 CET',
      '2026-11-21 00:00 → 2026-11-22 00:00 CET',
    ]);
  });

  it('a quiet day sends nothing (a line on stderr says so, exit 0); with --always it sends the quiet-day digest', async () => {
    const { home, db } = setup();
    const server = await smtp();
    const args = ['--send', '--to', 'a@example.com', '--as-of', LATER, '--topic', 'Globex', '--topic', 'Initech'];
    const env = { MOMENTSCAN_SMTP_URL: server.url() };
    const quiet = await digest([...args, '--fail-on-moments'], { home, db, env });
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).toMatch(/quiet day — no moments across 2 topics .*nothing sent/);
    expect(await server.messages()).toEqual([]);

    const always = await digest([...args, '--always'], { home, db, env });
    expect(always.status, always.stderr).toBe(0);
    const [mail] = await server.messages();
    expect(mail!.parsed.subject).toBe('momentscan: quiet day (2 topics)');
    expect(mail!.parsed.text!.replace(/\s+/g, ' ')).toContain('Quiet day: no moments across 2 topics between 2026-11-19 12:00 and 2026-11-20 12:00 UTC.');
    expect(mail!.parsed.html).toContain('Quiet day: no moments across 2 topics');
  });
  it('a day nobody fetched is not a quiet day: the digest says since when the feeds were not read, and is sent', async () => {
    // the feeds were last read at 2026-11-20 12:00; the cron digest runs a week later
    const home = tempDir();
    const db = path.join(home, 'sample.db');
    expect(runCli(['fetch', '--config', SAMPLE_CONFIG, '--db', db, '--quiet'], { home, env: { MOMENTSCAN_NOW: LATER } }).status).toBe(0);
    const server = await smtp();
    const week = '2026-11-27T12:00:00Z';
    const env = { MOMENTSCAN_SMTP_URL: server.url(), MOMENTSCAN_NOW: week };
    const printed = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--since', '24h'], { home, env });
    expect(printed.status, printed.stderr).toBe(0);
    // it said 'Quiet day: no moments across 4 topics between 2026-11-26 12:00 and 2026-11-27 12:00 UTC.'
    expect(printed.stdout.replace(/\s+/g, ' ')).toContain(
      'No moments across 4 topics between 2026-11-26 12:00 and 2026-11-27 12:00 UTC in what was fetched — not a quiet day: no feed was read after 2026-11-20 12:00 UTC (7d before the period\'s end), so what was published since is not judged here',
    );
    expect(printed.stdout).not.toContain('Quiet day');
    // --send sent nothing on a quiet day (and so nothing at all, day after day, while fetching was stopped)
    const sent = await digest(['--send', '--to', 'a@example.com', '--since', '24h'], { home, db, env });
    expect(sent.status, sent.stderr).toBe(0);
    const [mail] = await server.messages();
    expect(mail!.parsed.subject).toBe('momentscan: nothing fetched since 2026-11-20 12:00 UTC (4 topics)');
    expect(mail!.parsed.text!.replace(/\s+/g, ' ')).toContain('not a quiet day: no feed was read after 2026-11-20 12:00 UTC');
    // a digest with moments says it too; one whose feeds were read says nothing of it
    const moments = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--since', '8d'], { home, env });
    expect(moments.stdout.replace(/\s+/g, ' ')).toContain('Not all of the period is known: no feed was read after 2026-11-20 12:00 UTC (7d before');
    const fresh = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', LATER], { home, env });
    expect(fresh.stdout).not.toContain('no feed was read');
  });
});

describe('momentscan digest (printed)', { timeout: 90_000 }, () => {
  it('prints text by default, markdown and HTML on request; records each, so --since last starts where the last one ended', () => {
    const { home, db } = setup();
    const base = ['digest', '--config', SAMPLE_CONFIG, '--db', db];
    const text = runCli([...base, '--as-of', SPIKE_ON], { home });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^momentscan digest\n2026-11-18 06:00 → 2026-11-19 06:00 UTC\n/);
    expect(text.stdout).toContain('Acme Robotics: volume spike');
    const md = runCli([...base, '--as-of', SPIKE_ON, '--format', 'markdown'], { home });
    expect(md.stdout).toMatch(/^# momentscan digest\n/);
    expect(md.stdout).toMatch(/\]\(<https:\/\/www\.[a-z-]+\.example\/[^>]+>\)/);
    const html = runCli([...base, '--as-of', SPIKE_ON, '--format', 'html'], { home });
    expect(html.stdout).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
    const last = runCli([...base, '--as-of', LATER, '--since', 'last'], { home });
    expect(last.stdout).toContain('2026-11-19 06:00 → 2026-11-20 12:00 UTC');
  });

  it('--as-of in the future is a usage error and records nothing: the next --since last still starts where the last digest ended', () => {
    const { home, db } = setup();
    const base = ['digest', '--config', SAMPLE_CONFIG, '--db', db];
    expect(runCli([...base, '--as-of', SPIKE_ON], { home }).status).toBe(0);
    const typo = runCli([...base, '--as-of', '2100-01-01'], { home });
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe('momentscan: error: --as-of 2100-01-01 is in the future — give a time up to now, or leave --as-of out to evaluate now\n');
    const last = runCli([...base, '--as-of', LATER, '--since', 'last'], { home });
    expect(last.status, last.stderr).toBe(0);
    expect(last.stdout).toContain('2026-11-19 06:00 → 2026-11-20 12:00 UTC');
  });

  it('--as-of in the past lists no moment that starts after it, though a run with a later --as-of stored it', () => {
    const { home, db } = setup();
    // a run at the end of the sample reports (and stores) the spike and the swing
    const late = runCli(['moments', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', LATER, '--json'], { home });
    expect(late.status, late.stderr).toBe(0);
    const stored = JSON.parse(late.stdout) as { topic: string; start: string; examples: { link: string }[] }[];
    expect(stored.map((m) => m.topic)).toEqual(expect.arrayContaining(['Acme Robotics', 'Northwind Airlines']));
    // before both (a quiet day), and while the spike is on but before the swing began (its first
    // negative items come in from 2026-11-19T00:00 with sentiment engine 3)
    for (const asOf of ['2026-11-18T06:00:00Z', '2026-11-18T18:00:00Z']) {
      const after = stored.filter((m) => Date.parse(m.start) > Date.parse(asOf));
      expect(after.length).toBeGreaterThan(0);
      for (const format of ['text', 'markdown', 'html']) {
        const r = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', asOf, '--since', '24h', '--format', format], { home });
        expect(r.status, r.stderr).toBe(0);
        for (const m of after) {
          for (const e of m.examples) expect(r.stdout, `${format} at ${asOf}: ${m.topic}`).not.toContain(e.link.replace(/&/g, '&amp;'));
          expect(r.stdout).not.toMatch(new RegExp(`^(\\d+\\.|### \\d+\\.) ${m.topic}:`, 'm'));
        }
        if (format === 'text') {
          // every moment listed began by the evaluation time
          for (const [, start] of r.stdout.matchAll(/when: +(?:since )?(\d{4}-\d\d-\d\d \d\d:\d\d)/g)) {
            expect(Date.parse(`${start!.replace(' ', 'T')}:00Z`)).toBeLessThanOrEqual(Date.parse(asOf));
          }
        }
      }
    }
    const quiet = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', '2026-11-18T06:00:00Z', '--since', '24h'], { home });
    expect(quiet.stdout).toContain('Quiet day: no moments across 4 topics');
    const spike = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', SPIKE_ON, '--since', '24h'], { home });
    expect(spike.stdout).toMatch(/^1\. Acme Robotics: volume spike/m);
    expect(spike.stdout).not.toContain('FADED');
  });

  it('--fail-on-moments exits 4 when there are new or ongoing moments, 0 on a quiet day', () => {
    const { home, db } = setup();
    const base = ['digest', '--config', SAMPLE_CONFIG, '--db', db, '--fail-on-moments'];
    expect(runCli([...base, '--as-of', SPIKE_ON], { home }).status).toBe(4);
    const quiet = runCli([...base, '--as-of', LATER, '--topic', 'Globex'], { home });
    expect(quiet.status).toBe(0);
    expect(quiet.stdout.replace(/\s+/g, ' ')).toContain('Quiet day: no moments across 1 topic between');
  });

  it.each([
    [['--to', 'a@example.com'], /--to goes with --send/],
    [['--always'], /--always goes with --send/],
    [['--send'], /the digest has no recipients — give --to/],
    [['--send', '--to', 'not an address'], /--to: expected an email address/],
    [['--send', '--to', ''], /--to: got an empty address — give --to me@example\.com, or leave --to out/],
    [['--send', '--to', 'a@example.com'], /no SMTP server to send the digest through — set email\.smtp/],
    [['--format', 'pdf'], /argument 'pdf' is invalid|unknown digest format/],
    [['--since', 'yesterday-ish'], /--since: cannot read "yesterday-ish" as a time/],
    [['--sensitivity', 'max'], /--sensitivity: expected one of low, medium, high/],
  ])('usage and config errors exit 2: %j', (args, message) => {
    const { home, db } = setup();
    const r = runCli(['digest', '--config', SAMPLE_CONFIG, '--db', db, '--as-of', SPIKE_ON, ...args], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a missing password file is a config error naming email.passwordFile; nothing is evaluated or recorded', () => {
    const { home, db } = setup();
    const config = configWithEmail(home, `  to: a@example.com\n  smtp: smtp://digest@127.0.0.1:9\n  passwordFile: no-such-file\n`);
    const r = runCli(['digest', '--config', config, '--db', db, '--as-of', SPIKE_ON, '--send'], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/email\.passwordFile: cannot read the SMTP password file .*no-such-file \(no such file\)/);
    const printed = runCli(['digest', '--config', config, '--db', db, '--as-of', LATER, '--since', 'last'], { home });
    expect(printed.stdout).toContain('2026-11-19 12:00 → 2026-11-20 12:00 UTC');
  });
});
