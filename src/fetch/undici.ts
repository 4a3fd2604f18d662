/**
 * The two parts of undici momentscan uses (the proxy-aware agent and `request`), loaded by deep path.
 *
 * undici's index loads all of undici (fetch, WebSocket, EventSource, caches, mocks, interceptors) up
 * front: 140–180 ms of CPU here, against 50–70 ms for these parts, on every run that makes an HTTP
 * request (a warm fetch of 2,000 not-modified feeds is ~1.5 s of CPU in all). The paths are undici's
 * own files, so its version is pinned exactly in package.json; every fetch test makes real requests
 * through them (test/fetch/), so an upgrade that moves them fails there, not in a user's cron job.
 */
import { createRequire } from 'node:module';
import type { Agent as AgentType, Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentType } from 'undici';

const require = createRequire(import.meta.url);

interface DispatcherClass {
  prototype: object;
}
/**
 * What undici's index does: `request`, `stream`, `pipeline`, `connect`... as methods of every dispatcher. Only
 * `request` below and a proxy (its CONNECT) need them: the feeds' own exchanges (`exchange`) do without.
 */
function withApi(): void {
  const DispatcherBase = require('undici/lib/dispatcher/dispatcher.js') as DispatcherClass;
  if (!('request' in DispatcherBase.prototype)) Object.assign(DispatcherBase.prototype, require('undici/lib/api/index.js') as object);
}

/**
 * undici's EnvHttpProxyAgent: HTTP(S)_PROXY and NO_PROXY from the environment. Loaded when first asked for
 * (with its proxy and SOCKS5 agents, 6 modules): a fetch with no proxy in the environment does without it.
 */
export function envHttpProxyAgent(options?: ConstructorParameters<typeof EnvHttpProxyAgentType>[0]): EnvHttpProxyAgentType {
  withApi(); // (its proxy agents tunnel with `connect`)
  const EnvHttpProxyAgentClass = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof EnvHttpProxyAgentType;
  return new EnvHttpProxyAgentClass(options);
}

/** undici's Agent: every request straight to its origin, over a pool per origin. */
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentType;

/**
 * Whether the environment names a proxy, read as EnvHttpProxyAgent reads it: without one, it sends every
 * request through a plain Agent anyway (after parsing the request's origin again and reading NO_PROXY
 * from the environment, each time).
 */
export function proxyInEnv(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.http_proxy ?? env.HTTP_PROXY) || Boolean(env.https_proxy ?? env.HTTPS_PROXY);
}

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method: Dispatcher.HttpMethod; dispatcher: Dispatcher };

/**
 * undici's `request(url, options)` for an absolute http(s) URL and a given dispatcher: the same
 * origin and path (query included) that undici's own wrapper passes to `dispatcher.request`.
 */
export function request(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  withApi();
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ ...rest, ...target(url) });
}

/** A URL as undici's dispatchers take it: its origin, and its path with the query. */
function target(url: string): { origin: string; path: string } {
  const u = new URL(url);
  return { origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname };
}

/** A response as `exchange` gives it: the status, the headers (as undici's `request` gives them), the body of a 2xx. */
export interface Exchanged {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, for a status `exchange` was told to keep it for; otherwise empty (it is read and dropped). */
  body: Buffer;
}

/** Why an exchange failed, and whether its response's headers had come (the error came with the body). */
export class ExchangeError extends Error {
  constructor(
    readonly error: unknown,
    readonly inBody: boolean,
  ) {
    super('exchange failed');
  }
}

/** Something an exchange can be aborted by: `abort` is called with the reason once the request has started. */
export interface Abortable {
  /** The reason, if already aborted. */
  readonly reason: unknown;
  onAbort: ((reason: unknown) => void) | null;
}

/** A body past this many bytes that is not kept (a redirect's, an error page) is not read on: undici's `dump` limit. */
const DROP_LIMIT = 128 * 1024;

/**
 * One GET through `dispatcher.dispatch`, without `request`'s response stream and AbortSignal: for a feed that
 * answers 304 they were ~a quarter of the client's CPU (a loop of the bench's 2,000 conditional requests, 16
 * at once: 1.30 s of CPU with `request`, a signal and `dump`; ~1.06 s this way). The body of a status
 * `keep(status)` accepts is gathered (at most `maxBytes`, else it fails with `tooLarge()`); any other is
 * read and dropped (as `dump` does: the connection is closed past 128 KB, and an error while dropping it
 * does not fail the exchange). Fails with an ExchangeError.
 */
export function exchange(
  dispatcher: Dispatcher,
  url: string,
  o: { headers: Record<string, string>; maxBytes: number; keep: (status: number) => boolean; tooLarge: () => Error; abortable: Abortable },
): Promise<Exchanged> {
  // (aborted already: not asked)
  if (o.abortable.reason !== undefined) return Promise.reject(new ExchangeError(o.abortable.reason, false));
  return new Promise<Exchanged>((resolve, reject) => {
    let response: { statusCode: number; headers: Exchanged['headers']; keep: boolean } | null = null;
    let chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const done = (): void => {
      settled = true;
      o.abortable.onAbort = null;
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      done();
      // a body being dropped: what came (the status) stands
      if (response && !response.keep) resolve({ statusCode: response.statusCode, headers: response.headers, body: EMPTY });
      else reject(new ExchangeError(err, response !== null));
    };
    const { origin, path } = target(url);
    dispatcher.dispatch(
      // (spelled out: in Node 20 a literal that starts with a spread and adds keys is built slowly, per key)
      { origin, path, method: 'GET', headers: o.headers },
      {
        onRequestStart(controller) {
          if (o.abortable.reason !== undefined) controller.abort(o.abortable.reason as Error);
          else o.abortable.onAbort = (reason) => controller.abort(reason as Error);
        },
        onResponseStart(controller, statusCode, headers) {
          if (statusCode < 200) return; // an informational answer (100 Continue): the real one follows
          response = { statusCode, headers: headers as Exchanged['headers'], keep: o.keep(statusCode) };
          const length = Number(header(response.headers, 'content-length') ?? 0);
          if (!response.keep && length > DROP_LIMIT) controller.abort(new Error('not read on'));
        },
        onResponseData(controller, chunk) {
          if (response === null || settled) return;
          total += chunk.length;
          if (!response.keep) {
            if (total > DROP_LIMIT) controller.abort(new Error('not read on'));
          } else if (total > o.maxBytes) {
            chunks = [];
            const err = o.tooLarge();
            fail(err);
            controller.abort(err);
          } else chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled || response === null) return;
          done();
          resolve({ statusCode: response.statusCode, headers: response.headers, body: response.keep ? Buffer.concat(chunks, total) : EMPTY });
        },
        onResponseError(_controller, err) {
          fail(err);
        },
      },
    );
  });
}

const EMPTY = Buffer.alloc(0);

/** A response header's (first) value, or null. */
export function header(headers: Exchanged['headers'], name: string): string | null {
  const v = headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}
