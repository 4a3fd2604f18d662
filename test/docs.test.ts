import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli.js';
import { feedHealthJson, testItemJson } from '../src/render/feeds.js';
import { ExitCode } from '../src/core/errors.js';
import { momentJson } from '../src/render/moments.js';
import { statusJson } from '../src/render/status.js';
import { feedResultJson } from '../src/render/fetch.js';
import { sampleFeedResult, sampleMoment } from './helpers/moments.js';

const README = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
const program = buildProgram();
const all = (cmds: readonly Command[], prefix = ''): [string, Command][] =>
  cmds.filter((c) => c.name() !== 'help').flatMap((c) => [[`${prefix}${c.name()}`, c] as [string, Command], ...all(c.commands, `${prefix}${c.name()} `)]);
const commands = all(program.commands);

describe('README and help text', () => {
  it('opens with the two set-up commands', () => {
    const firstBlock = /```(?:sh|bash|console)?\n([\s\S]*?)```/.exec(README)![1]!;
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it.each(commands)('command %s has help text and a README section', (name, cmd) => {
    expect(cmd.description().length).toBeGreaterThan(10);
    expect(README).toContain(`momentscan ${name}`);
  });

  const options = [
    ...program.options.map((o) => ['(global)', o] as const),
    ...commands.flatMap(([name, c]) => c.options.map((o) => [name, o] as const)),
  ];
  it.each(options.map(([cmd, o]) => [cmd, o.long ?? o.short, o] as const))('%s option %s has help text and is in the README', (_cmd, flag, o) => {
    expect(o.description.length).toBeGreaterThan(5);
    expect(README).toContain(flag!);
  });

  // every command reads --as-of alike (a time, or a duration ago): timeline's help said only "as if it were this time"
  it.each(options.filter(([, o]) => o.long === '--as-of').map(([cmd, o]) => [cmd, o] as const))('%s --as-of says what it takes', (_cmd, o) => {
    expect(o.description).toMatch(/ISO-8601, or a duration ago/);
  });

  it.each(Object.entries(ExitCode))('exit code %s (%d) is documented', (_name, code) => {
    expect(README).toMatch(new RegExp(`\\|\\s*\`?${code}\`?\\s*\\|`));
  });

  it.each(Object.keys(momentJson(sampleMoment())))('JSON field %s of a moment is documented', (field) => {
    expect(README).toContain(`\`${field}\``);
  });

  it.each(Object.keys(feedResultJson(sampleFeedResult())))(
    'JSON field %s of a fetch result is documented',
    (field) => {
      expect(README).toContain(`\`${field}\``);
    },
  );

  it.each(Object.keys(feedHealthJson({} as Parameters<typeof feedHealthJson>[0])))('JSON field %s of a feed health row is documented', (field) => {
    expect(README).toContain(`\`${field}\``);
  });

  // status --json's config, database and feeds objects had members the README never named (bytes, lastFetchAt…)
  const status = statusJson({
    config: { path: 'c', exists: true },
    database: { path: 'd', exists: true, bytes: 1 },
    feeds: { total: 0, ok: 0, failing: 0, new: 0, retired: 0, lastFetchAt: null, claimed: null },
    topics: [],
    accounts: { known: 0, withItems: 0, review: 0 },
    email: { server: null, to: [], check: 'not configured' },
    now: 0,
  });
  const members = Object.entries(status).flatMap(([k, v]) => [k, ...(v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [])]);
  it.each(members)('JSON field %s of status --json is documented in its section', (field) => {
    const section = README.slice(README.indexOf('### `momentscan status`'), README.indexOf('### `momentscan timeline`'));
    expect(section).toContain(`\`${field}\``);
  });

  it.each(Object.keys(testItemJson({ topics: [], publishedAt: 0 } as unknown as Parameters<typeof testItemJson>[0])))(
    'JSON field %s of a tested item is documented',
    (field) => {
      expect(README).toContain(`\`${field}\``);
    },
  );
});
