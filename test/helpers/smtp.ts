import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The message as the server received it. */
  raw: string;
  parsed: ParsedMail;
  /** The envelope: MAIL FROM and RCPT TO. */
  from: string;
  to: string[];
  /** The user it logged in as, if it did. */
  user: string | null;
}

export interface TestSmtpServer {
  port: number;
  /** smtp://[user@]127.0.0.1:port */
  url: (user?: string, pass?: string) => string;
  /** The messages taken in so far, once parsed (the server has answered 250 for each before the CLI exits). */
  messages: () => Promise<ReceivedMail[]>;
  /** Logins tried: user and password, in order. */
  logins: { user: string; pass: string }[];
  /** With `hold`: resolves when the first recipient has been given (a send is under way, waiting on the server). */
  held: Promise<void>;
  /** With `hold`: answers the recipients held so far, and all later ones at once. */
  release: () => void;
  close: () => Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (port 0: any free one), no TLS. With `password`, it offers AUTH (PLAIN,
 * LOGIN) and takes only that password for `user`; without, it takes mail from anyone. `rejectWith`
 * refuses every recipient with that reply (e.g. "550 mailbox unavailable"). `slowMs` answers each
 * recipient that much later: a server that keeps answering, slowly (never idle long enough for a timeout).
 * `authReply` makes the reply to a refused login (given the password tried). `hold` keeps every recipient
 * unanswered until `release()`: a send caught in the middle, for as long as the test needs.
 */
export async function startSmtp(
  o: { user?: string; password?: string; rejectWith?: { code: number; message: string }; slowMs?: number; authReply?: (pass: string) => string; hold?: boolean } = {},
): Promise<TestSmtpServer> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let heldNow!: () => void;
  const held = new Promise<void>((resolve) => (heldNow = resolve));
  const received: ReceivedMail[] = [];
  const logins: { user: string; pass: string }[] = [];
  const parsing: Promise<void>[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: o.password ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !o.password,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      if (auth.username === (o.user ?? 'digest') && auth.password === o.password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error(o.authReply ? o.authReply(auth.password ?? '') : 'Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, cb) {
      if (o.hold) {
        heldNow();
        void released.then(() => cb());
      } else if (o.slowMs) setTimeout(() => cb(), o.slowMs);
      else if (o.rejectWith) cb(Object.assign(new Error(o.rejectWith.message), { responseCode: o.rejectWith.code }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        // the session is reset for the next message once this one is answered: read it now
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
        };
        parsing.push(simpleParser(raw).then((parsed) => void received.push({ raw, parsed, ...envelope })));
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: (user, pass) => `smtp://${user ? `${encodeURIComponent(user)}${pass ? `:${encodeURIComponent(pass)}` : ''}@` : ''}127.0.0.1:${port}`,
    messages: async () => {
      await Promise.all(parsing);
      return received;
    },
    logins,
    held,
    release,
    close: async () => {
      release();
      await Promise.all(parsing);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
