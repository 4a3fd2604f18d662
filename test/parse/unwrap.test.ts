import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/fetch/decode.js';
import { canonicalizeUrl, parseFeed } from '../../src/parse/feed.js';
import { decodeGoogleNewsId, unwrapLink } from '../../src/parse/unwrap.js';

const FETCHED_AT = Date.parse('2025-11-20T12:00:00Z');

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** An old-style Google News article id, as Google wrote them: 08 13 22 <len> <url> d2 01 <len> <amp url>. */
function googleNewsId(url: string, amp?: string): string {
  const field = (tag: number[], text: string): number[] => {
    const bytes = [...Buffer.from(text, 'utf8')];
    return [...tag, ...varint(bytes.length), ...bytes];
  };
  const bytes = [0x08, 0x13, ...field([0x22], url), ...(amp === undefined ? [] : field([0xd2, 0x01], amp))];
  return Buffer.from(bytes).toString('base64url');
}

const SHORT = 'https://publisher.example/2025/11/acme-robotics-plant';
const LONG = `https://www.publisher.example/business/technology/2025/11/20/${'acme-robotics-opens-new-plant-'.repeat(5)}story.html?id=42`;
const OLD_ID = googleNewsId(SHORT, `${SHORT}/amp`);
const LONG_ID = googleNewsId(LONG);
/** Newer ids: the same header, an opaque token instead of the URL. */
const OPAQUE_CBMI = googleNewsId('AU_yqLPz3kT0d0cF2nq8bVb3Xk9JmBvQ0sMyRwYbA1o7Zt2cWx4uHn6pEe5gDi8jLf');
const OPAQUE_AU = 'AU_yqLPz3kT0d0cF2nq8bVb3Xk9JmBvQ0sMyRwYbA1o7Zt2cWx4uHn6pEe5gDi8jLf';
const ALERT_PARAMS = 'ct=ga&cd=CAIyGjA0ZDM1NTg4YzA3NmY5ZDk6Y29tOmVuOlVT&usg=AOvVaw0Exmpl3Usg0000000000aa';

describe('unwrapLink', () => {
  it('builds Google News ids of the real shape', () => {
    expect(OLD_ID).toMatch(/^CBMi/);
    expect(LONG_ID).toMatch(/^CBMi/);
    expect(OPAQUE_CBMI).toMatch(/^CBMi/);
    expect(LONG.length).toBeGreaterThan(127); // a two-byte length
  });

  it.each([
    // Google Alerts: https://www.google.com/url?rct=j&sa=t&url=<target>&ct=ga&cd=…&usg=…
    ['Google Alerts, plain target', `https://www.google.com/url?rct=j&sa=t&url=${SHORT}&${ALERT_PARAMS}`, SHORT],
    [
      'Google Alerts, target query percent-encoded',
      `https://www.google.com/url?rct=j&sa=t&url=https://news.example/a%3Fid%3D7%26utm_source%3Drss&${ALERT_PARAMS}`,
      'https://news.example/a?id=7&utm_source=rss',
    ],
    ['Google Alerts, whole target encoded', `https://www.google.com/url?rct=j&sa=t&url=https%3A%2F%2Fnews.example%2Fb%2F&${ALERT_PARAMS}`, 'https://news.example/b/'],
    ['Google Alerts, http target', `https://www.google.com/url?rct=j&sa=t&url=http://old.example/story&${ALERT_PARAMS}`, 'http://old.example/story'],
    ['Google Alerts, target with a plus', `https://www.google.com/url?rct=j&sa=t&url=https://news.example/c%2B%2B-tips+and+tricks&${ALERT_PARAMS}`, 'https://news.example/c++-tips+and+tricks'],
    ['Google Alerts, url last', `https://www.google.com/url?rct=j&sa=t&${ALERT_PARAMS}&url=${SHORT}`, SHORT],
    ['Google redirect with q=', 'https://www.google.com/url?q=https://news.example/d&sa=D&source=editors&ust=1700000000000000&usg=AOvVaw3x', 'https://news.example/d'],
    ['Google redirect, another country', 'https://www.google.co.uk/url?sa=t&url=https%3A%2F%2Fnews.example%2Fe&usg=x', 'https://news.example/e'],
    ['Google redirect without www', `https://google.com/url?url=${SHORT}`, SHORT],
    ['Google redirect, double-encoded target', 'https://www.google.com/url?url=https%253A%252F%252Fnews.example%252Ff&usg=x', 'https://news.example/f'],
    // Bing News
    [
      'Bing apiclick',
      'https://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=6745A1B2C3D4E5F6&url=https%3a%2f%2fwww.publisher.example%2fnews%2facme-robotics%3futm_source%3dbing&c=1234567890&mkt=en-us',
      'https://www.publisher.example/news/acme-robotics?utm_source=bing',
    ],
    ['Bing apiclick, odd case', 'http://bing.com/news/ApiClick.aspx?url=https%3A%2F%2Fnews.example%2Fg&mkt=de-de', 'https://news.example/g'],
    // Google News article ids
    ['Google News, rss/articles', `https://news.google.com/rss/articles/${OLD_ID}?oc=5`, SHORT],
    ['Google News, articles', `https://news.google.com/articles/${OLD_ID}?hl=en-US&gl=US&ceid=US%3Aen`, SHORT],
    ['Google News, read', `https://news.google.com/read/${OLD_ID}`, SHORT],
    ['Google News, long URL (two-byte length)', `https://news.google.com/rss/articles/${LONG_ID}?oc=5`, LONG],
    // Nested: a Google redirect to a Google News article, a Bing click to a Google redirect
    ['Google redirect → Google News', `https://www.google.com/url?rct=j&sa=t&url=https://news.google.com/rss/articles/${OLD_ID}%3Foc%3D5&${ALERT_PARAMS}`, SHORT],
    [
      'Bing → Google → publisher',
      `https://www.bing.com/news/apiclick.aspx?url=${encodeURIComponent(`https://www.google.com/url?url=${encodeURIComponent(SHORT)}`)}&c=1`,
      SHORT,
    ],
  ])('unwraps %s', (_label, link, expected) => {
    expect(unwrapLink(link)).toBe(expected);
  });

  const opaque = [
    ['Google News, newer opaque id (CBMi…)', `https://news.google.com/rss/articles/${OPAQUE_CBMI}?oc=5`],
    ['Google News, newer opaque id (AU_yqL…)', `https://news.google.com/rss/articles/${OPAQUE_AU}?oc=5`],
    ['Google News, an id that is not base64 of anything', 'https://news.google.com/rss/articles/CBMi?oc=5'],
    ['Google News, a topic page', 'https://news.google.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB'],
    ['Google redirect to javascript:', 'https://www.google.com/url?url=javascript:alert(1)&usg=x'],
    ['Google redirect to a relative path', 'https://www.google.com/url?url=/search?q=x'],
    ['Google redirect without a target', 'https://www.google.com/url?rct=j&sa=t&usg=x'],
    ['Google redirect with a broken escape', 'https://www.google.com/url?url=https%3A%2F%2Fnews.example%2F%E0%A4%A&usg=x'],
    ['Google search, not a redirect', 'https://www.google.com/search?q=https://news.example/'],
    ['a look-alike host', 'https://www.google.com.evil.example/url?url=https://news.example/x'],
    ['Bing search, not a click link', 'https://www.bing.com/news/search?q=acme&url=https://news.example/'],
    ['a plain article', 'https://publisher.example/a?utm_source=x'],
    ['a file URL', 'file:///srv/feeds/a.xml'],
    ['not a URL', 'not a url'],
  ];
  it.each(opaque)('leaves %s alone', (_label, link) => {
    expect(unwrapLink(link!)).toBe(link);
  });

  it('stops after three levels', () => {
    let link = SHORT;
    for (let i = 0; i < 4; i++) link = `https://www.google.com/url?url=${encodeURIComponent(link)}`;
    expect(unwrapLink(link)).toBe(`https://www.google.com/url?url=${encodeURIComponent(SHORT)}`);
  });

  it.each([
    ['an old id', OLD_ID, SHORT],
    ['a long old id', LONG_ID, LONG],
    ['a newer opaque id', OPAQUE_CBMI, null],
    ['an AU_yqL id', OPAQUE_AU, null],
    ['an id whose URL has a space', googleNewsId('https://news.example/a b'), null],
    ['an id whose length runs past the end', Buffer.from([0x08, 0x13, 0x22, 0x7f, ...Buffer.from(SHORT), 0xd2, 0x01, 0x00]).toString('base64url'), SHORT],
    ['an id with a header of another kind', Buffer.from([0x08, 0x02, 0x22, SHORT.length, ...Buffer.from(SHORT)]).toString('base64url'), null],
  ])('decodeGoogleNewsId: %s', (_label, id, expected) => {
    expect(decodeGoogleNewsId(id)).toBe(expected);
  });

  it('canonicalizeUrl unwraps first, then drops tracking parameters', () => {
    expect(canonicalizeUrl(`https://www.google.com/url?rct=j&sa=t&url=https://News.example/a%3Fid%3D7%26utm_source%3Drss%23top&${ALERT_PARAMS}`)).toBe(
      'https://news.example/a?id=7',
    );
    expect(canonicalizeUrl(`https://news.google.com/rss/articles/${OPAQUE_CBMI}?oc=5`)).toBe(`https://news.google.com/rss/articles/${OPAQUE_CBMI}?oc=5`);
  });
});

describe('parseFeed: redirect links', () => {
  it('reads a Google Alerts feed with the publishers’ links, canonical URLs and domains', async () => {
    const text = decodeBody(readFileSync(new URL('../../fixtures/feeds/google-alerts.atom.xml', import.meta.url))).text;
    const feed = await parseFeed(text, { url: 'https://www.google.com/alerts/feeds/01234567890123456789/9876543210987654321', fetchedAt: FETCHED_AT });
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Google Alert - "acme robotics"');
    expect(feed.items.map((i) => ({ title: i.title, link: i.link, canonicalUrl: i.canonicalUrl, sourceDomain: i.sourceDomain }))).toEqual([
      {
        title: 'Acme Robotics opens new plant in Ohio, hires 400',
        link: 'https://www.ohiobusiness.example/news/2025/11/acme-robotics-plant?id=7&utm_source=rss&utm_medium=feed&utm_campaign=alerts',
        canonicalUrl: 'https://www.ohiobusiness.example/news/2025/11/acme-robotics-plant?id=7',
        sourceDomain: 'ohiobusiness.example',
      },
      {
        title: "Why Acme Robotics' new arm matters for small warehouses",
        link: 'https://logisticsweekly.example/analysis/acme-arm-small-warehouses/',
        canonicalUrl: 'https://logisticsweekly.example/analysis/acme-arm-small-warehouses/',
        sourceDomain: 'logisticsweekly.example',
      },
      {
        title: 'Acme Robotics recalls 1,200 units over sensor fault',
        link: 'http://www.techsafety.example/recalls/acme-robotics-sensor?utm_source=google&utm_medium=alerts&fbclid=IwAR0exmpl',
        canonicalUrl: 'http://www.techsafety.example/recalls/acme-robotics-sensor',
        sourceDomain: 'techsafety.example',
      },
    ]);
    expect(feed.items[0]).toMatchObject({
      guid: 'tag:google.com,2013:googlealerts/feed:11111111111111111111',
      publishedAt: Date.parse('2025-11-20T10:15:03Z'),
      author: null,
      source: null,
    });
    expect(JSON.stringify(feed.items)).not.toContain('google.com/url');
    for (const item of feed.items) expect(item.canonicalUrl).not.toMatch(/utm_|fbclid/);
  });

  it('reads a Bing News feed with the publishers’ links', async () => {
    const rss =
      '<?xml version="1.0"?><rss version="2.0"><channel><title>acme - Bing News</title><link>https://www.bing.com/news/search?q=acme&amp;format=rss</link>' +
      '<item><title>Acme wins contract</title><link>https://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid=&amp;tid=ABC&amp;url=https%3a%2f%2fwww.wire.example%2fbiz%2facme-contract%3futm_source%3dbing&amp;c=123&amp;mkt=en-us</link>' +
      '<pubDate>Wed, 19 Nov 2025 08:00:00 GMT</pubDate></item></channel></rss>';
    const [item] = (await parseFeed(rss, { url: 'https://www.bing.com/news/search?q=acme&format=rss', fetchedAt: FETCHED_AT })).items;
    expect(item).toMatchObject({
      link: 'https://www.wire.example/biz/acme-contract?utm_source=bing',
      canonicalUrl: 'https://www.wire.example/biz/acme-contract',
      sourceDomain: 'wire.example',
    });
  });

  it('gives the same canonical URL to one article under two Google News ids, and keeps an opaque link as it is', async () => {
    const item = (id: string, guid: string): string =>
      `<item><title>Acme news - Wire</title><link>https://news.google.com/rss/articles/${id}?oc=5</link><guid isPermaLink="false">${guid}</guid><source url="https://wire.example">Wire</source></item>`;
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>acme - Google News</title>${item(OLD_ID, OLD_ID)}${item(googleNewsId(SHORT), 'other-guid')}${item(OPAQUE_CBMI, OPAQUE_CBMI)}</channel></rss>`;
    const feed = await parseFeed(rss, { url: 'https://news.google.com/rss/search?q=acme', fetchedAt: FETCHED_AT });
    expect(feed.items.map((i) => [i.link, i.canonicalUrl, i.sourceDomain])).toEqual([
      [SHORT, SHORT, 'wire.example'],
      [SHORT, SHORT, 'wire.example'],
      [`https://news.google.com/rss/articles/${OPAQUE_CBMI}?oc=5`, `https://news.google.com/rss/articles/${OPAQUE_CBMI}?oc=5`, 'wire.example'],
    ]);
  });
});
