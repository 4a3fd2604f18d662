import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyImport, planImport } from '../../src/config/edit.js';
import { parseConfigText } from '../../src/config/load.js';
import { OpmlError, parseOpml, renderOpml } from '../../src/config/opml.js';

const EXPORT = readFileSync(path.join(import.meta.dirname, '../../fixtures/opml/reader-export.opml'), 'utf8');

describe('OPML', () => {
  it('reads a feed reader export: folders (nested), titles with entities, URLs with query strings', () => {
    const doc = parseOpml(EXPORT);
    expect(doc.title).toBe('Dana subscriptions in Example Reader');
    expect(doc.feeds.map((f) => [f.title, f.path.join('/')])).toEqual([
      ['Globex Newsroom', 'Competitors'],
      ['Initech Blog & Updates', 'Competitors'],
      ['Robotics Weekly', 'Trade press/Robotics'],
      ['The Circuit Review', 'Trade press/Robotics'],
      ['Markets & Money', 'Trade press'],
      ['Hacker News: Front Page', ''],
      ['r/robotics', 'Reddit'],
      ['Globex Newsroom (again)', 'Reddit'],
      ['An old gopher feed', 'Podcasts'],
    ]);
    expect(doc.feeds[4]!.url).toBe('https://www.marketsandmoney.example/rss?section=tech&format=full');
  });

  it.each([
    ['<html><body>hi</body></html>', 'not an OPML document'],
    ['<opml><body><outline text="a"></body></opml>', 'never closed'],
    ['<opml><body></outline></body></opml>', 'unbalanced'],
    // cut short (a download that stopped): the feeds before the cut were imported as if that were all of them
    ['<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" xmlUrl="http://a.example/feed"/><outline type="rss" xmlUrl="http://b.exa', 'ends before </opml>'],
    ['<opml version="2.0"><body><outline type="rss" xmlUrl="http://a.example/feed"/>', 'ends before </opml>'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseOpml(text)).toThrow(OpmlError);
    expect(() => parseOpml(text)).toThrow(message);
  });

  it('import: folders become topics of whole feeds, duplicates and non-HTTP URLs are left out, comments kept', () => {
    const text = '# my momentscan config\ntopics:\n  - name: Competitors # rivals\n    keywords: [globex]\n';
    const config = parseConfigText(text, '/cfg/m.yaml');
    const plan = planImport(config, parseOpml(EXPORT), 'topics');
    expect(plan.invalid).toEqual(['gopher://old.example/1/feed']);
    expect(plan.skipped).toEqual(['https://newsroom.globex.example/feed/']);
    const next = applyImport(text, plan);
    expect(next).toContain('# my momentscan config');
    expect(next).toContain('# rivals');
    const cfg = parseConfigText(next, '/cfg/m.yaml');
    expect(cfg.topics.map((t) => [t.name, t.feeds.length, t.queryText])).toEqual([
      ['Competitors', 2, '"globex"'],
      ['Robotics', 2, null],
      ['Trade press', 1, null],
      ['Reddit', 1, null],
    ]);
    expect(cfg.feeds).toEqual(['https://hnrss.org/frontpage']);
    expect(cfg.feedKinds.get('https://hnrss.org/frontpage')).toBe('hackernews');
    expect(cfg.feedKinds.get('https://www.reddit.com/r/robotics/.rss')).toBe('reddit');
    expect(cfg.feedTitles.get('https://blog.initech.example/rss.xml')).toBe('Initech Blog & Updates');
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments only', '# feeds come from the OPML\n'],
  ])('import into %s: a block mapping, one entry a line, comments kept', (_name, text) => {
    const next = applyImport(text, planImport(parseConfigText(text, '/cfg/m.yaml'), parseOpml(EXPORT), 'topics'));
    expect(next.startsWith(text)).toBe(true);
    expect(next.slice(text.length)).toMatch(/^\n?topics:\n {2}- name: Competitors\n {4}feeds:\n {6}- url: https:\/\/newsroom\.globex\.example\/feed\/\n/);
    expect(parseConfigText(next, '/cfg/m.yaml').topics.map((t) => t.name)).toEqual(['Competitors', 'Robotics', 'Trade press', 'Reddit']);
  });

  it('import --as tags: every feed to the plain list, tagged with its folders', () => {
    const plan = planImport(parseConfigText('', '/cfg/m.yaml'), parseOpml(EXPORT), 'tags');
    const cfg = parseConfigText(applyImport('', plan), '/cfg/m.yaml');
    expect(cfg.topics).toEqual([]);
    expect(cfg.feeds).toHaveLength(7);
    expect(cfg.feedTags.get('https://circuitreview.example/atom.xml')).toEqual(['Trade press', 'Robotics']);
  });

  it('export: names with escape sequences and control characters give a well-formed file, without them', () => {
    const name = '\u001b[31mEvil\u001b[0m Corp \u202eRev & <Co> "q"';
    const exported = renderOpml('momentscan feeds', [{ text: name, children: [{ text: '\u001b]0;pwn\u0007 Feed\tone\u0000', xmlUrl: 'https://a.example/feed?x=1&y=2' }] }], new Date(Date.UTC(2026, 10, 20)));
    // XML 1.0 holds no C0 control but tab, line feed and carriage return: a feed reader refuses the file
    expect(exported).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
    expect(exported).toContain('<outline text="Evil Corp Rev &amp; &lt;Co&gt; &quot;q&quot;"');
    const read = parseOpml(exported);
    expect(read.feeds).toEqual([expect.objectContaining({ url: 'https://a.example/feed?x=1&y=2', title: 'Feed one' })]);
  });

  it('round trip: export, import into an empty config, export again gives the same feeds and folders', () => {
    const first = parseConfigText(applyImport('', planImport(parseConfigText('', '/c.yaml'), parseOpml(EXPORT), 'topics')), '/c.yaml');
    const outlines = (cfg: typeof first) => [
      ...cfg.topics.map((t) => ({ text: t.name, children: t.feeds.map((u) => ({ text: cfg.feedTitles.get(u) ?? u, xmlUrl: u })) })),
      ...cfg.feeds.map((u) => ({ text: cfg.feedTitles.get(u) ?? u, xmlUrl: u })),
    ];
    const exported = renderOpml('momentscan feeds', outlines(first), new Date(Date.UTC(2026, 10, 20)));
    expect(exported).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0">/);
    const again = parseConfigText(applyImport('', planImport(parseConfigText('', '/c.yaml'), parseOpml(exported), 'topics')), '/c.yaml');
    expect(renderOpml('momentscan feeds', outlines(again), new Date(Date.UTC(2026, 10, 20)))).toBe(exported);
    expect(again.topics.map((t) => [t.name, t.feeds])).toEqual(first.topics.map((t) => [t.name, t.feeds]));
  });
});
