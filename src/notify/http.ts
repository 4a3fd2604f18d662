import type { Dispatcher } from 'undici';
import { envHttpProxyAgent, request } from '../fetch/undici.js';
import { parseRetryAfter } from '../fetch/http.js';
import { version } from '../core/version.js';
import type { SendContext, SendOutcome } from './types.js';

/** At most this much of an answer is read (for its error text); the rest is dropped. */
const MAX_ANSWER = 16 * 1024;

let shared: Dispatcher | null = null;

/** One dispatcher per process: HTTP(S)_PROXY / NO_PROXY honoured, as for fetching. */
function dispatcher(timeoutMs: number): Dispatcher {
  shared ??= envHttpProxyAgent({ connect: { timeout: Math.min(timeoutMs, 15_000) }, keepAliveTimeout: 5_000 });
  return shared;
}

/** Closes the pooled connections (a run ends without waiting for keep-alive timeouts). */
export async function closeHttp(): Promise<void> {
  const d = shared;
  shared = null;
  if (d) await d.close().catch(() => undefined);
}

/** The endpoint as it may be shown: scheme and host only (a webhook URL's path is its secret). */
export function endpointLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(an unreadable URL)';
  }
}

/**
 * POSTs a body and says how it went. Never follows a redirect (a 3xx is recorded, not chased
 * elsewhere), reads at most 16 KB of the answer, and gives up after the per-request timeout (the
 * answer's body included: a receiver that drips is cut off) or at the run's deadline.
 */
export async function post(url: string, body: string, headers: Record<string, string>, ctx: SendContext): Promise<SendOutcome> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]);
  const where = endpointLabel(url);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'POST',
      headers: { 'user-agent': `momentscan/${version()}`, 'content-type': 'application/json', ...headers },
      body,
      signal,
      dispatcher: dispatcher(ctx.timeoutMs),
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
    });
  } catch (err) {
    return failure(err, where, ctx, signal);
  }
  let answer = '';
  try {
    answer = await readSome(res.body, signal);
  } catch (err) {
    if (res.statusCode < 200 || res.statusCode >= 300) return failure(err, where, ctx, signal);
    // a 2xx whose body drips: the message was accepted
  }
  const status = res.statusCode;
  if (status >= 200 && status < 300) return { ok: true, status };
  const text = answer.replace(/\s+/g, ' ').trim().slice(0, 200);
  const said = text ? `: ${text}` : '';
  if (status === 410) return { ok: false, retryable: false, gone: true, status, error: `${where} answered 410 Gone${said}` };
  if (status >= 300 && status < 400) {
    const to = typeof res.headers.location === 'string' ? ` to ${endpointLabel(new URL(res.headers.location, url).href)}` : '';
    return { ok: false, retryable: false, status, error: `${where} answered ${status}, a redirect${to}: not followed (put the final URL in the config)` };
  }
  const retryable = status === 408 || status === 429 || (status >= 500 && status !== 501);
  const after = parseRetryAfter(typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null, Date.now());
  return { ok: false, retryable, status, error: `${where} answered ${status}${said}`, ...(after !== null ? { retryAfterMs: after } : {}) };
}

async function readSome(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const onAbort = () => body.destroy(new Error('timed out reading the answer'));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (total < MAX_ANSWER) chunks.push(buf.subarray(0, MAX_ANSWER - total));
      total += buf.length;
      if (total >= MAX_ANSWER) {
        body.destroy();
        break;
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function failure(err: unknown, where: string, ctx: SendContext, signal: AbortSignal): SendOutcome {
  if (ctx.signal.aborted) return { ok: false, retryable: true, status: null, error: `${where}: the run's deadline passed before it answered` };
  if (signal.aborted) return { ok: false, retryable: true, status: null, error: `${where}: no answer within ${Math.round(ctx.timeoutMs / 100) / 10}s` };
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  if (/TIMEOUT/.test(code)) return { ok: false, retryable: true, status: null, error: `${where}: no answer within ${Math.round(ctx.timeoutMs / 100) / 10}s` };
  const what = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'no such host' : (e.message ?? String(err)).replace(/\s+/g, ' ');
  const tls = /certificate|SSL|TLS/i.test(what) || code.startsWith('ERR_TLS') || code.includes('CERT');
  return { ok: false, retryable: !tls, status: null, error: `${where}: ${what}` };
}
