import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Dispatcher } from 'undici';
import { FeedError } from '../core/errors.js';
import { formatDuration } from '../core/time.js';
import { redirectProblem } from './address.js';
import { formatBytes, localFileError, readCapped, statLocalFile, tooLargeFile } from './local.js';
import { Agent, ExchangeError, envHttpProxyAgent, exchange, header, proxyInEnv, type Abortable, type Exchanged } from './undici.js';

export { formatBytes } from './local.js';

export interface FetchOptions {
  etag?: string | null;
  lastModified?: string | null;
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  maxRedirects?: number;
  /** Hosts a redirect may lead to even when they are local (fetch.allowRedirectsTo). */
  allowRedirectsTo?: readonly string[];
}

export type FetchOutcome =
  | {
      status: 'ok';
      httpStatus: number | null;
      body: Uint8Array;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** Where the body came from after redirects. */
      finalUrl: string;
      /** Set when every redirect on the way was permanent (301/308): the feed's new address. */
      movedTo: string | null;
      /** Cache-Control max-age, if the server gave one. */
      maxAgeMs: number | null;
      /** Bytes on the wire (compressed). */
      bytes: number;
    }
  | {
      status: 'not-modified';
      httpStatus: number | null;
      etag: string | null;
      lastModified: string | null;
      movedTo: string | null;
      maxAgeMs: number | null;
      bytes: 0;
    };

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';

/**
 * One dispatcher per run: connection reuse, timeouts, and HTTP(S)_PROXY / NO_PROXY from the environment.
 * With no proxy there, a plain Agent, which is what EnvHttpProxyAgent would send each request through,
 * without its work per request (~3% of the CPU of a fetch of 2,000 feeds that answer 304).
 */
export function createDispatcher(timeoutMs: number, perHost: number, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const options = {
    connect: { timeout: Math.min(timeoutMs, 15_000) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 10_000,
    // the scheduler keeps to perHost requests per host; one spare for a retry racing a slow close
    connections: perHost + 1,
  };
  if (!proxyInEnv(env)) return new Agent(options);
  // (read from `env` as EnvHttpProxyAgent would read them from process.env)
  return envHttpProxyAgent({
    ...options,
    httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
    httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? '',
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  });
}

let fallback: Dispatcher | null = null;

/** For a fetchFeed without a dispatcher of its own: one per process, with undici's default settings. */
function defaultDispatcher(): Dispatcher {
  fallback ??= envHttpProxyAgent();
  return fallback;
}

/** Fetches one feed URL (http, https or file), conditionally. Throws FeedError for every failure. */
export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchOutcome> {
  if (url.startsWith('file:')) return readLocalFeed(url, options);
  const timeout = new Deadline(options.timeoutMs, options.signal);
  try {
    return await fetchHttp(url, options, timeout);
  } finally {
    timeout.clear();
  }
}

/**
 * One request's deadline: its exchange is aborted by the run's signal or after `ms` (then `timedOut` is
 * true). One timer, cleared when the fetch ends, and no AbortController of its own: the run's signal has one
 * listener for all the requests in flight (watchers), not one each (an AbortController and its listeners
 * per request were ~10% of the CPU of a fetch of 2,000 feeds that answer 304).
 */
class Deadline implements Abortable {
  timedOut = false;
  reason: unknown = undefined;
  onAbort: ((reason: unknown) => void) | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly outer: AbortSignal | undefined;

  constructor(ms: number, outer: AbortSignal | undefined) {
    this.outer = outer;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
    }, ms);
    this.timer.unref();
    if (outer?.aborted) this.abort(outer.reason);
    else if (outer) watchers(outer).add(this);
  }

  abort(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.onAbort?.(this.reason);
  }

  clear(): void {
    clearTimeout(this.timer);
    if (this.outer) watched.get(this.outer)?.delete(this);
  }
}

/** The deadlines of the requests in flight, per run signal: one listener on it aborts them all. */
const watched = new WeakMap<AbortSignal, Set<Deadline>>();

function watchers(signal: AbortSignal): Set<Deadline> {
  let set = watched.get(signal);
  if (!set) {
    const deadlines = new Set<Deadline>();
    set = deadlines;
    watched.set(signal, deadlines);
    signal.addEventListener('abort', () => {
      for (const d of [...deadlines]) d.abort(signal.reason);
    }, { once: true });
  }
  return set;
}

async function fetchHttp(url: string, options: FetchOptions, timeout: Deadline): Promise<FetchOutcome> {
  let current = url;
  let permanent = true;
  const maxRedirects = options.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = {
      'user-agent': options.userAgent,
      accept: ACCEPT,
      'accept-encoding': 'gzip, deflate, br',
    };
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.lastModified) headers['if-modified-since'] = options.lastModified;
    let res: Exchanged;
    try {
      res = await exchange(options.dispatcher ?? defaultDispatcher(), current, { headers, maxBytes: options.maxBytes, keep: isOk, tooLarge: () => tooLarge(options.maxBytes), abortable: timeout });
    } catch (err) {
      const e = err instanceof ExchangeError ? err : new ExchangeError(err, false);
      throw networkError(e.error, current, options, timeout.timedOut, e.inBody);
    }
    const status = res.statusCode;
    if (status >= 300 && status < 400 && status !== 304) {
      const location = header(res.headers, 'location');
      if (!location) throw new FeedError('redirect', `HTTP ${status} redirect without a Location header`, { status });
      if (hop >= maxRedirects) {
        throw new FeedError('redirect', `too many redirects (more than ${maxRedirects})`, { status, hint: 'check the feed URL in a browser' });
      }
      let next: string;
      try {
        next = new URL(location, current).href;
      } catch {
        throw new FeedError('redirect', `HTTP ${status} redirect to an invalid URL "${location.slice(0, 100)}"`, { status });
      }
      if (!/^https?:/i.test(next)) throw new FeedError('redirect', `redirect to a non-HTTP URL`, { status });
      const problem = await redirectProblem(new URL(current), new URL(next), options.allowRedirectsTo);
      if (problem) {
        throw new FeedError('redirect', problem, { status, hint: 'if the feed really lives there (an intranet feed), add its host to fetch.allowRedirectsTo' });
      }
      current = next;
      if (status !== 301 && status !== 308) permanent = false;
      continue;
    }
    const movedTo = permanent && current !== url ? current : null;
    const maxAgeMs = parseMaxAge(header(res.headers, 'cache-control'));
    if (status === 304) {
      return { status: 'not-modified', httpStatus: 304, etag: header(res.headers, 'etag'), lastModified: header(res.headers, 'last-modified'), movedTo, maxAgeMs, bytes: 0 };
    }
    if (status >= 400) {
      const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'), Date.now());
      if (status === 410) {
        throw new FeedError('gone', 'HTTP 410 Gone: the feed was removed', { status, hint: 'it will not be fetched again; remove it from the config' });
      }
      throw new FeedError('http', `HTTP ${status}${reason(status)}${retryAfterMs !== null ? ` (retry after ${formatDuration(Math.ceil(retryAfterMs / 1000) * 1000)})` : ''}`, {
        status,
        hint: httpHint(status),
        ...(retryAfterMs !== null ? { retryAfterMs } : {}),
      });
    }
    const raw = res.body;
    const body = decompress(raw, header(res.headers, 'content-encoding'), options.maxBytes);
    return {
      status: 'ok',
      httpStatus: status,
      body,
      contentType: header(res.headers, 'content-type'),
      etag: header(res.headers, 'etag'),
      lastModified: header(res.headers, 'last-modified'),
      finalUrl: current,
      movedTo,
      maxAgeMs,
      bytes: raw.length,
    };
  }
}

/** Cache-Control max-age (or s-maxage) in ms; null when absent or no-cache/no-store. */
export function parseMaxAge(value: string | null): number | null {
  if (!value) return null;
  if (/\b(no-cache|no-store)\b/i.test(value)) return null;
  const m = /\b(?:s-maxage|max-age)\s*=\s*"?(\d+)/i.exec(value);
  return m ? Number(m[1]) * 1000 : null;
}

const MAX_RETRY_AFTER_MS = 365 * 86_400_000;

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  // a year at most: a server saying 1e21 seconds means "not soon", and must not print as 1e+21s
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS) : null;
}

/** The statuses whose body is read (up to fetch.maxBytes): the feed's; any other's is dropped. */
function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function tooLarge(maxBytes: number): FeedError {
  return new FeedError('too-large', `body larger than ${formatBytes(maxBytes)}`, { hint: 'raise fetch.maxBytes in the config if this feed is really that big' });
}

function decompress(raw: Uint8Array, encoding: string | null, maxBytes: number): Uint8Array {
  const enc = (encoding ?? '').trim().toLowerCase();
  // an empty body is empty in any encoding (brotli and deflate would call it truncated)
  if (!enc || enc === 'identity' || raw.length === 0) return raw;
  const opts = { maxOutputLength: maxBytes };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(raw, { ...opts, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    if (enc === 'br') return zlib.brotliDecompressSync(raw, opts);
    if (enc === 'deflate') {
      try {
        return zlib.inflateSync(raw, opts);
      } catch (err) {
        if (err instanceof RangeError) throw err;
        return zlib.inflateRawSync(raw, opts); // servers that send raw deflate
      }
    }
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FeedError('too-large', `body larger than ${formatBytes(maxBytes)} once decompressed`, { hint: 'raise fetch.maxBytes if this feed is really that big' });
    }
    throw new FeedError('parse', `cannot decompress the ${enc} body (${(err as Error).message})`);
  }
  throw new FeedError('parse', `unsupported content encoding "${enc}"`);
}

/** Local files: the modification time and size stand in for an ETag, so an unchanged file costs nothing. */
async function readLocalFeed(url: string, options: FetchOptions): Promise<FetchOutcome> {
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    throw new FeedError('file', `invalid file URL`);
  }
  try {
    const st = await statLocalFile(file, options.maxBytes);
    const etag = `"${st.mtimeMs.toFixed(0)}-${st.size}"`;
    if (options.etag === etag) return { status: 'not-modified', httpStatus: null, etag, lastModified: null, movedTo: null, maxAgeMs: null, bytes: 0 };
    const body = await readCapped(file, options.maxBytes);
    if (body === null) throw tooLargeFile(options.maxBytes);
    return { status: 'ok', httpStatus: null, body, contentType: null, etag, lastModified: null, finalUrl: url, movedTo: null, maxAgeMs: null, bytes: body.length };
  } catch (err) {
    throw localFileError(err, file);
  }
}

function networkError(err: unknown, url: string, options: FetchOptions, timedOut: boolean, inBody = false): FeedError {
  if (err instanceof FeedError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    /* keep the URL */
  }
  if (options.signal?.aborted) return new FeedError('aborted', 'interrupted');
  if (timedOut || e.name === 'TimeoutError') {
    const what = inBody ? 'the body was still arriving' : 'no answer';
    return new FeedError('timeout', `timed out after ${options.timeoutMs / 1000}s (${what})`, {
      hint: 'the server is slow or unreachable; raise fetch.timeout if it is just slow',
    });
  }
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new FeedError('timeout', `timed out connecting to ${host}`, { unreachable: true });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new FeedError('timeout', `timed out waiting for ${host} to answer`);
    case 'UND_ERR_BODY_TIMEOUT':
      return new FeedError('timeout', `timed out reading the body from ${host}`);
    case 'ECONNREFUSED':
      return new FeedError('network', `connection refused by ${host}`, { hint: 'the server is down or the port is wrong', unreachable: true });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FeedError('network', `DNS lookup failed for ${host}`, { hint: 'check the host name and your network', unreachable: true });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new FeedError('network', `no route to ${host}`, { hint: 'check your network', unreachable: true });
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new FeedError('network', `connection to ${host} was reset${inBody ? ' while reading the body' : ''}`);
    case 'UND_ERR_ABORTED':
      return new FeedError('aborted', 'interrupted');
    default:
      if (/CERT|SSL|TLS/i.test(code) || /certificate|ssl|tls/i.test(e.message ?? '')) {
        return new FeedError('network', `TLS error with ${host}: ${code || e.message}`);
      }
      return new FeedError('network', `request to ${host} failed: ${(e.cause?.message ?? e.message ?? String(err)).split('\n')[0]}`);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  408: 'Request Timeout', 410: 'Gone', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

function reason(status: number): string {
  const r = REASONS[status];
  return r ? ` ${r}` : '';
}

function httpHint(status: number): string {
  if (status === 404 || status === 410) return 'the feed is gone: check the URL or remove it from the config';
  if (status === 401 || status === 403) return 'the server refuses the request: the feed may need a login or block robots';
  if (status === 429) return 'the server asks to slow down: fetch less often';
  if (status >= 500) return 'a server-side problem: it will be retried on the next fetch';
  return 'check the feed URL';
}
