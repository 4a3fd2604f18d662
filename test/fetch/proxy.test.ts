import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, fetchFeed } from '../../src/fetch/http.js';
import { serve, startServer, type FixtureServer } from '../helpers/server.js';

// The fetch's dispatcher honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY (README: Files and environment). With
// no proxy in the environment it is a plain Agent (fetch/http.ts createDispatcher), which must change
// nothing: a proxy named there still gets the requests, and NO_PROXY still sends a host around it.

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Acme</title><link>https://example.com/a</link></item></channel></rss>';

interface Proxy {
  url: string;
  /** What the proxy was asked for: CONNECT targets, or absolute URLs. */
  asked: string[];
  close: () => Promise<void>;
}

/** A forwarding HTTP proxy on 127.0.0.1: tunnels CONNECT, forwards absolute-form requests. */
async function startProxy(): Promise<Proxy> {
  const asked: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const target = new URL(req.url ?? '');
    const out = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connect', (req, client: Socket, head) => {
    asked.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    for (const s of [up, client]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let feed: FixtureServer | null = null;
let proxy: Proxy | null = null;
afterEach(async () => {
  await feed?.close();
  await proxy?.close();
  feed = proxy = null;
});

async function fetchThrough(env: NodeJS.ProcessEnv): Promise<{ body: string; asked: string[]; direct: number }> {
  feed = await startServer({ '/feed.xml': serve(RSS, { 'content-type': 'application/rss+xml' }) });
  proxy = await startProxy();
  const dispatcher = createDispatcher(5_000, 2, Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v?.replace('PROXY_URL', proxy!.url)])));
  try {
    const out = await fetchFeed(feed.url('/feed.xml'), { timeoutMs: 5_000, maxBytes: 1 << 20, userAgent: 'momentscan-test', dispatcher });
    expect(out.status).toBe('ok');
    return { body: out.status === 'ok' ? Buffer.from(out.body).toString('utf8') : '', asked: [...proxy.asked], direct: feed.requests.length };
  } finally {
    await dispatcher.close();
  }
}

describe('the fetch and proxies from the environment', () => {
  it.each([['HTTP_PROXY'], ['http_proxy']])('%s names a proxy: the request goes through it', async (name) => {
    const got = await fetchThrough({ [name]: 'PROXY_URL' });
    expect(got.body).toBe(RSS);
    expect(got.asked).toHaveLength(1);
    expect(got.asked[0]).toContain(new URL(feed!.url('/')).host);
  });

  it('NO_PROXY naming the host: straight to it, the proxy not asked', async () => {
    const got = await fetchThrough({ HTTP_PROXY: 'PROXY_URL', NO_PROXY: 'localhost,127.0.0.1' });
    expect(got.body).toBe(RSS);
    expect(got.asked).toEqual([]);
    expect(got.direct).toBe(1);
  });

  it.each([[{}], [{ HTTP_PROXY: '' }], [{ NO_PROXY: '127.0.0.1' }]])('no proxy (%j): straight to the host', async (env) => {
    const got = await fetchThrough(env);
    expect(got.body).toBe(RSS);
    expect(got.asked).toEqual([]);
    expect(got.direct).toBe(1);
  });
});
