import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../src/config/sources/index.js';
import type { SourceDefinition } from '../../src/config/sources/kind.js';
import { itemSourceOf } from '../../src/ingest/sources/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A source that is not a feed: `{ ndjson: FILE }`, a file of items one JSON object a line (a script's
 * output, another tool's export). Its items are cleaned, matched, scored and stored like a feed's.
 */
const LINES = [
  { id: 'a1', title: 'Acme Robotics recalls its warehouse robot', url: 'https://example.com/a1', date: '2026-11-20T08:00:00Z', source: 'Example News', text: 'Acme said it recalls <b>2,000</b> robots.' },
  { title: 'Acme robots are \u001b[31mgreat\u001b[0m', link: 'https://blog.example.org/p/2', published: 1763625600, author: { name: 'Jo' } },
  { title: 'Globex opens a plant', url: 'javascript:alert(1)', created_at: '2026-11-20T09:00:00Z' },
];

function setup(lines: string[]) {
  const home = tempDir();
  writeFileSync(path.join(home, 'items.ndjson'), `${lines.join('\n')}\n`);
  const config = path.join(home, 'c.yaml');
  writeFileSync(config, ['topics:', '  - name: Acme', '    keywords: [acme]', '    sources:', '      - { ndjson: items.ndjson }'].join('\n'));
  const db = path.join(home, 'd.db');
  const run = (args: string[]) => runCli([...args, '--config', config, '--db', db], { home });
  return { home, run };
}

describe('an ndjson source (a source that is not a feed)', () => {
  it('stores its items cleaned and matched like a feed\'s, and reads the file again on every run', () => {
    const s = setup(LINES.map((l) => JSON.stringify(l)));
    const first = s.run(['fetch']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('1 ok');
    expect(first.stderr).toContain('3 new items');
    const items = JSON.parse(s.run(['items', '--json', '--since', '2000-01-01T00:00:00Z', '--as-of', '2026-11-21T00:00:00Z']).stdout) as Record<string, unknown>[];
    const byTitle = new Map(items.map((i) => [i.title, i]));
    expect(byTitle.get('Acme Robotics recalls its warehouse robot')).toMatchObject({
      link: 'https://example.com/a1',
      source: 'Example News',
      sourceDomain: 'example.com',
      feedKind: 'ndjson',
      topics: ['Acme'],
      publishedAt: '2026-11-20T08:00:00Z',
      summary: 'Acme said it recalls 2,000 robots.',
    });
    // escape sequences stripped; epoch seconds read as a date
    expect(byTitle.get('Acme robots are great')).toMatchObject({ publishedAt: '2025-11-20T08:00:00Z', topics: ['Acme'] });
    // a link that is not http(s) is no link; an item that does not mention the topic is stored, unmatched
    expect(byTitle.get('Globex opens a plant')).toMatchObject({ link: null, topics: [] });
    // a local source is read every run (no interval to wait for), and nothing is stored twice
    const second = s.run(['fetch']);
    expect(second.stderr).toContain('1 ok, 0 not modified, 0 failed, 0 skipped; 0 new items');
    // feeds test reads it without storing; feeds export leaves it out of the OPML (it is not a feed)
    const test = runCli(['feeds', 'test', `ndjson:${path.join(s.home, 'items.ndjson')}`, '--json', '--config', path.join(s.home, 'c.yaml')], { home: s.home });
    expect(test.status, test.stderr).toBe(0);
    expect((JSON.parse(test.stdout) as unknown[]).length).toBe(3);
    const opml = s.run(['feeds', 'export']);
    expect(opml.stdout).not.toContain('ndjson');
    expect(opml.stderr).toContain('1 source is not a feed and left out');
  });

  it('a bad line fails the source, naming the line, and stores none of its items', () => {
    const s = setup([JSON.stringify(LINES[0]), '{"title": bad}', JSON.stringify(LINES[2])]);
    const r = s.run(['fetch']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/ndjson:\S*items\.ndjson: line 2: not valid JSON/);
    expect(JSON.parse(s.run(['items', '--json', '--since', '2000-01-01T00:00:00Z', '--as-of', '2026-11-21T00:00:00Z']).stdout)).toEqual([]);
  });

  it('every source kind that is not a feed has a reader (else fetch could not read it)', () => {
    const kinds = SOURCES.filter((s: SourceDefinition) => s.readsItems).map((s) => s.kind);
    expect(kinds).toContain('ndjson');
    for (const s of SOURCES) expect(itemSourceOf(s.kind) !== undefined, s.kind).toBe(Boolean((s as SourceDefinition).readsItems));
  });

  it('a URL where a path belongs, and a missing file, are said plainly', () => {
    const home = tempDir();
    const config = path.join(home, 'c.yaml');
    writeFileSync(config, ['topics:', '  - name: Acme', '    keywords: [acme]', '    sources:', '      - { ndjson: "https://example.com/items" }'].join('\n'));
    const bad = runCli(['fetch', '--config', config, '--db', path.join(home, 'd.db')], { home });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('topics[0].sources[0].ndjson.path: expected a local path, got the URL "https://example.com/items"');
    writeFileSync(config, ['topics:', '  - name: Acme', '    keywords: [acme]', '    sources:', '      - { ndjson: gone.ndjson }'].join('\n'));
    const missing = runCli(['fetch', '--config', config, '--db', path.join(home, 'd.db')], { home });
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain(`file not found: ${path.join(home, 'gone.ndjson')}`);
  });
});
