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
const DispatcherBase = require('undici/lib/dispatcher/dispatcher.js') as DispatcherClass;
// what undici's index does: `request`, `stream`, `pipeline`... as methods of every dispatcher
const api = require('undici/lib/api/index.js') as object;
if (!('request' in DispatcherBase.prototype)) Object.assign(DispatcherBase.prototype, api);

/** undici's EnvHttpProxyAgent: HTTP(S)_PROXY and NO_PROXY from the environment. */
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof EnvHttpProxyAgentType;

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
  const u = new URL(url);
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ ...rest, origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname });
}
