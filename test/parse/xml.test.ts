import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/fetch/decode.js';
import { parseFeed, sanitizeXml, useFastXml } from '../../src/parse/feed.js';
import { readXml } from '../../src/parse/xml.js';
// @ts-expect-error: the bench's feed generator is plain JavaScript
import { renderFeed } from '../bench/feeds.mjs';

// xml2js (rss-parser's XML reader) has no types of its own
const xml2js = createRequire(import.meta.url)('xml2js') as {
  Parser: new (o: object) => { parseString(xml: string, done: (err: unknown, result: unknown) => void): void };
};

const rename = (name: string): string => (['published', 'updated', 'issued', 'modified'].includes(name) ? `raw:${name}` : name);

/** What xml2js (the reference) makes of a document, with rss-parser's options. */
function reference(xml: string): unknown {
  let out: unknown;
  let failed: unknown = null;
  new xml2js.Parser({ tagNameProcessors: [rename] }).parseString(xml, (err: unknown, result: unknown) => {
    failed = err;
    out = result;
  });
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  return out;
}

const dirs = ['../../fixtures/feeds/', '../../fixtures/sample/feeds/'].map((d) => new URL(d, import.meta.url));
const fixtures = dirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => !f.endsWith('.md'))
    .map((f) => ({ name: f, url: new URL(f, dir) })),
);

afterEach(() => useFastXml(true));

describe('the fast XML reader', () => {
  it.each(fixtures)('$name: the same feed and items as through xml2js alone', async ({ name, url }) => {
    const text = decodeBody(readFileSync(url)).text;
    const opts = { url: `https://feeds.example/${name}`, fetchedAt: Date.parse('2026-11-20T12:00:00Z') };
    const read = async (): Promise<unknown> => parseFeed(text, opts).then((f) => f, (e: unknown) => ({ error: String(e) }));
    useFastXml(false);
    const slow = await read();
    useFastXml(true);
    expect(await read()).toEqual(slow);
  });

  it('reads the plain feeds itself (google-news, cdata, rdf, atom, rss 0.91, and the sample)', () => {
    const plain = fixtures.filter((f) => /google-news|cdata|rdf|atom-html|rss091|sample/.test(f.url.pathname));
    expect(plain.length).toBeGreaterThan(8);
    for (const f of plain) {
      const xml = sanitizeXml(decodeBody(readFileSync(f.url)).text);
      expect(readXml(xml, rename), f.name).toEqual(reference(xml));
    }
  });

  it.each([0, 1, 7, 10])('bench feed %i: the same tree as xml2js', (i) => {
    const xml = sanitizeXml(renderFeed(i, 50) as string);
    const tree = readXml(xml, rename);
    expect(tree).toBeDefined();
    expect(tree).toEqual(reference(xml));
  });

  it.each([
    ['text, attributes and repeated children', '<r a="1" b=\'x &amp; y\'><i>one</i><i c="2">two</i><i/><j>  </j><k></k></r>'],
    ['mixed text and elements', '<r>a <b>bold</b> c</r>'],
    ['CDATA, blank CDATA and entities', '<r><a><![CDATA[<p>x &amp; y</p>]]></a><b><![CDATA[  ]]></b><c>&lt;&#233;&#x1F600;&#X41;&#x00e9;</c></r>'],
    ['comments and processing instructions', '<?xml version="1.0"?>\n<!-- top --><r><!-- in -->a<?pi x?>b</r>\n'],
    ['namespaced names and renamed date tags', '<feed xmlns:dc="d"><entry><dc:creator>x</dc:creator><published>2026</published><updated>2027</updated></entry></feed>'],
    ['whitespace around attributes and in close tags', '<r \n a = "1"\n><x ></x ></r >'],
    ['an element with attributes and only blank text', '<r><link href="h"> </link></r>'],
  ])('%s: the same tree as xml2js', (_, xml) => {
    expect(readXml(xml, rename)).toEqual(reference(xml));
  });

  it.each([
    ['another named entity', '<r>&nbsp;</r>'],
    ['an unterminated entity', '<r>AT&T</r>'],
    ['a reference to an illegal character', '<r>&#1;</r>'],
    ['a mismatched close tag', '<r><a></b></r>'],
    ['an unclosed element', '<r><a></r>'],
    ['an unquoted attribute', '<r a=1></r>'],
    ['a duplicated attribute', '<r a="1" a="2"></r>'],
    ['a < in an attribute', '<r a="<"></r>'],
    ['text outside the root', 'x<r></r>'],
    ['a second root', '<r></r><s></s>'],
    ['a DOCTYPE', '<!DOCTYPE r><r></r>'],
    ['a non-ASCII element name', '<r><é>x</é></r>'],
    ['an element named like an xml2js key', '<r><_>x</_></r>'],
    ['a malformed comment', '<r><!-- a -- b --></r>'],
    ['a byte order mark', '\ufeff<r></r>'],
    ['nothing', '  '],
  ])('%s: left to xml2js', (_, xml) => {
    expect(readXml(xml, rename)).toBeUndefined();
  });
});
