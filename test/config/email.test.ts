import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError, formatError } from '../../src/core/errors.js';

function errorOf(text: string): string {
  try {
    parseConfigText(text, '/cfg/momentscan.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return formatError(err);
  }
  throw new Error('expected a config error');
}

describe('config: email', () => {
  it('reads the email section; the password file is resolved against the config file', () => {
    const cfg = parseConfigText(
      `email:
  to: [me@example.com, "Desk <desk@example.com>, other@example.com"]
  from: "momentscan <momentscan@example.com>"
  smtp: smtp://digest@smtp.example.com:587
  passwordFile: secrets/smtp
  subjectPrefix: "[news]"
`,
      '/cfg/momentscan.yaml',
    );
    expect(cfg.email).toEqual({
      to: ['me@example.com', 'Desk <desk@example.com>', 'other@example.com'],
      from: 'momentscan <momentscan@example.com>',
      smtp: 'smtp://digest@smtp.example.com:587',
      passwordFile: '/cfg/secrets/smtp',
      subjectPrefix: '[news]',
    });
  });

  it('is optional, and every field in it too', () => {
    expect(parseConfigText('topics: []\n', '/cfg/m.yaml').email).toBeNull();
    expect(parseConfigText('email: {to: me@example.com}\n', '/cfg/m.yaml').email).toEqual({
      to: ['me@example.com'],
      from: null,
      smtp: null,
      passwordFile: null,
      subjectPrefix: 'momentscan',
    });
  });

  it.each([
    ['email: yes', 'email: expected a mapping'],
    ['email: {too: me@example.com}', 'email.too: unknown field (did you mean "to"?)'],
    ['email: {to: [me@example.com, nobody]}', 'email.to[1]: expected an email address such as me@example.com, got "nobody"'],
    ['email: {to: 42}', 'email.to: expected a list'],
    ['email: {from: "momentscan"}', 'email.from: expected an email address'],
    ['email: {smtp: "https://mail.example.com"}', 'email.smtp: expected an smtp:// or smtps:// URL, got a https: URL'],
    ['email: {smtp: "smtp.example.com:587"}', 'email.smtp: expected an'],
    ['email: {smtp: "not a url"}', 'email.smtp: expected an SMTP URL such as smtp://user@smtp.example.com:587'],
    ['email: {passwordFile: ""}', 'email.passwordFile: must not be empty'],
    ['email: {passwordFile: [a]}', 'email.passwordFile: expected a string'],
    ['email: {subjectPrefix: "a\\nBcc: x@example.com"}', 'email.subjectPrefix: must be one line'],
  ])('%s → %s', (yaml, message) => {
    const err = errorOf(`${yaml}\n`);
    expect(err).toContain('/cfg/momentscan.yaml: ');
    expect(err).toContain(message);
  });

  it('never echoes a password written into the SMTP URL', () => {
    const err = errorOf('email: {smtp: "ftp://user:hunter2secret@mail.example.com"}\n');
    expect(err).toContain('email.smtp');
    expect(err).not.toContain('hunter2secret');
  });
});
