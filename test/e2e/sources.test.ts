import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { serve, startServer, type FixtureServer } from '../helpers/server.js';
import { killAll, startCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/tmp.js';

const fixture = (name: string) => readFileSync(path.join(ROOT, 'fixtures', 'feeds', name));
const RSS = 'application/rss+xml; charset=utf-8';

let server: FixtureServer | undefined;
afterEach(async () => {
  await killAll();
  await server?.close();
  server = undefined;
});

describe('source kinds, as feeds test shows them', () => {
  // (with a query string after .rss, the topic did not take the hashtag: its own reading of the URL stopped there)
  it.each([[''], ['?limit=40']])("a topic's Mastodon hashtag feed%s: posts naming the subject by the tag alone count for it, its exclusions still hold", async (query) => {
    server = await startServer({ '/tags/acmerobotics.rss': serve(fixture('mastodon-tag.rss.xml'), { 'content-type': RSS }) });
    const home = tempDir();
    const cfg = path.join(home, 'momentscan.yaml');
    const url = server.url(`/tags/acmerobotics.rss${query}`);
    writeFileSync(
      cfg,
      [
        'topics:',
        '  - name: Acme',
        `    query: '"acme robotics" OR glide'`,
        `    feeds: [${url}]`,
        '  - name: Acme, not sofas',
        '    keywords: [acme robotics]',
        '    exclude: [sofa]',
        `    feeds: [${url}]`,
        '',
      ].join('\n'),
    );
    const run = startCli(['feeds', 'test', url, '--config', cfg, '--json'], { home });
    const r = await run.exited;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const items = JSON.parse(r.stdout) as { title: string; topics: string[] }[];
    expect(items.map((i) => [i.title, i.topics])).toEqual([
      ['Just unboxed the new Glide from #acmerobotics and it already mapped the whole flat. Impressed!…', ['Acme', 'Acme, not sofas']],
      // '#AcmeRobotics' and no 'acme robotics' or 'glide': it was in no topic, though the topic's own hashtag feed brought it
      ['Mine keeps getting stuck under the sofa. #AcmeRobotics #fail', ['Acme']],
    ]);
  });
});
