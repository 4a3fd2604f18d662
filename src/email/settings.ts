import os from 'node:os';
import { isMailbox, splitAddresses, type Config } from '../config/schema.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { passwordFileTooOpen, resolveSmtp, type SmtpSettings } from './smtp.js';

export interface MailSettings {
  from: string;
  to: string[];
  subjectPrefix: string;
  /** Null for a dry run without an SMTP server configured. */
  server: SmtpSettings | null;
}

/**
 * Recipients (--to, else the config's email.to), sender and SMTP server (the password read now, from its
 * file) for `digest --send` and `--dry-run`. Warnings (a password in the URL, a file others can read) go to `warn`.
 */
export async function mailSettings(
  config: Config,
  o: { to?: string[] },
  env: NodeJS.ProcessEnv,
  dryRun: boolean,
  warn: (line: string) => void,
): Promise<MailSettings> {
  const email = config.email;
  // `--to ''` (an empty variable in a cron line) must not quietly fall back to email.to
  if ((o.to ?? []).some((t) => t.trim() === '')) {
    throw new UsageError('--to: got an empty address', { hint: 'give --to me@example.com, or leave --to out to use email.to from the config' });
  }
  const given = (o.to ?? []).flatMap(splitAddresses);
  for (const a of given) {
    if (!isMailbox(a)) throw new UsageError(`--to: expected an email address such as me@example.com, got ${JSON.stringify(a)}`);
  }
  const to = given.length ? given : (email?.to ?? []);
  if (to.length === 0) {
    throw new UsageError('the digest has no recipients', { hint: 'give --to me@example.com, or set email.to in the config' });
  }
  const from = email?.from ?? `momentscan@${os.hostname() || 'localhost'}`;
  const subjectPrefix = email?.subjectPrefix ?? 'momentscan';
  const fromEnv = env.MOMENTSCAN_SMTP_URL?.trim();
  const url = fromEnv || email?.smtp || null;
  if (!url) {
    if (dryRun) return { from, to, subjectPrefix, server: null };
    throw new ConfigError('no SMTP server to send the digest through', {
      hint: 'set email.smtp in the config (smtp://user@smtp.example.com:587) or $MOMENTSCAN_SMTP_URL',
    });
  }
  const source = fromEnv ? 'MOMENTSCAN_SMTP_URL' : `${config.file ?? 'config'}: email.smtp`;
    const passwordFile = email?.passwordFile ?? null;
  if (dryRun) {
    // the message does not need the password: do not read it
    return { from, to, subjectPrefix, server: resolveSmtp({ url, source, passwordFile: null }) };
  }
  const server = resolveSmtp({ url, source, passwordFile });
  if (passwordFile && hasUrlPassword(url)) {
    warn(`momentscan: warning: the SMTP URL (${source}) carries a password too; the one in email.passwordFile is used, the URL's is ignored`);
  }
  if (!passwordFile && hasUrlPassword(url)) {
    warn(`momentscan: warning: the SMTP URL (${source}) carries the password; keep it in a file named by email.passwordFile instead`);
  }
  if (passwordFile && passwordFileTooOpen(passwordFile)) {
    warn(`momentscan: warning: ${passwordFile} (email.passwordFile) can be read by other users; chmod 600 it`);
  }
  return { from, to, subjectPrefix, server };
}

function hasUrlPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}
