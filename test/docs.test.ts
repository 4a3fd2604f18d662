import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli.js';
import { ExitCode } from '../src/core/errors.js';
import { momentJson } from '../src/render/moments.js';
import { feedResultJson } from '../src/render/fetch.js';
import { sampleMoment } from './helpers/moments.js';

const README = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
const program = buildProgram();
const commands = program.commands.filter((c) => c.name() !== 'help');

describe('README and help text', () => {
  it('opens with the two set-up commands', () => {
    const firstBlock = /```(?:sh|bash|console)?\n([\s\S]*?)```/.exec(README)![1]!;
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm test');
  });

  it.each(commands.map((c) => [c.name(), c] as const))('command %s has help text and a README section', (name, cmd) => {
    expect(cmd.description().length).toBeGreaterThan(10);
    expect(README).toContain(`momentscan ${name}`);
  });

  const options = [
    ...program.options.map((o) => ['(global)', o] as const),
    ...commands.flatMap((c) => c.options.map((o) => [c.name(), o] as const)),
  ];
  it.each(options.map(([cmd, o]) => [cmd, o.long ?? o.short, o] as const))('%s option %s has help text and is in the README', (_cmd, flag, o) => {
    expect(o.description.length).toBeGreaterThan(5);
    expect(README).toContain(flag!);
  });

  it.each(Object.entries(ExitCode))('exit code %s (%d) is documented', (_name, code) => {
    expect(README).toMatch(new RegExp(`\\|\\s*\`?${code}\`?\\s*\\|`));
  });

  it.each(Object.keys(momentJson(sampleMoment())))('JSON field %s of a moment is documented', (field) => {
    expect(README).toContain(`\`${field}\``);
  });

  it.each(Object.keys(feedResultJson({ url: '', title: null, status: 'ok', httpStatus: null, itemsSeen: 0, itemsNew: 0, bytes: 0, durationMs: 0, error: null, fetchedAt: 0 })))(
    'JSON field %s of a fetch result is documented',
    (field) => {
      expect(README).toContain(`\`${field}\``);
    },
  );
});
