import { readFileSync, statSync } from 'node:fs';
import nodemailer, { type SMTPTransportOptions } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { ConfigError, MomentscanError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';

/**
 * Sending the digest by email: the last stage of the pipeline, and its only network I/O besides fetch.
 * nodemailer does the SMTP and the MIME (text and HTML alternatives, encodings, line lengths).
 *
 * The password never leaves this module in the clear: it comes from a file (or, discouraged, the URL),
 * every URL shown is sanitised (`smtp://user:***@host:587`), and every error message is scrubbed.
 */

export interface SmtpSettings {
  /** The URL as shown to people: no password, no query. */
  display: string;
  options: SMTPTransportOptions;
  /** Strings that must never be printed (the password and its encodings). */
  secrets: string[];
  /** The whole send (connect, log in, hand over the message) must be done within this; then it is abandoned. */
  deadlineMs: number;
}

/** How long one send may take at most, however steadily a slow server keeps answering (README: "Email"). */
export const SEND_DEADLINE_MS = 120_000;

export interface DigestMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  date: Date;
}

/** `smtp://user:***@host:587`: the server and user, never the password, nor the query (it may hold secrets too). */
export function sanitizeSmtpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(an unreadable SMTP URL)';
  }
  const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : url.password ? ':***@' : '';
  return `${url.protocol}//${user}${url.host}`;
}

/** Replaces every secret in `text` with ***, in any letter case; a text holding a long piece of one is withheld. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets.filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '***');
  }
  const lower = out.toLowerCase();
  for (const s of secrets) {
    for (let i = 0; i + 6 <= s.length; i++) {
      if (lower.includes(s.slice(i, i + 6).toLowerCase())) return '(the server\'s reply is withheld: it quotes part of the password)';
    }
  }
  return out;
}

/** The strings to keep out of any output for a password (as typed, URL-encoded, and inside AUTH PLAIN/LOGIN). */
export function secretsOf(user: string, pass: string): string[] {
  if (!pass) return [];
  return [
    ...new Set([
      pass,
      encodeURIComponent(pass),
      Buffer.from(pass).toString('base64'),
      Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64'),
    ]),
  ];
}

/**
 * Reads the SMTP settings: the URL (from `$MOMENTSCAN_SMTP_URL` or `email.smtp`, named by `source`), the
 * password from `passwordFile` when given (read now, at send time). Errors are config errors (exit 2).
 */
export function resolveSmtp(o: { url: string; source: string; passwordFile: string | null }): SmtpSettings {
  const display = sanitizeSmtpUrl(o.url);
  let parsed: ReturnType<typeof parseConnectionUrl>;
  let url: URL;
  try {
    url = new URL(o.url);
    parsed = parseConnectionUrl(o.url);
  } catch {
    throw new ConfigError(`${o.source}: cannot read the SMTP URL ${display}`, { hint: 'write it as smtp://user@smtp.example.com:587 (or smtps:// for port 465)' });
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError(`${o.source}: expected an smtp:// or smtps:// URL, got ${display}`, { hint: 'write it as smtp://user@smtp.example.com:587' });
  }
  if (!parsed.host) throw new ConfigError(`${o.source}: the SMTP URL ${display} names no server`, { hint: 'write it as smtp://user@smtp.example.com:587' });
  const user = parsed.auth?.user ?? '';
  let pass = parsed.auth?.pass ?? '';
  if (o.passwordFile) {
    pass = readPassword(o.passwordFile);
    if (!user) {
      throw new ConfigError(`${o.source}: the SMTP URL ${display} names no user to log in as with the password from email.passwordFile`, {
        hint: 'put the user name in the URL: smtp://USER@smtp.example.com:587',
      });
    }
  }
  const { auth: _auth, ...rest } = parsed;
  const options: SMTPTransportOptions = {
    // cron should hear about a dead server in seconds, not minutes (the URL's query can say otherwise)
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    ...(rest as SMTPTransportOptions),
    logger: false,
    debug: false,
  };
  if (user || pass) options.auth = { user, pass };
  return { display, options, secrets: secretsOf(user, pass), deadlineMs: SEND_DEADLINE_MS };
}

/** The password file's first line (a trailing newline is not part of it). Missing, unreadable or empty: a config error. */
export function readPassword(file: string): string {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code;
    throw new ConfigError(`email.passwordFile: cannot read the SMTP password file ${file} (${why})`, {
      hint: 'create it with only the password in it (chmod 600), or fix the path in the config',
    });
  }
  const pass = text.replace(/\r?\n[\s\S]*$/, '');
  if (!pass) {
    throw new ConfigError(`email.passwordFile: the SMTP password file ${file} is empty`, { hint: 'put the password on its first line' });
  }
  return pass;
}

/** Is the password file readable by others than its owner? (A warning, as ssh does for keys.) */
export function passwordFileTooOpen(file: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    return (statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

function mailOptions(m: DigestMessage) {
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    date: m.date,
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** The MIME message as it would be sent (for --dry-run): nothing leaves the machine. */
export async function buildMime(m: DigestMessage): Promise<string> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(mailOptions(m));
  const msg = info.message;
  return Buffer.isBuffer(msg) ? msg.toString('utf8') : '';
}

export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** What a send or a check failed with: the server's reply, scrubbed; for a refused login only that (a server may echo what it was sent). */
function failureReason(err: unknown, s: SmtpSettings): string {
  const e = err as { response?: unknown; message?: unknown; code?: unknown; responseCode?: unknown };
  if (e.code === 'EAUTH') return `the server refused the login${typeof e.responseCode === 'number' ? ` (${e.responseCode})` : ''}`;
  const raw = typeof e.response === 'string' && e.response.trim() ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const reply = scrub(raw.replace(/\s+/g, ' ').trim(), s.secrets);
  // TLS faults in words: OpenSSL's own text, or the bare reply to STARTTLS, says nothing of what was asked
  if (e.code === 'ETLS' && typeof e.response === 'string' && e.response.trim()) {
    return `the server would not start TLS, which the URL requires (it answered STARTTLS with "${reply}")`;
  }
  // a connection that never was, in words: 'connect ECONNREFUSED 127.0.0.1:1' names no cause
  const message = String(e.message);
  if (/\bECONNREFUSED\b/.test(message)) {
    const at = err as { address?: unknown; port?: unknown };
    return `nothing listens at ${String(at.address ?? s.options.host)}:${String(at.port ?? s.options.port)} (connection refused)`;
  }
  if (e.code === 'EDNS' || /\b(ENOTFOUND|EAI_AGAIN)\b/.test(message)) return `no such host ${String(s.options.host)} (DNS lookup failed)`;
  if (e.code === 'ESOCKET' && s.options.secure && /wrong version number|packet length too long|unknown protocol/i.test(String(e.message))) {
    return 'the server does not speak TLS from the start, as smtps:// expects (port 465); for a server on port 587 or 25, which starts TLS later, write smtp://';
  }
  return reply;
}

/**
 * Connects to the server and logs in, sending nothing (`momentscan status`): null when that worked,
 * else what failed, in the words of a failed send.
 */
export async function checkSmtp(s: SmtpSettings): Promise<string | null> {
  // its connection's own timeouts within the deadline too: closing the transport does not end a connection
  // still waiting for a greeting, which kept `status` up for the 30 s greeting timeout after saying 15 s.
  // A second past it, so that the deadline (created first, at the same 15 s) does not race them: the
  // greeting's 'Greeting never received' won about half the runs, and the check said so instead of its deadline
  const within = (ms: number | undefined) => Math.min(ms ?? s.deadlineMs, s.deadlineMs + 1_000);
  const transport = nodemailer.createTransport({
    ...s.options,
    connectionTimeout: within(s.options.connectionTimeout),
    greetingTimeout: within(s.options.greetingTimeout),
    socketTimeout: within(s.options.socketTimeout),
  });
  const deadline = setTimeout(() => transport.close(), s.deadlineMs);
  try {
    await Promise.race([
      transport.verify(),
      new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error(`no answer within ${formatDuration(s.deadlineMs)}`), { code: 'ETIMEDOUT' })), s.deadlineMs).unref()),
    ]);
    return null;
  } catch (err) {
    return failureReason(err, s);
  } finally {
    clearTimeout(deadline);
    transport.close();
  }
}

/**
 * Sends the message. A failure is a MomentscanError (exit 1) naming the server (sanitised) and the SMTP
 * reason, with every trace of the password scrubbed.
 */
export async function sendDigestMail(s: SmtpSettings, m: DigestMessage): Promise<SendResult> {
  const transport = nodemailer.createTransport(s.options);
  // the timeouts above are idle timeouts: a server answering a byte at a time would never trip them
  const deadline = AbortSignal.timeout(s.deadlineMs);
  try {
    const info = await transport.sendMail({ ...mailOptions(m), signal: deadline });
    return { accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: scrub(String(info.response ?? ''), s.secrets) };
  } catch (err) {
    if (deadline.aborted) {
      throw new MomentscanError(`sending the digest via ${s.display} failed: no answer within ${formatDuration(s.deadlineMs)} (the overall deadline of a send)`, {
        hint: 'the digest was not marked as sent; check that the SMTP server is up and not overloaded',
      });
    }
    const auth = (err as { code?: unknown }).code === 'EAUTH';
    const reason = failureReason(err, s);
    throw new MomentscanError(`sending the digest via ${s.display} failed: ${reason}`, {
      hint: auth
        ? 'the digest was not marked as sent; check the user in the SMTP URL and the password in email.passwordFile'
        : 'the digest was not marked as sent',
    });
  } finally {
    transport.close();
  }
}
