/**
 * Redirect links → the publisher's URL, offline. Feeds from aggregators link through their own
 * servers: Google Alerts (`https://www.google.com/url?rct=j&sa=t&url=<target>&ct=ga&cd=…&usg=…`),
 * Bing News (`https://www.bing.com/news/apiclick.aspx?…&url=<target>&…`), Google News
 * (`https://news.google.com/rss/articles/<id>` whose old-style id embeds the target). Where the
 * target is in the link itself it is read from there; nothing is fetched. Pure.
 */

/** Redirects unwrapped at most this deep (a Google redirect to a Bing click link to a Google News article). */
const MAX_DEPTH = 3;

/** google.com, www.google.com, google.de, google.co.uk, google.com.au... */
const GOOGLE_HOST = /^(?:www\.)?google\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$/;
const BING_HOST = /^(?:www\.)?bing\.com$/;
const GOOGLE_NEWS_ARTICLE = /^\/(?:rss\/)?(?:articles|read)\/([A-Za-z0-9_-]+)\/?$/;

/**
 * The publisher's URL behind a redirect link: a Google redirect (`url=` or `q=`), a Bing News
 * click link, or a Google News article link whose id embeds the URL, unwrapped recursively (at
 * most 3 levels). Anything else — including Google News' newer opaque ids, which cannot be
 * resolved offline, and targets that are not http(s) — comes back unchanged.
 */
export function unwrapLink(url: string): string {
  let current = url;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const next = unwrapOnce(current);
    if (next === null || next === current) break;
    current = next;
  }
  return current;
}

function unwrapOnce(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (GOOGLE_HOST.test(host) && path === '/url') {
    return httpTarget(rawParam(url.search, 'url')) ?? httpTarget(rawParam(url.search, 'q'));
  }
  if (BING_HOST.test(host) && path.toLowerCase() === '/news/apiclick.aspx') {
    return httpTarget(rawParam(url.search, 'url'));
  }
  if (host === 'news.google.com') {
    const id = GOOGLE_NEWS_ARTICLE.exec(path)?.[1];
    return id === undefined ? null : httpTarget(decodeGoogleNewsId(id));
  }
  return null;
}

/**
 * A query parameter's value, percent-decoded but with `+` kept as it is: the value is a URL, where
 * a `+` is a plus (a space would have been written %20). Null when absent or badly encoded.
 */
function rawParam(search: string, name: string): string | null {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq) !== name) continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1));
    } catch {
      return null;
    }
  }
  return null;
}

/** `value` as an absolute http(s) URL (decoded once more if it was encoded twice), or null. */
function httpTarget(value: string | null): string | null {
  if (value === null) return null;
  let text = value.trim();
  if (/^https?%3A/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  if (!/^https?:\/\//i.test(text)) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const HTTP = Buffer.from('http', 'latin1');

/**
 * The URL inside an old-style Google News article id, or null. Such an id is base64url of a small
 * protobuf: `08 13` (field 1 = 19), `22` (field 4, length-delimited), a varint length, the URL,
 * then usually `d2 01` and the AMP URL. It always starts `CBMi` (the base64 of `08 13 22`). Newer
 * ids have the same header but carry an opaque token (`AU_yqL…`) instead of the URL: null.
 */
export function decodeGoogleNewsId(id: string): string | null {
  if (!id.startsWith('CBMi')) return null;
  const bytes = Buffer.from(id, 'base64url');
  if (bytes[0] !== 0x08 || bytes[1] !== 0x13 || bytes[2] !== 0x22) return null;
  const start = bytes.indexOf(HTTP, 3);
  if (start < 0) return null;
  // The string's length: the varint between the header and the first "http".
  let length = 0;
  let pos = 3;
  let terminated = false;
  for (let shift = 0; pos < start && shift <= 21 && !terminated; shift += 7) {
    const b = bytes[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    terminated = b < 0x80;
  }
  if (terminated && pos === start && start + length <= bytes.length) {
    const url = asUrl(bytes.subarray(start, start + length));
    if (url !== null) return url;
  }
  // A length that does not fit (ids copied by hand): the URL is the run of printable ASCII from
  // "http", if it ends where a field ends — at the end, or at the next field's tag (0xd2 0x01...).
  let end = start;
  while (end < bytes.length && bytes[end]! > 0x20 && bytes[end]! < 0x7f) end++;
  return end === bytes.length || bytes[end]! >= 0x80 ? asUrl(bytes.subarray(start, end)) : null;
}

/** The bytes as an http(s) URL — UTF-8, no spaces or control characters — or null. */
function asUrl(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return null;
  }
  return /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(text) ? text : null;
}
