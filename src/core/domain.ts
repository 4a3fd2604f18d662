import { createRequire } from 'node:module';
import { domainToUnicode } from 'node:url';

type Tldts = typeof import('tldts');
let tldts: Tldts | undefined;
/**
 * tldts's parse, the library loaded when first used: loading it (the Public Suffix List) costs about 60 ms
 * of CPU, which a command or a fetch run that looks up no domain (nothing due, no accounts) never needs.
 */
function parseDomain(...args: Parameters<Tldts['parse']>): ReturnType<Tldts['parse']> {
  return loadDomains().parse(...args);
}

/** Loads tldts now (a fetch does, with its parsers, so that loading never stalls this thread mid-run). */
export function loadDomains(): Tldts {
  return (tldts ??= createRequire(import.meta.url)('tldts') as Tldts);
}

/**
 * Registrable domains (the part a company registers: `acme.co.uk`, not `co.uk`; `foo.github.io`, not
 * `github.io`), from the Public Suffix List as tldts ships it, private suffixes included: a blog on
 * `foo.github.io` or `shop.myshopify.com` is its owner's, not GitHub's or Shopify's.
 */

/**
 * The registrable domain of a URL, a host name, an e-mail address or a website as people type it
 * (`www.Acme.com/about`), lower case; null for an IP address, a bare suffix or anything else without one.
 */
export function registrableDomain(text: string | null | undefined): string | null {
  if (!text) return null;
  let t = text.trim().toLowerCase();
  if (!t) return null;
  const at = t.lastIndexOf('@');
  if (at >= 0 && !t.includes('/')) t = t.slice(at + 1);
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(t)) t = `http://${t}`;
  const r = parseDomain(t, { allowPrivateDomains: true, extractHostname: true });
  if (r.isIp || !r.domain || !r.publicSuffix) return null;
  // an international domain is one domain however it is written: café.fr, as a CRM shows it, and
  // xn--caf-dma.fr, as a feed's link may have it
  return r.domain.includes('xn--') ? domainToUnicode(r.domain) || r.domain : r.domain;
}

/** The address part of an e-mail as written in a feed (`jane@acme.com (Jane)`, `Jane <jane@acme.com>`), lower case, or null. */
export function emailIn(text: string | null | undefined): string | null {
  // `@jane@mastodon.social` is a handle, not an address
  if (!text || /^\s*@/.test(text)) return null;
  const m = /[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/i.exec(text);
  return m ? m[0].toLowerCase() : null;
}

/** Free mail providers whose label is the same under many country suffixes (yahoo.co.uk, gmx.de...). */
const WEBMAIL_LABELS = new Set([
  'gmail', 'googlemail', 'yahoo', 'ymail', 'hotmail', 'outlook', 'live', 'msn', 'aol', 'gmx', 'yandex', 'mail', 'protonmail',
  'proton', 'zoho', 'icloud', 'rocketmail', 'rediffmail', 'libero', 'tutanota', 'tuta', 'hushmail', 'inbox', 'fastmail',
]);

/** Free and consumer mail domains whose label alone would say too much (web.de, me.com, 163.com...). */
const WEBMAIL_DOMAINS = new Set([
  'me.com', 'mac.com', 'pm.me', 'hey.com', 'web.de', 't-online.de', 'freenet.de', 'arcor.de', 'orange.fr', 'free.fr', 'laposte.net',
  'sfr.fr', 'wanadoo.fr', 'btinternet.com', 'sky.com', 'virginmedia.com', 'comcast.net', 'verizon.net', 'att.net', 'sbcglobal.net',
  'cox.net', 'charter.net', 'earthlink.net', 'ziggo.nl', 'kpnmail.nl', 'hetnet.nl', 'planet.nl', 'home.nl', 'telenet.be', 'skynet.be',
  'seznam.cz', 'wp.pl', 'o2.pl', 'onet.pl', 'interia.pl', 'qq.com', '163.com', '126.com', 'sina.com', 'naver.com', 'daum.net',
  'hanmail.net', 'rambler.ru', 'bk.ru', 'list.ru', 'ukr.net', 'bluewin.ch', 'shaw.ca', 'rogers.com', 'bigpond.com', 'optusnet.com.au',
  'uol.com.br', 'bol.com.br', 'terra.com.br', 'posteo.de', 'mailbox.org', 'gmx.net', 'duck.com', 'skiff.com',
]);

/** Is this registrable domain a free or consumer mail provider's (never a company's own)? */
export function isWebmail(domain: string | null): boolean {
  if (!domain) return false;
  if (WEBMAIL_DOMAINS.has(domain)) return true;
  const label = domain.slice(0, domain.indexOf('.'));
  return WEBMAIL_LABELS.has(label);
}

/**
 * A social handle as one string to compare, lower case, from what CRMs and feeds write: `@acme`, `acme`,
 * `https://twitter.com/acme`, `x.com/acme`, `https://mastodon.social/@jane` and `@jane@mastodon.social`
 * (both `jane@mastodon.social`), `u/jane` or `reddit.com/user/jane` (`jane`). Null for anything with
 * spaces (a person's name, not a handle) or shorter than 2 characters.
 */
export function normalizeHandle(text: string | null | undefined): string | null {
  if (!text) return null;
  let t = text.trim().toLowerCase();
  if (!t || /\s/.test(t)) return null;
  const url = /^(?:https?:\/\/)?(?:www\.|mobile\.)?([a-z0-9.-]+\.[a-z]{2,})\/(.+?)\/?(?:[?#].*)?$/.exec(t);
  if (url) {
    const [, host, rest] = url as unknown as [string, string, string];
    const fedi = /^@([^/@]+)$/.exec(rest);
    if (fedi) t = `${fedi[1]}@${host}`;
    else if (/^(?:twitter|x|instagram|threads|tiktok|github|bsky)\.(?:com|net|app)$/.test(host) || host === 'bsky.app') t = rest.replace(/^(?:profile\/|@)/, '').split('/')[0]!;
    else if (/(?:^|\.)reddit\.com$/.test(host)) t = rest.replace(/^(?:u|user)\//, '').split('/')[0]!;
    else return null;
  }
  t = t.replace(/^\/?u\//, '').replace(/^@/, '');
  return t.length >= 2 && /^[a-z0-9_.@-]+$/.test(t) ? t : null;
}

/** The author's handle a fediverse post's link carries (`https://mastodon.social/@jane/1234` → `jane@mastodon.social`), or null. */
export function handleFromLink(link: string | null | undefined): string | null {
  if (!link) return null;
  const m = /^https?:\/\/([a-z0-9.-]+\.[a-z]{2,})(?::\d+)?\/@([a-z0-9_.-]+)(?:[/?#]|$)/i.exec(link);
  return m ? `${m[2]!.toLowerCase()}@${m[1]!.toLowerCase()}` : null;
}
