import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { formatError } from '../../src/core/errors.js';

const parse = (fetch: string) => parseConfigText(`fetch:\n${fetch}\ntopics: [{name: Acme, keywords: acme}]\n`, '/cfg/momentscan.yaml');

describe('fetch.hosts: manners per host', () => {
  it('a host takes its own perHost and hostDelay; what it leaves out comes from fetch', () => {
    const cfg = parse('  perHost: 3\n  hostDelay: 1s\n  hosts:\n    Feeds.Example.com: {perHost: 16, hostDelay: 0ms}\n    127.0.0.1:8080: {perHost: 8}');
    expect(cfg.fetch.hosts).toEqual(
      new Map([
        ['feeds.example.com', { perHost: 16, hostDelayMs: 0 }],
        ['127.0.0.1:8080', { perHost: 8, hostDelayMs: 1000 }],
      ]),
    );
  });

  it.each([
    ['  hosts:\n    "https://x.example/": {perHost: 2}', /fetch\.hosts\.https:\/\/x\.example\/: must be a host name, or host:port/],
    ['  hosts:\n    x.example: {perHost: 0}', /fetch\.hosts\.x\.example\.perHost/],
    ['  hosts:\n    x.example: {delay: 1s}', /fetch\.hosts\.x\.example/],
    ['  hosts: [x.example]', /fetch\.hosts: expected a mapping/],
  ])('%s: a config error naming the field', (yaml, message) => {
    let err: unknown;
    try {
      parse(yaml);
    } catch (e) {
      err = e;
    }
    expect(formatError(err)).toMatch(message);
  });
});
