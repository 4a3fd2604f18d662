import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { UsageError } from '../../src/core/errors.js';
import { asOfFlag, limitFlag, sensitivityFlag, sinceFlag, topicFlag, topicsFlag } from '../../src/commands/flags.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// The flags the listing commands share, read one way: one --topic rule (the name in any case, or the
// start of exactly one topic's name), --since before the evaluation time, --limit and --sensitivity.

const config = parseConfigText(
  ['topics:', '  - { name: Acme Robotics, keywords: [acme] }', '  - { name: Acme Foods, keywords: [acmefoods] }', '  - { name: Northwind Airlines, keywords: [northwind] }', '  - { name: Globex, keywords: [globex] }', ''].join('\n'),
  'momentscan.yaml',
);
const AS_OF = Date.UTC(2026, 10, 20, 12);

const usage = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a usage error');
};

describe('--topic: the name in any case, or the start of exactly one topic name', () => {
  it.each([
    ['Globex', 'Globex'],
    ['globex', 'Globex'],
    ['GLOB', 'Globex'],
    ['north', 'Northwind Airlines'],
    ['acme robotics', 'Acme Robotics'],
    ['Acme R', 'Acme Robotics'],
    [' Acme Foods ', 'Acme Foods'],
  ])('%j is %s', (typed, name) => {
    expect(topicFlag(config, typed)).toBe(name);
  });

  it('names every topic a shared start could mean', () => {
    const err = usage(() => topicFlag(config, 'acme'));
    expect(err.message).toBe('--topic: "acme" starts the names of 2 topics: Acme Robotics, Acme Foods');
    expect(err.hint).toBe('type more of the name');
  });

  it('says which topics there are when none matches', () => {
    const err = usage(() => topicFlag(config, 'Initech'));
    expect(err.message).toBe('--topic: no topic named "Initech" in the config');
    expect(err.hint).toBe('topics are: Acme Robotics, Acme Foods, Northwind Airlines, Globex');
    expect(usage(() => topicFlag(config, '')).message).toBe('--topic: no topic named "" in the config');
  });

  it.each([
    ['Northwnd', 'did you mean Northwind Airlines? Topics are: Acme Robotics, Acme Foods, Northwind Airlines, Globex'],
    ['northwind airlnes', 'did you mean Northwind Airlines? Topics are: Acme Robotics, Acme Foods, Northwind Airlines, Globex'],
    ['robotics', 'did you mean Acme Robotics? Topics are: Acme Robotics, Acme Foods, Northwind Airlines, Globex'],
    ['Acmee', 'did you mean Acme Robotics or Acme Foods? Topics are: Acme Robotics, Acme Foods, Northwind Airlines, Globex'],
    ['Globx', 'did you mean Globex? Topics are: Acme Robotics, Acme Foods, Northwind Airlines, Globex'],
  ])('a name not found suggests the close ones: %j', (typed, hint) => {
    expect(usage(() => topicFlag(config, typed)).hint).toBe(hint);
  });

  it('with many topics, names the close ones rather than listing every topic', () => {
    const many = parseConfigText(['topics:', ...Array.from({ length: 40 }, (_, i) => `  - { name: Brand ${i}, keywords: [brand${i}] }`), '  - { name: Northwind Airlines, keywords: [northwind] }', ''].join('\n'), 'momentscan.yaml');
    expect(usage(() => topicFlag(many, 'northwnd')).hint).toBe('did you mean Northwind Airlines? (momentscan topics lists all 41)');
    expect(usage(() => topicFlag(many, 'zzz')).hint).toBe('momentscan topics lists all 41');
  });

  it('a name with escape sequences or control characters is typed as tables show it (without them)', () => {
    const odd = parseConfigText(
      ['topics:', '  - { name: "\\e[31mEvil\\e[0m Corp", keywords: [evil] }', '  - { name: "\\u202eReversed\\tTopic", keywords: [rev] }', '  - { name: Globex, keywords: [globex] }', ''].join('\n'),
      'momentscan.yaml',
    );
    expect(topicFlag(odd, 'evil')).toBe('\u001b[31mEvil\u001b[0m Corp');
    expect(topicFlag(odd, 'Evil Corp')).toBe('\u001b[31mEvil\u001b[0m Corp');
    expect(topicFlag(odd, 'rev')).toBe('\u202eReversed\tTopic');
    expect(topicFlag(odd, 'reversed topic')).toBe('\u202eReversed\tTopic');
    const err = usage(() => topicFlag(odd, 'Initech'));
    expect(err.hint).toBe('topics are: Evil Corp, Reversed Topic, Globex');
  });

  it('takes each repeated --topic once, in the order given', () => {
    expect(topicsFlag(config, ['glob', 'Northwind', 'GLOBEX'])).toEqual(['Globex', 'Northwind Airlines']);
    expect(topicsFlag(config, undefined)).toEqual([]);
  });
});

describe('--as-of, --since, --limit, --sensitivity', () => {
  it('--as-of is now when not given, else a time or a duration before now', () => {
    expect(asOfFlag(undefined, AS_OF)).toBe(AS_OF);
    expect(asOfFlag('2026-11-19', AS_OF)).toBe(Date.UTC(2026, 10, 19));
    expect(asOfFlag('24h', AS_OF)).toBe(AS_OF - 86_400_000);
    expect(usage(() => asOfFlag('yesterday', AS_OF)).message).toBe('--as-of: cannot read "yesterday" as a time');
  });

  it('--as-of after now is a usage error (a typo such as 2100 would be recorded as a digest\'s end)', () => {
    expect(asOfFlag('2026-11-20T12:00:00Z', AS_OF)).toBe(AS_OF);
    expect(usage(() => asOfFlag('2026-11-20T12:00:01Z', AS_OF)).message).toBe('--as-of 2026-11-20T12:00:01Z is in the future');
    expect(usage(() => asOfFlag('2100-01-01', AS_OF)).hint).toBe('give a time up to now, or leave --as-of out to evaluate now');
  });

  it('--since is a duration before the evaluation time or a time before it', () => {
    expect(sinceFlag('7d', AS_OF)).toBe(AS_OF - 7 * 86_400_000);
    expect(sinceFlag('2026-11-18T00:00:00Z', AS_OF)).toBe(Date.UTC(2026, 10, 18));
    expect(usage(() => sinceFlag('2026-11-21', AS_OF)).message).toBe('--since 2026-11-21 is not before the evaluation time');
    expect(usage(() => sinceFlag('0h', AS_OF)).message).toBe('--since 0h is not before the evaluation time');
  });

  it.each(['0', '-3', '2.5', 'ten', ''])('--limit %j is refused', (bad) => {
    expect(usage(() => limitFlag(bad)).message).toBe(`--limit: expected a whole number of at least 1, got "${bad}"`);
  });

  it('--limit and --sensitivity when given or not', () => {
    expect(limitFlag(undefined, 50)).toBe(50);
    expect(limitFlag('7', 50)).toBe(7);
    expect(sensitivityFlag(undefined)).toBeUndefined();
    expect(sensitivityFlag('high')).toBe('high');
    expect(usage(() => sensitivityFlag('max')).message).toBe('--sensitivity: expected one of low, medium, high, got "max"');
  });
});

describe('the same rules on the command line', () => {
  // a config of three topics, two of them starting alike (the temporary folder goes after each test)
  const run = (...args: string[]) => {
    const home = tempDir();
    const cfg = path.join(home, 'momentscan.yaml');
    mkdirSync(home, { recursive: true });
    writeFileSync(cfg, ['topics:', '  - { name: Acme Robotics, keywords: [acme] }', '  - { name: Acme Foods, keywords: [acmefoods] }', '  - { name: Globex, keywords: [globex] }', ''].join('\n'));
    return runCli(['--config', cfg, '--db', path.join(home, 'm.db'), ...args], { home });
  };

  it.each([
    [['items', '--topic', 'acme', '--json']],
    [['moments', '--topic', 'acme', '--json', '--as-of', '2026-11-20T12:00:00Z']],
    [['timeline', 'acme', '--json', '--as-of', '2026-11-20T12:00:00Z']],
    [['digest', '--topic', 'ACME', '--as-of', '2026-11-20T12:00:00Z']],
  ])('%j: a start shared by two topics is a usage error naming them', (args) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/"acme" starts the names of 2 topics: Acme Robotics, Acme Foods — type more of the name\n$/i);
  });

  it('a start of one name is that topic in items, moments and timeline', () => {
    for (const args of [
      ['items', '--topic', 'glo', '--json'],
      ['moments', '--topic', 'glo', '--json', '--as-of', '2026-11-20T12:00:00Z'],
      ['timeline', 'glo', '--json', '--as-of', '2026-11-20T12:00:00Z', '--since', '1d'],
    ]) {
      const r = run(...args);
      expect(r.stderr).not.toContain('error');
      expect(r.status).toBe(0);
      expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    }
    // the table's title names the topic the start stood for
    expect(run('timeline', 'glo', '--as-of', '2026-11-20T12:00:00Z', '--since', '1d').stdout).toMatch(/^Globex: 15m buckets, 2026-11-19 12:00 → 2026-11-20 12:00 UTC\n/);
  });

  it.each([
    [['items', '--as-of', '2026-11-20T12:00:00Z', '--since', '2026-11-21']],
    [['notify', 'list', '--since', '2999-01-01']],
  ])('%j: --since after the evaluation time is a usage error', (args) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^momentscan: error: --since \S+ is not before the evaluation time/);
  });
});
