import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSmtp, sendDigestMail } from '../../src/email/smtp.js';
import { runCli } from '../helpers/cli.js';
import { startSmtp } from '../helpers/smtp.js';
import { tempDir } from '../helpers/tmp.js';

/** Text from outside that would clear the screen, retitle the terminal and plant a link if printed raw. */
const EVIL = '\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x9b31m';
const ESCAPES = /[\x1b\x07\x9b]/;

describe('text from outside never reaches the terminal as escape sequences', () => {
  it('detect: an error quoting the input', () => {
    const home = tempDir();
    const r = runCli(['detect'], { home, input: `timestamp,value\n${EVIL},1\n` });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^momentscan: error: stdin: line 2: cannot read the timestamp "/);
    expect(r.stderr).not.toMatch(ESCAPES);
  });

  it('a config error naming an unknown key', () => {
    const home = tempDir();
    const config = path.join(home, 'c.yaml');
    writeFileSync(config, `fetch:\n  "${EVIL.replace(/\x07/g, '\\a').replace(/\x1b/g, '\\e').replace(/\x9b/g, '\\x9b')}": 1\n`);
    const r = runCli(['items', '--config', config, '--db', path.join(home, 'x.db')], { home });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^momentscan: error: .*c\.yaml: fetch\./);
    expect(r.stderr).not.toMatch(ESCAPES);
  });

  it('sentiment --csv and --tsv', () => {
    const home = tempDir();
    for (const format of ['--csv', '--format=tsv']) {
      const r = runCli(['sentiment', format, '--language', 'en'], { home, input: `great news ${EVIL} today\n` });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('great news');
      expect(r.stdout).not.toMatch(ESCAPES);
    }
  });

  it('feeds import: folder names become topic names without them, and the summary line is clean', () => {
    const home = tempDir();
    const config = path.join(home, 'c.yaml');
    writeFileSync(config, 'topics: []\n');
    // as XML character references (&#155; is read the HTML way, as ›: not a control character)
    const folder = EVIL.replace(/\x9b/g, '').replace(/\x1b/g, '&#27;').replace(/\x07/g, '&#7;');
    writeFileSync(path.join(home, 'l.opml'), `<opml version="2.0"><body><outline text="Robots ${folder}"><outline text="f" xmlUrl="https://a.example/feed"/></outline></body></opml>`);
    const r = runCli(['feeds', 'import', path.join(home, 'l.opml'), '--config', config], { home });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('in 1 topic (Robots click31m)');
    expect(readFileSync(config, 'utf8')).toContain('name: Robots click31m');
    expect(r.stderr).not.toMatch(ESCAPES);
  });

  it('SMTP: a refused login says what failed, never what the server echoed (here: the password, upper-cased, and escapes)', async () => {
    const password = 'correct horse battery';
    const server = await startSmtp({ user: 'digest', password: 'something else', authReply: (p) => `Authentication failed for ${p.toUpperCase()} ${EVIL}` });
    try {
      const s = resolveSmtp({ url: server.url('digest', password), source: 'email.smtp', passwordFile: null });
      const sent = sendDigestMail(s, { from: 'm@example.com', to: ['a@example.com'], subject: 's', text: 't', html: '<p>t</p>', date: new Date(0) });
      const err = await sent.then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/^sending the digest via smtp:\/\/digest:\*\*\*@127\.0\.0\.1:\d+ failed: the server refused the login \(535\)$/);
      expect(err?.message.toLowerCase()).not.toContain('horse');
    } finally {
      await server.close();
    }
  });
});
