import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/core/errors.js';
import { connectPg } from '../../../src/store/pg/connect.js';
import { parsePgUrl } from '../../../src/store/pg/url.js';
import { runCli } from '../../helpers/cli.js';
import { freshDatabase } from '../../helpers/pg.js';
import { tempDir } from '../../helpers/tmp.js';

function failure(url: string, env: NodeJS.ProcessEnv = {}): StoreError {
  try {
    connectPg(parsePgUrl(url, { HOME: '/nonexistent', ...env })).close();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error('connected');
}

describe('connecting to PostgreSQL: one-line errors naming the server, never the password', () => {
  it('connects, and a wrong password, no password, a missing database and a refused port are each said plainly', () => {
    const url = new URL(freshDatabase());
    const pw = decodeURIComponent(url.password);
    connectPg(parsePgUrl(url.toString(), {})).close();

    const bad = new URL(url);
    bad.password = 'not-the-password';
    const auth = failure(bad.toString());
    expect(auth.message).toBe(`postgres://${url.username}@127.0.0.1:${url.port}${url.pathname}: authentication failed for user "${url.username}" (password from the URL)`);
    expect(auth.hint).toMatch(/PGPASSFILE/);
    expect(auth.exitCode).toBe(1);

    const none = new URL(url);
    none.pathname = '/no_such_db';
    const missing = failure(none.toString());
    expect(missing.message).toMatch(/: database "no_such_db" does not exist$/);
    expect(missing.hint).toMatch(/createdb no_such_db/);

    const closed = new URL(url);
    closed.port = '1';
    const refused = failure(closed.toString());
    expect(refused.message).toMatch(/: connection refused by 127\.0\.0\.1:1$/);
    expect(refused.hint).toMatch(/is PostgreSQL running there/);

    const nopw = new URL(url);
    nopw.password = '';
    const unasked = failure(nopw.toString());
    expect(unasked.message).toBe(`postgres://${url.username}@127.0.0.1:${url.port}${url.pathname}: the server asks for a password for user "${url.username}" and none was given`);
    expect(unasked.hint).toMatch(/pgpass.*MOMENTSCAN_DB_PASSWORD_FILE.*PGPASSWORD/);
    expect(unasked.exitCode).toBe(1);

    // a pgpass file that is there but has no line for this connection is named, with the line it lacks
    const pgpass = path.join(tempDir(), 'pgpass');
    writeFileSync(pgpass, `127.0.0.1:${url.port}:other_db:${url.username}:${pw}\n`, { mode: 0o600 });
    const unmatched = failure(nopw.toString(), { PGPASSFILE: pgpass });
    expect(unmatched.message).toBe(
      `postgres://${url.username}@127.0.0.1:${url.port}${url.pathname}: the server asks for a password for user "${url.username}" and none was given (no line of the pgpass file ${pgpass} is for 127.0.0.1:${url.port}:${url.pathname.slice(1)}:${url.username})`,
    );

    for (const e of [auth, missing, refused, unasked, unmatched]) {
      expect(e.message).not.toContain(pw);
      expect(e.message).not.toContain('not-the-password');
      expect(e.message).not.toContain('\n');
    }
  });

  it("sslmode: a server without SSL, and a certificate the client does not trust, are each said plainly (not 'see the server log')", async () => {
    const url = new URL(freshDatabase());
    url.searchParams.set('sslmode', 'require');
    const plain = failure(url.toString());
    expect(plain.message).toBe(`postgres://${url.username}@127.0.0.1:${url.port}${url.pathname}: the server does not accept SSL connections, and the URL's sslmode asks for one`);
    expect(plain.hint).toMatch(/^use sslmode=disable \(or prefer\) for this server, or turn ssl on in its postgresql\.conf$/);

    // a server that answers the SSL request with a self-signed certificate (fixtures/tls), in a process of
    // its own: this thread blocks while it connects
    const tls = path.join(import.meta.dirname, '../../../fixtures/tls');
    const server = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'), net = require('node:net'), tls = require('node:tls');
      const ctx = { key: fs.readFileSync(${JSON.stringify(path.join(tls, 'key.pem'))}), cert: fs.readFileSync(${JSON.stringify(path.join(tls, 'cert.pem'))}) };
      const srv = net.createServer((sock) => sock.once('data', () => {
        sock.write('S');
        new tls.TLSSocket(sock, { isServer: true, ...ctx }).on('error', () => sock.destroy());
      }));
      srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
      process.stdin.on('end', () => process.exit(0)).resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<string>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(String(d).trim())));
      const e = failure(`postgres://ana:secret-pw@127.0.0.1:${port}/db?sslmode=verify-full`);
      expect(e.message).toBe(`postgres://ana@127.0.0.1:${port}/db: the server's certificate was not accepted (self-signed certificate)`);
      expect(e.hint).toMatch(/NODE_EXTRA_CA_CERTS=FILE.*sslmode=require/);
      expect(e.hint).not.toMatch(/server log/);
      expect(e.exitCode).toBe(1);
    } finally {
      server.stdin.end();
    }
  });

  it("sslmode as libpq has it: prefer (the default) tries TLS first and goes on without it; allow and disable do not ask; verify-ca does not check the host's name", async () => {
    // the test server has no TLS: prefer (and the default) connect all the same, as libpq does
    const url = new URL(freshDatabase());
    for (const mode of [null, 'prefer', 'allow', 'disable']) {
      if (mode) url.searchParams.set('sslmode', mode);
      connectPg(parsePgUrl(url.toString(), {})).close();
    }
    // a stand-in server (fixtures/tls) on every loopback address says whether the client asked for TLS
    // (the SSLRequest, code 80877103) and whether the handshake went through; it then hangs up
    const tls = path.join(import.meta.dirname, '../../../fixtures/tls');
    const server = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'), net = require('node:net'), tls = require('node:tls');
      const ctx = { key: fs.readFileSync(${JSON.stringify(path.join(tls, 'key.pem'))}), cert: fs.readFileSync(${JSON.stringify(path.join(tls, 'cert.pem'))}) };
      const srv = net.createServer((sock) => sock.once('data', (d) => {
        if (d.length !== 8 || d.readUInt32BE(4) !== 80877103) { console.log('plain'); return sock.destroy(); }
        sock.write('S');
        const t = new tls.TLSSocket(sock, { isServer: true, ...ctx }).on('error', () => sock.destroy());
        t.on('secure', () => { console.log('tls'); t.destroy(); });
      }));
      srv.listen(0, '0.0.0.0', () => console.log(srv.address().port));
      process.stdin.on('end', () => process.exit(0)).resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let port = '';
    const next = () => new Promise<string>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(String(d).trim())));
    try {
      port = await next();
      // asks for TLS and shakes hands (unchecked) with prefer and by default; not with allow or disable
      for (const mode of ['', '?sslmode=prefer', '?sslmode=allow', '?sslmode=disable']) {
        const said = next();
        failure(`postgres://ana:pw@127.0.0.1:${port}/db${mode}`);
        lines.push(`${mode || 'default'}: ${await said}`);
      }
      const handshake = next();
      // verify-ca: a certificate the client trusts (NODE_EXTRA_CA_CERTS, read at start: a CLI run) for another
      // name than the URL's host (127.0.0.2) is accepted, and the handshake goes through; verify-full refuses it
      const [ca, full] = ['verify-ca', 'verify-full'].map((mode) =>
        runCli(['status', '--no-smtp-check', '--db', `postgres://ana:pw@127.0.0.2:${port}/db?sslmode=${mode}&connect_timeout=5`], {
          home: tempDir(),
          env: { NODE_EXTRA_CA_CERTS: path.join(tls, 'cert.pem') },
        }),
      );
      lines.push(`verify-ca: ${await handshake}`);
      // (the stand-in hangs up once the handshake is done)
      expect(ca!.stderr).toBe(`momentscan: error: postgres://ana@127.0.0.2:${port}/db: database error: Connection terminated unexpectedly — see the server log for details\n`);
      expect(full!.stderr).toMatch(/: the server's certificate was not accepted \(Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.2 is not in the cert's list: 127\.0\.0\.1\) — /);
      expect(lines).toEqual(['default: tls', '?sslmode=prefer: tls', '?sslmode=allow: plain', '?sslmode=disable: plain', 'verify-ca: tls']);
    } finally {
      server.stdin.end();
    }
  });

  it('sslmode=allow: a server that refuses the connection without TLS (SQLSTATE 28000, pg_hba hostssl) is asked again with it; another refusal is not', async () => {
    // a stand-in server on the TLS fixture: a startup without TLS is refused as pg_hba.conf refuses it
    // ('no encryption', 28000), or with 3D000 for the database "missing"; one over TLS is refused for its
    // password (28P01), so that the client's last error says which try it came from. It says each try.
    const tls = path.join(import.meta.dirname, '../../../fixtures/tls');
    const server = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'), net = require('node:net'), tls = require('node:tls');
      const ctx = { key: fs.readFileSync(${JSON.stringify(path.join(tls, 'key.pem'))}), cert: fs.readFileSync(${JSON.stringify(path.join(tls, 'cert.pem'))}) };
      const error = (code, message) => {
        const body = Buffer.from('SFATAL\\0VFATAL\\0C' + code + '\\0M' + message + '\\0\\0');
        const head = Buffer.alloc(5); head.write('E'); head.writeUInt32BE(body.length + 4, 1);
        return Buffer.concat([head, body]);
      };
      const srv = net.createServer((sock) => sock.once('data', (d) => {
        if (d.length === 8 && d.readUInt32BE(4) === 80877103) {
          sock.write('S');
          const t = new tls.TLSSocket(sock, { isServer: true, ...ctx }).on('error', () => sock.destroy());
          t.once('data', () => { console.log('tls'); t.end(error('28P01', 'password authentication failed for user "ana"')); });
          return;
        }
        console.log('plain');
        sock.end(String(d).includes('missing') ? error('3D000', 'database "missing" does not exist') : error('28000', 'no pg_hba.conf entry for host "127.0.0.1", user "ana", database "db", no encryption'));
      }));
      srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
      process.stdin.on('end', () => process.exit(0)).resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    server.stdout.on('data', (d: Buffer) => (out += String(d)));
    /** The lines the stand-in has said since the last call, once there are `n`. */
    let seen = 0;
    const said = async (n: number) => {
      for (let i = 0; i < 200 && out.split('\n').length - 1 < seen + n; i++) await new Promise((r) => setTimeout(r, 25));
      const lines = out.split('\n').slice(seen, seen + n);
      seen += n;
      return lines;
    };
    try {
      const [port] = await said(1);
      // allow: without TLS, refused as pg_hba refuses it: again with TLS, whose refusal is the one said
      const refused = failure(`postgres://ana:pw@127.0.0.1:${port}/db?sslmode=allow`);
      expect(await said(2)).toEqual(['plain', 'tls']);
      expect(refused.message).toBe(`postgres://ana@127.0.0.1:${port}/db: authentication failed for user "ana" (password from the URL)`);
      // another refusal (no such database) is not tried again with TLS
      const missing = failure(`postgres://ana:pw@127.0.0.1:${port}/missing?sslmode=allow`);
      expect(missing.message).toMatch(/: database "missing" does not exist$/);
      // disable never tries TLS: the pg_hba refusal is said as such, not as a password to check (it was
      // 'authentication failed for user "ana" (password from the URL)' — check the user and the password)
      const disabled = failure(`postgres://ana:pw@127.0.0.1:${port}/db?sslmode=disable`);
      expect(disabled.message).toBe(`postgres://ana@127.0.0.1:${port}/db: the server does not accept this connection (no pg_hba.conf entry for host "127.0.0.1", user "ana", database "db", no encryption)`);
      expect(disabled.hint).toBe('it takes this host only over TLS: use sslmode=require (or prefer, the default, or allow) in the URL');
      expect(await said(2)).toEqual(['plain', 'plain']);
      expect(out.split('\n').length - 1).toBe(seen);
    } finally {
      server.stdin.end();
    }
  });
});
