import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/fetch/decode.js';
import { parseFeed, sanitizeXml, setSlicing, splitItems, useFastXml } from '../../src/parse/feed.js';
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

const DEFAULT_SLICING = { minChars: 1 << 20, items: 500 };
afterEach(() => {
  useFastXml(true);
  setSlicing(DEFAULT_SLICING);
});

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
    [
      'blank, empty and self-closing elements, with and without attributes, children or CDATA',
      '<r><a> </a><b x="1"/><c/><d> <e/> </d><f><![CDATA[ ]]><g/></f><h y="2"><![CDATA[ ]]></h><i>t<j/>u</i><k>\n</k></r>',
    ],
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

describe('big documents parsed in slices of items', () => {
  const opts = { url: 'https://feeds.example/feed.xml', fetchedAt: Date.parse('2026-11-20T12:00:00Z') };
  const read = async (text: string): Promise<unknown> => parseFeed(text, opts).then((f) => f, (e: unknown) => ({ error: String(e) }));
  /** The feed parsed whole, then in slices of `items`; both answers. */
  async function both(text: string, items: number): Promise<[unknown, unknown]> {
    setSlicing({ minChars: Infinity });
    const whole = await read(text);
    setSlicing({ minChars: 0, items });
    return [whole, await read(text)];
  }
  const rss = (items: string, head = '<title>T</title><link>https://feeds.example/</link>', tail = ''): string =>
    `<?xml version="1.0"?>\n<rss version="2.0"><channel>${head}\n${items}\n${tail}</channel></rss>\n`;
  const item = (n: number, extra = ''): string => `<item><title>Item ${n}</title><link>https://news.example/${n}</link>${extra}</item>`;
  const items = (n: number, extra = ''): string => Array.from({ length: n }, (_, i) => item(i, extra)).join('\n  ');

  it.each(fixtures)('$name: the same feed and items in slices of 1 and of 2', async ({ url }) => {
    const text = decodeBody(readFileSync(url)).text;
    for (const n of [1, 2]) {
      const [whole, sliced] = await both(text, n);
      expect(sliced).toEqual(whole);
    }
  }, 20_000);

  it('a bench feed of 1,200 items (over 1 Mi characters) is split by default, into the same 1,200 items in order', async () => {
    const text = renderFeed(3, 1200) as string;
    expect(text.length).toBeGreaterThan(DEFAULT_SLICING.minChars);
    expect(splitItems(sanitizeXml(text), 'rss')?.spans).toHaveLength(2400);
    setSlicing({ minChars: Infinity });
    const whole = (await parseFeed(text, opts)) as { items: { title: string }[] };
    setSlicing(DEFAULT_SLICING);
    const sliced = (await parseFeed(text, opts)) as { items: { title: string }[] };
    expect(sliced.items).toHaveLength(1200);
    expect(sliced).toEqual(whole);
  }, 30_000);

  it.each([
    ['Atom entries', '<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><title>a</title><id>1</id></entry> <entry><title>b</title><id>2</id></entry><entry><title>c</title><id>3</id></entry></feed>', 3],
    ['RDF items beside the channel', '<rdf:RDF xmlns:rdf="r" xmlns="p"><channel><title>F</title><items><rdf:Seq><rdf:li resource="1"/></rdf:Seq></items></channel><item rdf:about="1"><title>a</title><link>https://x.example/1</link></item><item rdf:about="2"><title>b</title><link>https://x.example/2</link></item></rdf:RDF>', 2],
    ['CDATA and comments holding item tags', rss(items(2, '<description><![CDATA[<item>not one</item> </item>]]></description><!-- </item> -->')), 2],
    ['attributes holding ">"', rss(`<item a="x>y"><title>a</title></item><item><title>b</title><guid isPermaLink="false">b>c</guid></item>`), 2],
    ['the channel\'s fields after the items', rss(items(3), '', '<title>After</title><ttl>30</ttl>'), 3],
  ])('%s: split, the same feed as whole', async (_, text, n) => {
    const xml = sanitizeXml(text);
    expect(splitItems(xml, /<(rss|feed|rdf:RDF)/.exec(xml)![1]!)?.spans).toHaveLength(2 * n);
    const [whole, sliced] = await both(text, 1);
    expect((whole as { items: unknown[] }).items).toHaveLength(n);
    expect(sliced).toEqual(whole);
  });

  it.each([
    ['an element between items', rss(`${item(1)}<image><url>u</url></image>${item(2)}`)],
    ['an item after the other elements that follow the items', rss(`${item(1)}<copyright>c</copyright>${item(2)}`)],
    ['an item inside an item', rss(`<item><title>a</title>${item(2)}</item>`)],
    ['an unclosed item', rss('<item><title>a</title>')],
    ['an item tag in a comment after the items', rss(items(2), '', '<!-- <item> -->')],
    ['text between items', rss(`${item(1)} words ${item(2)}`)],
    ['no items', rss('')],
  ])('%s: not split, parsed whole', async (_, text) => {
    const xml = sanitizeXml(text);
    expect(splitItems(xml, 'rss')).toBeNull();
    const [whole, sliced] = await both(text, 1);
    expect(sliced).toEqual(whole);
  });

  it.each([
    ['a slice the fast reader refuses (an item closed inside an attribute)', rss(`${item(1)}<item><title a="</item>">x</title></item>${item(3)}`)],
    ['a malformed item', rss(`${item(1)}<item><title>x</titel></item>`)],
    ['a named HTML entity the sanitizer leaves to xml2js', rss(items(3, '<description>caf&amp;eacute; &nbsp;</description>'))],
  ])('%s: the same answer as the whole document\'s', async (_, text) => {
    const [whole, sliced] = await both(text, 1);
    expect(sliced).toEqual(whole);
  });
});
