import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { buildMime, readPassword, resolveSmtp, sanitizeSmtpUrl, scrub, secretsOf, sendDigestMail } from '../../src/email/smtp.js';
import { startSmtp } from '../helpers/smtp.js';
import { tempDir } from '../helpers/tmp.js';

describe('SMTP settings', () => {
  it.each([
    ['smtp://digest@smtp.example.com:587', 'smtp://digest@smtp.example.com:587'],
    ['smtps://digest:hunter2@smtp.example.com:465', 'smtps://digest:***@smtp.example.com:465'],
    ['smtp://digest:p%40ss@127.0.0.1:2525/?tls.rejectUnauthorized=false', 'smtp://digest:***@127.0.0.1:2525'],
    ['smtp://:onlypass@smtp.example.com', 'smtp://:***@smtp.example.com'],
    ['smtp://127.0.0.1:2525', 'smtp://127.0.0.1:2525'],
    ['::not a url::', '(an unreadable SMTP URL)'],
  ])('sanitizeSmtpUrl(%s) = %s', (url, shown) => {
    expect(sanitizeSmtpUrl(url)).toBe(shown);
  });

  it('scrubs the password and its encodings from a message', () => {
    const secrets = secretsOf('digest', 'p@ss word');
    const plain = Buffer.from('\u0000digest\u0000p@ss word').toString('base64');
    expect(scrub(`failed for p@ss word (p%40ss%20word) AUTH PLAIN ${plain}`, secrets)).toBe('failed for *** (***) AUTH PLAIN ***');
    expect(secretsOf('digest', '')).toEqual([]);
    expect(scrub('550 no such user P@SS WORD', secrets)).toBe('550 no such user ***');
    expect(scrub('550 rejected "ss word" here', secrets)).toBe("(the server's reply is withheld: it quotes part of the password)");
  });

  it('reads the password file (its first line) at send time; a missing or empty file is a config error naming the field', () => {
    const dir = tempDir();
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'secret-pass\n');
    expect(readPassword(file)).toBe('secret-pass');
    writeFileSync(file, 'with spaces inside \r\nsecond line ignored\n');
    expect(readPassword(file)).toBe('with spaces inside ');
    writeFileSync(file, '\n');
    expect(() => readPassword(file)).toThrow(/email\.passwordFile: the SMTP password file .* is empty/);
    expect(() => readPassword(path.join(dir, 'missing'))).toThrow(/email\.passwordFile: cannot read the SMTP password file .*missing \(no such file\)/);
    mkdirSync(path.join(dir, 'folder'));
    expect(() => readPassword(path.join(dir, 'folder'))).toThrow(ConfigError);
  });

  it('takes the password from the file, the user from the URL; keeps the URL\'s other settings', () => {
    const dir = tempDir();
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'from-the-file\n');
    const s = resolveSmtp({ url: 'smtps://digest@smtp.example.com:465?name=client.example', source: 'email.smtp', passwordFile: file });
    expect(s.display).toBe('smtps://digest@smtp.example.com:465');
    expect(s.options).toMatchObject({ host: 'smtp.example.com', port: 465, secure: true, name: 'client.example', auth: { user: 'digest', pass: 'from-the-file' } });
    expect(s.secrets).toContain('from-the-file');
    const open = resolveSmtp({ url: 'smtp://127.0.0.1:2525', source: 'MOMENTSCAN_SMTP_URL', passwordFile: null });
    expect(open.options.auth).toBeUndefined();
  });

  it.each([
    [{ url: 'http://smtp.example.com', passwordFile: null }, /MOMENTSCAN_SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/],
    [{ url: 'smtp://smtp.example.com:587', passwordFile: '/nonexistent/pw' }, /email\.passwordFile: cannot read/],
  ])('config errors: %j', (o, message) => {
    expect(() => resolveSmtp({ ...o, source: 'MOMENTSCAN_SMTP_URL' })).toThrow(message);
  });

  it('a password file needs a user in the URL', () => {
    const dir = tempDir();
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'pw\n');
    expect(() => resolveSmtp({ url: 'smtp://smtp.example.com:587', source: 'email.smtp', passwordFile: file })).toThrow(/names no user/);
  });
});

describe('the MIME message', () => {
  it('has text and HTML alternatives, the headers, and encodes a non-ASCII subject', async () => {
    const mime = await buildMime({
      from: 'momentscan <momentscan@example.com>',
      to: ['a@example.com', 'B <b@example.com>'],
      subject: 'momentscan: 1 new moment — Café spike',
      text: 'plain text\n',
      html: '<!DOCTYPE html><html><body><p>html</p></body></html>\n',
      date: new Date(Date.UTC(2026, 10, 20, 12)),
    });
    expect(mime).toMatch(/^Content-Type: multipart\/alternative;\s+boundary=/m);
    expect(mime).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(mime).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
    expect(mime).toMatch(/^From: momentscan <momentscan@example.com>$/m);
    expect(mime).toMatch(/^To: a@example.com, B <b@example.com>$/m);
    expect(mime).toMatch(/^Date: Fri, 20 Nov 2026 12:00:00 \+0000$/m);
    expect(mime).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(mime).toMatch(/^Subject: =\?UTF-8\?/m);
  });
});

describe('sending', () => {
  const message = { from: 'm@example.com', to: ['a@example.com'], subject: 's', text: 't', html: '<p>t</p>', date: new Date(0) };

  it.each([
    // STARTTLS asked for (requireTLS) of a server that offers none: it answered the command 500
    ['smtp://127.0.0.1:PORT/?requireTLS=true', /failed: the server would not start TLS, which the URL requires \(it answered STARTTLS with "500 [^"]*"\)$/],
    // smtps:// (TLS from the first byte) to a server that speaks plain SMTP first, as on port 587: OpenSSL said 'wrong version number'
    ['smtps://127.0.0.1:PORT', /failed: the server does not speak TLS from the start, as smtps:\/\/ expects \(port 465\); for a server on port 587 or 25, which starts TLS later, write smtp:\/\/$/],
  ])('a TLS fault is said in words: %s', async (url, said) => {
    const server = await startSmtp();
    try {
      const s = resolveSmtp({ url: url.replace('PORT', String(server.port)), source: 'email.smtp', passwordFile: null });
      await expect(sendDigestMail(s, message)).rejects.toThrow(said);
      expect(await server.messages()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('gives up on a server that keeps answering slowly once the overall deadline has passed, with a clear error', async () => {
    const server = await startSmtp({ slowMs: 200 });
    try {
      const s = resolveSmtp({ url: server.url(), source: 'email.smtp', passwordFile: null });
      // 100 recipients at 200 ms each is 20 s of answers, never idle for long: only an overall deadline ends it
      const to = Array.from({ length: 100 }, (_, i) => `r${i}@example.com`);
      const started = Date.now();
      const sent = sendDigestMail({ ...s, deadlineMs: 1_000 }, { from: 'm@example.com', to, subject: 's', text: 't', html: '<p>t</p>', date: new Date(0) });
      await expect(sent).rejects.toThrow(/sending the digest via smtp:\/\/127\.0\.0\.1:\d+ failed: no answer within 1s \(the overall deadline of a send\)/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await server.close();
    }
  });
});
