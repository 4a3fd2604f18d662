import { decodeXML, encodeXML } from 'entities';
import { stripControl } from '../core/text.js';

/**
 * OPML 2.0 feed lists (what feed readers import and export): a small, tolerant reader of nested
 * <outline> elements and a writer. Pure.
 */

export interface OpmlFeed {
  url: string;
  title: string | null;
  htmlUrl: string | null;
  /** Names of the outlines it sits in, outermost first (a reader's folders or categories). */
  path: string[];
}

export interface OpmlDocument {
  title: string | null;
  feeds: OpmlFeed[];
}

export class OpmlError extends Error {}

/** Folders in folders deeper than this are refused (every feed carries its folders' names). */
export const MAX_OPML_DEPTH = 100;

/** Reads an OPML document. Outlines without xmlUrl are folders; their text names the folder. */
export function parseOpml(text: string): OpmlDocument {
  const src = text.replace(/^\uFEFF/, '');
  if (!/<opml[\s>]/i.test(src)) throw new OpmlError('not an OPML document (no <opml> element)');
  const body = src
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')
    .replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/gi, '');
  const titleMatch = /<head[\s>][\s\S]*?<title>([\s\S]*?)<\/title>/i.exec(body);
  const feeds: OpmlFeed[] = [];
  const stack: (string | null)[] = [];
  const tag = /<(\/?)outline\b((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/gi;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(body)) !== null) {
    const [, closing, attrText, selfClosing] = m;
    if (closing) {
      if (stack.length === 0) throw new OpmlError(`unbalanced </outline> at offset ${m.index}`);
      stack.pop();
      continue;
    }
    const attrs = attributes(attrText ?? '');
    const xmlUrl = attrs.get('xmlurl');
    // names become topic names and tags, printed and written to the config: no escape sequences
    const name = stripControl(attrs.get('title') || attrs.get('text') || '').trim() || null;
    if (xmlUrl) {
      feeds.push({
        url: xmlUrl.trim(),
        title: name,
        htmlUrl: attrs.get('htmlurl')?.trim() || null,
        path: [...stack.filter((s): s is string => s !== null), ...categories(attrs.get('category'))],
      });
    }
    if (!selfClosing) {
      if (stack.length >= MAX_OPML_DEPTH) throw new OpmlError(`outlines nested more than ${MAX_OPML_DEPTH} deep`);
      stack.push(xmlUrl ? null : name);
    }
  }
  // (a feed list cut short by a download that stopped: the feeds before the cut are not all of them)
  if (!/<\/opml\s*>/i.test(body)) throw new OpmlError('the document ends before </opml>: it was cut short');
  if (stack.length > 0) throw new OpmlError('an <outline> is never closed');
  return { title: titleMatch ? stripControl(decodeXML(titleMatch[1]!)).trim() || null : null, feeds };
}

/** OPML's category attribute: comma-separated, "/"-separated paths; the last segment names it. */
function categories(value: string | undefined): string[] {
  if (!value) return [];
  const first = stripControl(value.split(',')[0]!).trim();
  const last = first.split('/').filter(Boolean).pop();
  return last ? [last] : [];
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out.set(a[1]!.toLowerCase(), decodeXML(a[2] ?? a[3] ?? ''));
  }
  return out;
}

export interface OpmlOutline {
  /** A folder (with children) or a feed (with xmlUrl). */
  text: string;
  xmlUrl?: string;
  htmlUrl?: string | null;
  children?: OpmlOutline[];
}

/**
 * Writes an OPML 2.0 document. Names (topics, feed titles) lose their escape sequences and control
 * characters, which XML 1.0 cannot hold (a feed reader refuses the whole file as not well-formed) and which
 * would drive the terminal the list is printed on.
 */
export function renderOpml(title: string, outlines: OpmlOutline[], created: Date): string {
  const esc = (s: string) => encodeXML(stripControl(s));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${esc(title)}</title>`,
    `    <dateCreated>${created.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  const walk = (o: OpmlOutline, depth: number) => {
    const pad = '  '.repeat(depth + 2);
    if (o.xmlUrl) {
      const html = o.htmlUrl ? ` htmlUrl="${esc(o.htmlUrl)}"` : '';
      lines.push(`${pad}<outline type="rss" text="${esc(o.text)}" title="${esc(o.text)}" xmlUrl="${esc(o.xmlUrl)}"${html}/>`);
      return;
    }
    lines.push(`${pad}<outline text="${esc(o.text)}" title="${esc(o.text)}">`);
    for (const c of o.children ?? []) walk(c, depth + 1);
    lines.push(`${pad}</outline>`);
  };
  for (const o of outlines) walk(o, 0);
  lines.push('  </body>', '</opml>');
  return `${lines.join('\n')}\n`;
}
