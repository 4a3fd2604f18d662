import { describe, expect, it } from 'vitest';
import { applyAddTopic, applyImport, applyRemoveFeeds, applyRemoveTopic, listedFeeds } from '../../src/config/edit.js';
import { parseConfigText } from '../../src/config/load.js';

const FILE = '/cfg/momentscan.yaml';
const CONFIG = `# my config
defaults:
  bucket: 6h          # time bucket
topics:
  - name: Acme
    keywords: [ acme ]   # any case
    feeds:
      - { url: feeds/acme.xml, kind: google-news }   # news
      - url: https://b.example/feed.xml
        title: Robotics Weekly
  - name: Globex   # the competitor
    query: globex -"globex markets"
feeds:
  - https://hnrss.org/frontpage   # HN
  - ./local.xml
`;

/** One feed added as feeds add adds it: to a topic, or to the plain list. */
const addFeed = (text: string, url: string, topic: string | null, title: string | null = null, tags: string[] = []) =>
  applyImport(text, { topics: topic === null ? new Map() : new Map([[topic, [{ url, title, tags }]]]), feeds: topic === null ? [{ url, title, tags }] : [], skipped: [], invalid: [] });

describe('config edits (feeds add|remove, topics add|remove)', () => {
  it('lists the feed entries of every feeds: list, paths resolved against the config folder, with their titles', () => {
    expect(listedFeeds(CONFIG, '/cfg')).toEqual([
      { url: 'https://hnrss.org/frontpage', topic: null, title: null },
      { url: 'file:///cfg/local.xml', topic: null, title: null },
      { url: 'file:///cfg/feeds/acme.xml', topic: 'Acme', title: null },
      { url: 'https://b.example/feed.xml', topic: 'Acme', title: 'Robotics Weekly' },
    ]);
  });

  it('removes feed entries, strings and mappings, from a topic and the plain list, every other line as it was written', () => {
    const next = applyRemoveFeeds(CONFIG, '/cfg', new Set(['file:///cfg/feeds/acme.xml', 'https://hnrss.org/frontpage']));
    expect(next).toBe(CONFIG.replace('      - { url: feeds/acme.xml, kind: google-news }   # news\n', '').replace('  - https://hnrss.org/frontpage   # HN\n', ''));
    const cfg = parseConfigText(next, FILE);
    expect(cfg.topics[0]!.feeds).toEqual(['https://b.example/feed.xml']);
    expect(cfg.feeds).toEqual(['file:///cfg/local.xml']);
  });

  it('removes a topic in any case, with its feeds, leaving the others and their comments', () => {
    const next = applyRemoveTopic(CONFIG, 'acme');
    expect(next).toContain('  - name: Globex   # the competitor\n    query: globex -"globex markets"\n');
    expect(next.startsWith('# my config\ndefaults:\n  bucket: 6h          # time bucket\ntopics:\n  - name: Globex')).toBe(true);
    expect(parseConfigText(next, FILE).topics.map((t) => t.name)).toEqual(['Globex']);
  });

  it('adds a topic at the end of topics:, keywords on one line, the lines before it as written', () => {
    const next = applyAddTopic(CONFIG, { name: 'Initech', keywords: ['initech', 'tps reports'], exclude: ['office space'], sources: ['google-news', { reddit: 'robotics' }] });
    const topics = CONFIG.indexOf('feeds:\n  - https://hnrss');
    expect(next.startsWith(CONFIG.slice(0, topics))).toBe(true);
    expect(next).toContain('  - name: Initech\n    keywords: [initech, tps reports]\n    exclude: [office space]\n    sources:\n      - google-news\n      - reddit: robotics\n');
    const t = parseConfigText(next, FILE).topics[2]!;
    expect(t.queryText).toBe('("initech" OR "tps reports") -"office space"');
    expect(t.feeds).toHaveLength(2);
  });

  it('a lone feed written as a string (feeds: URL, a list of one to the loader) is kept when one is added, and can be removed', () => {
    const lone = 'topics:\n  - name: A\n    keywords: [a]\n    feeds: https://a.example/one.xml\nfeeds: https://hnrss.org/frontpage   # hn\n';
    const added = addFeed(addFeed(lone, 'https://b.example/two.xml', null), 'https://b.example/three.xml', 'A');
    const cfg = parseConfigText(added, FILE);
    expect(cfg.feeds).toEqual(['https://hnrss.org/frontpage', 'https://b.example/two.xml']);
    expect(cfg.topics[0]!.feeds).toEqual(['https://a.example/one.xml', 'https://b.example/three.xml']);
    expect(listedFeeds(lone, '/cfg').map((f) => f.url)).toEqual(['https://hnrss.org/frontpage', 'https://a.example/one.xml']);
    const removed = parseConfigText(applyRemoveFeeds(lone, '/cfg', new Set(['https://hnrss.org/frontpage'])), FILE);
    expect(removed.feeds).toEqual([]);
    expect(removed.topics[0]!.feeds).toEqual(['https://a.example/one.xml']);
  });

  it('a config whose lines end in CRLF keeps them on the lines it adds', () => {
    const crlf = CONFIG.replace(/\n/g, '\r\n');
    const next = addFeed(applyAddTopic(crlf, { name: 'Initech', keywords: ['initech'] }), 'https://x.example/f.xml', null);
    expect(next.replace(/\r\n/g, '')).not.toContain('\n');
    expect(next.startsWith(crlf.slice(0, crlf.indexOf('feeds:\r\n  - https://hnrss')))).toBe(true);
    expect(parseConfigText(next, FILE).feeds).toEqual(['https://hnrss.org/frontpage', 'file:///cfg/local.xml', 'https://x.example/f.xml']);
  });

  it('a feed added to a topic whose name is written with spaces around it goes to that topic', () => {
    const next = addFeed('topics:\n  - name: " Acme "\n    keywords: [acme]\n', 'https://x.example/f.xml', 'Acme');
    expect(parseConfigText(next, FILE).topics.map((t) => [t.name, t.feeds])).toEqual([['Acme', ['https://x.example/f.xml']]]);
  });

  it('adds to a config that is empty or has no topics yet', () => {
    expect(parseConfigText(applyAddTopic('', { name: 'Acme', query: 'acme OR "acme robotics"' }), FILE).topics[0]!.queryText).toBe('acme OR "acme robotics"');
    expect(parseConfigText(addFeed('', 'https://a.example/f.xml', null), FILE).feeds).toEqual(['https://a.example/f.xml']);
  });

  // what a user types goes into YAML: however it is written, it reads back as it was, and touches no other line
  const hostile = [
    'a: b # c',
    '- x',
    "'q' \"q\"",
    '{x}, [y]',
    '&a *b !tag %x @y `z`',
    '| > ? : ,',
    '#not a comment',
    'null',
    'true',
    '0x10',
    '~',
    'Ünïcödé 日本 🚀',
    'x'.repeat(10_000),
  ];
  it.each(hostile.map((s) => [s.slice(0, 20), s]))('a name, title, tag or keyword written %j reads back as it was', (_label, s) => {
    const withFeed = addFeed(CONFIG, `https://x.example/f.xml?q=${encodeURIComponent(s)}#${s.length}`, 'Acme', s, [s]);
    const cfg = parseConfigText(withFeed, FILE);
    const url = cfg.topics[0]!.feeds[2]!;
    expect(cfg.feedTitles.get(url)).toBe(s.trim());
    expect(cfg.feedTags.get(url)).toEqual([s.trim()]);
    // the feed went into Acme's list, between lines left as they were
    expect(withFeed.startsWith(CONFIG.slice(0, CONFIG.indexOf('  - name: Globex')))).toBe(true);
    expect(withFeed.endsWith(CONFIG.slice(CONFIG.indexOf('  - name: Globex')))).toBe(true);
    const withTopic = applyAddTopic(CONFIG, { name: s, keywords: [`${s} word`] });
    expect(withTopic.startsWith(CONFIG.slice(0, CONFIG.indexOf('feeds:\n  - https://hnrss')))).toBe(true);
    const topic = parseConfigText(withTopic, FILE).topics[2]!;
    expect(topic.name).toBe(s.trim());
    // (as the loader reads the same keyword written by hand, in JSON)
    expect(topic.keywords).toEqual(parseConfigText(JSON.stringify({ topics: [{ name: 'x', keywords: [`${s} word`] }] }), FILE).topics[0]!.keywords);
    expect(parseConfigText(applyRemoveTopic(withTopic, s), FILE).topics).toHaveLength(2);
  });
});
