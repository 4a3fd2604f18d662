// The benchmark's feed server: a child process (forked by run.mjs) so that serving does not count
// against the CLI's CPU time — though on a small machine it still competes for the same cores.
//
// It generates every feed once (feeds.mjs, deterministic), precompresses it with gzip, and serves it
// on 127.0.0.1 with a strong ETag, answering 304 to a matching If-None-Match. It counts what it
// answered; the parent asks over IPC:
//   parent → { type: 'reset' }            zero the counters   → { type: 'reset', id }
//   parent → { type: 'stats', id }        read the counters   → { type: 'stats', id, stats }
//   child  → { type: 'ready', port, ... } once listening
// It exits when the parent goes away (IPC disconnect), so it can never outlive a killed run.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { feedPath, renderFeed } from './feeds.mjs';

const { values } = parseArgs({
  options: { feeds: { type: 'string' }, items: { type: 'string' }, gzip: { type: 'boolean', default: false } },
});
const feeds = Number(values.feeds);
const items = Number(values.items);
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
  routes.set(feedPath(i), { identity, gz, etag: `"${hash}"`, etagGz: `"${hash}-gz"` });
}
const generateMs = performance.now() - t0;

// ---------------------------------------------------------------------------------------------
// Counters

function freshStats() {
  return { requests: 0, byStatus: {}, gzipResponses: 0, bytesOut: 0, feeds200: 0, feeds304: 0, connections: 0, maxOpenConnections: 0, unknownPaths: 0 };
}
let stats = freshStats();
/** Per path, what this round answered: so "every feed got exactly one 304" can be checked. */
let answered = new Map();
/** Sockets open now: the client's connection pool as seen from here (requests are answered synchronously). */
let open = 0;

function count(status, path, bytes, gzipped) {
  stats.requests++;
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
  return { ...stats, feeds200: once200, feeds304: once304, feedsRequested: answered.size, openConnections: open };
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

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const route = routes.get(path);
  if (!route || req.method !== 'GET') {
    stats.unknownPaths++;
    res.writeHead(route ? 405 : 404, { 'content-type': 'text/plain' });
    res.end(route ? 'method not allowed' : 'not found');
    count(route ? 405 : 404, path, 0, false);
    return;
  }
  const useGzip = route.gz !== null && acceptsGzip(req.headers['accept-encoding']);
  const etag = useGzip ? route.etagGz : route.etag;
  const common = { etag, 'cache-control': 'max-age=0, must-revalidate', ...(route.gz ? { vary: 'accept-encoding' } : {}) };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, common);
    res.end();
    count(304, path, 0, false);
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
  count(200, path, body.length, useGzip);
});
server.on('connection', (socket) => {
  stats.connections++;
  stats.maxOpenConnections = Math.max(stats.maxOpenConnections, ++open);
  socket.on('close', () => open--);
});
server.keepAliveTimeout = 15_000;

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

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, feeds, items, gzip, rawBytes, gzBytes, generateMs });
});
