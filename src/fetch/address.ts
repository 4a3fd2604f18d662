import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Where a redirect may lead: a feed must not be able to send momentscan (from a public address) into the
 * machine's own network — loopback, private ranges, link-local (169.254.169.254 is the cloud metadata
 * service) — nor from one local service to another. Hosts on `fetch.allowRedirectsTo` are exempt (intranet feeds).
 */

export type AddressKind = 'loopback' | 'private' | 'link-local' | 'public';

/** The kind of an IP address (v4, v6, v4-mapped v6). */
export function addressKind(ip: string): AddressKind {
  const a = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return addressKind(mapped[1]!);
  if (isIP(a) === 4) {
    const [p, q] = a.split('.').map(Number) as [number, number];
    if (p === 127 || p === 0) return 'loopback';
    if (p === 169 && q === 254) return 'link-local';
    if (p === 10 || (p === 172 && q >= 16 && q <= 31) || (p === 192 && q === 168) || (p === 100 && q >= 64 && q <= 127)) return 'private';
    return 'public';
  }
  if (a === '::1' || a === '::') return 'loopback';
  if (/^fe[89ab]/.test(a)) return 'link-local';
  if (/^f[cd]/.test(a)) return 'private';
  return 'public';
}

/** The kinds of address a host name or IP stands for ('localhost' without asking DNS). */
export async function hostKinds(host: string): Promise<AddressKind[]> {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(h)) return [addressKind(h)];
  if (h === 'localhost' || h.endsWith('.localhost')) return ['loopback'];
  try {
    return (await lookup(h, { all: true })).map((r) => addressKind(r.address));
  } catch {
    return []; // unknown: the request itself will say the lookup failed
  }
}

/**
 * Why following a redirect from `from` to `to` is refused, or null. A public address may lead only to
 * public ones; a local one (loopback, private) only to the same host and port or to public addresses;
 * link-local never. `allow` holds host names or IPs (optionally with a port) that are always fine.
 */
export async function redirectProblem(from: URL, to: URL, allow: readonly string[] = []): Promise<string | null> {
  if (allow.includes(to.hostname.replace(/^\[|\]$/g, '')) || allow.includes(to.host)) return null;
  if (from.host === to.host) return null;
  const target = await hostKinds(to.hostname);
  const local = target.find((k) => k !== 'public');
  if (!local) return null;
  const source = await hostKinds(from.hostname);
  const what = local === 'link-local' ? 'a link-local address' : local === 'loopback' ? 'this machine (loopback)' : 'a private network address';
  if (local === 'link-local' || source.length === 0 || source.every((k) => k === 'public')) {
    return `refused a redirect to ${what} (${to.host})`;
  }
  return `refused a redirect from ${from.host} to another local service (${to.host})`;
}
