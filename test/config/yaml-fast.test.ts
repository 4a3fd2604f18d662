import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseYamlFast } from '../../src/config/yaml-fast.js';
import { parseConfigText } from '../../src/config/load.js';
import { STARTER_CONFIG } from '../../src/config/starter.js';
// @ts-expect-error: the bench's generators are plain JavaScript
import { configYaml, mulberry32 } from '../bench/feeds.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What yaml makes of the text (undefined when it reports an error): the reference. */
function reference(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  return doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 100 });
}

/** The fast reader either declines or agrees with yaml exactly (and declines whatever yaml rejects). */
function agrees(text: string): boolean {
  const fast = parseYamlFast(text);
  if (fast === undefined) return true;
  const ref = reference(text);
  expect(fast, text).toStrictEqual(ref);
  return false;
}

const sample = readFileSync(path.join(ROOT, 'fixtures/sample/momentscan.yaml'), 'utf8');
const readmeBlocks = [...readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The bench's config: 100 topics, 2,000 feed URLs (about 100 KB). */
const bigConfig = (): string => configYaml(['http://127.0.0.1:8080'], 2000, { concurrency: 16, perHost: 16, hostDelay: '0ms', interval: '15m', retries: 2, timeout: '30s' }, 90);

describe('the fast YAML reader', () => {
  it('reads the sample config, the README examples, the starter config and a bench-sized config exactly as yaml does', () => {
    agrees(STARTER_CONFIG);
    expect(parseYamlFast(sample)).toStrictEqual(reference(sample));
    expect(parseYamlFast(sample)).not.toBeUndefined();
    const big = bigConfig();
    expect(big.length).toBeGreaterThan(90_000);
    expect(parseYamlFast(big)).not.toBeUndefined();
    expect(parseYamlFast(big)).toStrictEqual(reference(big));
    let read = 0;
    for (const block of readmeBlocks) if (!agrees(block)) read++;
    // most of the README's examples are the plain YAML the fast path is for
    expect(read).toBeGreaterThan(readmeBlocks.length / 2);
  });

  it('declines or agrees on YAML that is easy to get wrong', () => {
    const tricky = [
      'a: 1\nb: 1.50\nc: -3\nd: 007\ne: 1e3\nf: 0x1F\ng: .inf\nh: +1\ni: -0\n',
      'a: yes\nb: no\nc: on\nd: ~\ne: Null\nf: TRUE\ng: False\nh:\n',
      'a: "x # not a comment"\nb: x # a comment\nc: \'it\'\'s\'\nd: C#\ne: a "b # c"\n',
      'a: "tab\\there \\u00e9"\nb: "new\\nline"\n',
      'a: |\n  block\n  text\nb: >\n  folded\n',
      'a: plain\n  continued\nb: 2\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: 1\na: 2\n',
      '__proto__: 1\n',
      'list:\n- a\n- b\nmap:\n  k: v\n',
      'list:\n  - a\n  -  b\n  - - c\n',
      '- a\n- b\n',
      'just a scalar\n',
      '',
      '# only a comment\n',
      '---\na: 1\n',
      'a: [1, 2, [3, 4], {k: v}]\nb: {url: "http://x/y:z", kind: reddit}\nc: []\nd: {}\n',
      'a: [1, 2,]\nb: [a, b\n',
      'a: {k: }\nb: {k}\n',
      'feeds:\n  - { url: https://a.example/feed.xml, kind: google-news }\n  - rss: https://b.example/x\n',
      'a:\tb\n',
      'a: b: c\n',
      '"quoted key": 1\n\'single\': 2\n',
      'a: "unclosed\n',
      'a:\n  - x: 1\n    y: 2\n  - x: 3\n     y: 4\n',
      'a: 1\r\nb: 2\r\n',
      'a: 1\rb: 2\n',
      '\ufeffa: 1\n',
      'a:\n    deep:\n      deeper: [x]\n  back: 1\n',
      'a: -x\nb: ?x\nc: x:y\nd: "x":\n',
      'key with spaces: value with spaces  \n',
      '1: one\ntrue: yes\nnull: nothing\n',
      `${'a:\n'.repeat(1)}${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`,
    ];
    for (const t of tricky) agrees(t);
  });

  it('declines or agrees on thousands of mangled configs (random edits of the sample and the README examples)', () => {
    const rand: () => number = mulberry32(11);
    const pieces = ['#', ' #', "'", '"', "''", '\\"', ' "a # b"', "'x: y'", 'http://a:b/', '__proto__: 1\n', ':', ': ', '- ', '-', '[', ']', '{', '}', ',', '&a ', '*a', '!', '|', '>', '\t', '\n', '  ', ' ', '\\', '1', '0x1', '~', 'null', 'true', '.5', 'e3', '%', '@', '?'];
    let declined = 0;
    const N = 2000;
    const bases = [sample, ...readmeBlocks.filter((b) => b.length > 500)];
    for (let n = 0; n < N; n++) {
      let text = bases[n % bases.length]!;
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * text.length);
        const r = rand();
        if (r < 0.6) text = text.slice(0, at) + pieces[Math.floor(rand() * pieces.length)] + text.slice(at);
        else if (r < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 3));
        else {
          const line = text.lastIndexOf('\n', at) + 1;
          text = `${text.slice(0, line)}${rand() < 0.5 ? ' ' : ''}${text.slice(line + (rand() < 0.5 ? 1 : 0))}`;
        }
      }
      if (agrees(text)) declined++;
    }
    // the edits mostly land in comments and plain text: the fast path still reads most of them
    expect(declined).toBeLessThan(N * 0.8);
  }, 60_000); // a hang guard on a loaded machine, not a speed target

  it('leaves every error to yaml: a broken config still gets its line and reason', () => {
    expect(() => parseConfigText('topics:\n  - name: A\n    name: B\n', 'cfg.yaml')).toThrow(/cfg\.yaml: line 3, column 5: invalid YAML: Map keys must be unique/);
    expect(() => parseConfigText('topics: [a, b\n', 'cfg.yaml')).toThrow(/cfg\.yaml: line \d+, column \d+: invalid YAML/);
    // and what the fast path reads is validated as before
    expect(() => parseConfigText('topics:\n  - keywords: [x]\n', 'cfg.yaml')).toThrow(/cfg\.yaml/);
    expect(parseConfigText(sample, 'sample.yaml').topics.map((t) => t.name)).toContain('Acme Robotics');
  });
});
