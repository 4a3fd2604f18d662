// The benchmark's feed server: a child process (forked by run.mjs) so that serving does not count
// against the CLI's CPU time — though on a small machine it still competes for the same cores.
//
// It generates every feed once (feeds.mjs, deterministic), precompresses it with gzip, and serves it
// on 127.0.0.1 with a strong ETag, answering 304 to a matching If-None-Match. It listens on `--hosts`
// ports, one "host" each (the fetcher's per-host accounting keys on host:port), and feed i is served
// only by host i mod hosts (feedHost): elsewhere it is a 404. It counts what it answered, in all and
// per host, with the most connections open at once to each host; the parent asks over IPC:
//   parent → { type: 'reset' }             zero the counters   → { type: 'reset', id }
//   parent → { type: 'stats', id }         read the counters   → { type: 'stats', id, stats }
//   child  → { type: 'ready', ports, ... } once every port is listening
// It exits when the parent goes away (IPC disconnect), so it can never outlive a killed run.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { feedHost, feedPath, renderFeed } from './feeds.mjs';

const { values } = parseArgs({
  options: { feeds: { type: 'string' }, items: { type: 'string' }, hosts: { type: 'string', default: '1' }, gzip: { type: 'boolean', default: false } },
});
const feeds = Number(values.feeds);
const items = Number(values.items);
const hosts = Number(values.hosts);
const gzip = values.gzip;

// ---------------------------------------------------------------------------------------------
// Generate once: path → { identity, gz, etag, etagGz }

const t0 = performance.now();
const routes = new Map();
let rawBytes = 0;
let gzBytes = 0;
for (let i = 0; i < feeds; i++) {
  const identity = Buffer.from(renderFeed(i, items), 'utf8');
  const hash = createHash('sha1').update(identity).digest('hex').slice(0, 20);
  const gz = gzip ? gzipSync(identity) : null;
  rawBytes += identity.length;
  gzBytes += gz?.length ?? 0;
  // Strong ETags differ per representation (RFC 9110 §8.8.3): the gzip body gets its own.
  routes.set(feedPath(i), { identity, gz, etag: `"${hash}"`, etagGz: `"${hash}-gz"`, host: feedHost(i, hosts) });
}
const generateMs = performance.now() - t0;

// ---------------------------------------------------------------------------------------------
// Counters

/** Sockets open now, in all and per host: the client's connection pools as seen from here (requests are answered synchronously). */
let open = 0;
const openPerHost = new Array(hosts).fill(0);

// A round's maxima start from what is open at the reset (normally nothing: the last CLI has exited).
function freshStats() {
  return {
    requests: 0,
    byStatus: {},
    gzipResponses: 0,
    bytesOut: 0,
    feeds200: 0,
    feeds304: 0,
    connections: 0,
    maxOpenConnections: open,
    unknownPaths: 0,
    // lastAt/minGapMs: arrival of the host's last request, the shortest time between two arrivals
    perHost: openPerHost.map((n) => ({ requests: 0, connections: 0, maxOpen: n, lastAt: null, minGapMs: null })),
  };
}
let stats = freshStats();
/** Per path, what this round answered: so "every feed got exactly one 304" can be checked. */
let answered = new Map();

function count(host, status, path, bytes, gzipped) {
  stats.requests++;
  stats.perHost[host].requests++;
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  stats.bytesOut += bytes;
  if (gzipped) stats.gzipResponses++;
  if (routes.has(path)) {
    const prev = answered.get(path);
    answered.set(path, prev ? `${prev},${status}` : String(status));
  }
}

/** Summary of `answered`: how many feeds were answered exactly once with 200, exactly once with 304. */
function snapshot() {
  let once200 = 0;
  let once304 = 0;
  for (const v of answered.values()) {
    if (v === '200') once200++;
    else if (v === '304') once304++;
  }
  const per = stats.perHost;
  const gaps = per.map((h) => h.minGapMs).filter((g) => g !== null);
  return {
    ...stats,
    perHost: per.map(({ lastAt, minGapMs, ...h }, i) => ({ ...h, minGapMs: minGapMs === null ? null : Math.round(minGapMs * 10) / 10, port: ports[i] ?? null })),
    feeds200: once200,
    feeds304: once304,
    feedsRequested: answered.size,
    openConnections: open,
    /** The most connections open at once to any one host, and the spread of requests over hosts. */
    maxOpenPerHost: Math.max(...per.map((h) => h.maxOpen)),
    requestsPerHost: { min: Math.min(...per.map((h) => h.requests)), max: Math.max(...per.map((h) => h.requests)) },
    /** The shortest time between two requests arriving at one host (null: no host got two). */
    minGapPerHostMs: gaps.length > 0 ? Math.round(Math.min(...gaps) * 10) / 10 : null,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** Weak comparison, as If-None-Match requires: any listed tag (W/ ignored) or `*`. */
function matches(ifNoneMatch, etag) {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/** Accept-Encoding lists gzip (or x-gzip) without q=0. */
function acceptsGzip(header) {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.toLowerCase().split(';').map((p) => p.trim());
    if (coding !== 'gzip' && coding !== 'x-gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The request handler of host `host` (0 … hosts-1): it serves only that host's feeds. */
const handler = (host) => (req, res) => {
  const h = stats.perHost[host];
  const t = performance.now();
  if (h.lastAt !== null) h.minGapMs = Math.min(h.minGapMs ?? Infinity, t - h.lastAt);
  h.lastAt = t;
  const path = (req.url ?? '/').split('?')[0];
  const found = routes.get(path);
  const route = found && found.host === host ? found : undefined; // another host's feed is not here
  if (!route || req.method !== 'GET') {
    stats.unknownPaths++;
    res.writeHead(route ? 405 : 404, { 'content-type': 'text/plain' });
    res.end(route ? 'method not allowed' : 'not found');
    count(host, route ? 405 : 404, path, 0, false);
    return;
  }
  const useGzip = route.gz !== null && acceptsGzip(req.headers['accept-encoding']);
  const etag = useGzip ? route.etagGz : route.etag;
  const common = { etag, 'cache-control': 'max-age=0, must-revalidate', ...(route.gz ? { vary: 'accept-encoding' } : {}) };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, common);
    res.end();
    count(host, 304, path, 0, false);
    return;
  }
  const body = useGzip ? route.gz : route.identity;
  res.writeHead(200, {
    ...common,
    'content-type': 'application/rss+xml; charset=utf-8',
    'content-length': body.length,
    ...(useGzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
  count(host, 200, path, body.length, useGzip);
};

const servers = [];
for (let h = 0; h < hosts; h++) {
  const server = createServer(handler(h));
  server.on('connection', (socket) => {
    stats.connections++;
    stats.perHost[h].connections++;
    stats.maxOpenConnections = Math.max(stats.maxOpenConnections, ++open);
    stats.perHost[h].maxOpen = Math.max(stats.perHost[h].maxOpen, ++openPerHost[h]);
    socket.on('close', () => {
      open--;
      openPerHost[h]--;
    });
  });
  server.keepAliveTimeout = 15_000;
  servers.push(server);
}
/** ports[h]: where host h listens. */
const ports = [];

process.on('message', (msg) => {
  if (msg?.type === 'reset') {
    stats = freshStats();
    answered = new Map();
    process.send({ type: 'reset', id: msg.id });
  } else if (msg?.type === 'stats') {
    process.send({ type: 'stats', id: msg.id, stats: snapshot() });
  }
});
// The parent is gone (finished, crashed or killed): stop at once.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group; the parent cleans up, this one just goes.
process.on('SIGINT', () => process.exit(0));

await Promise.all(
  servers.map(
    (server, h) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          ports[h] = server.address().port;
          resolve();
        });
      }),
  ),
);
process.send({ type: 'ready', ports, feeds, items, hosts, gzip, rawBytes, gzBytes, generateMs });
