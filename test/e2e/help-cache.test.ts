import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpPath } from '../../src/help-cache.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// bin/momentscan answers plain help requests off a terminal from dist/help.json (written by the build)
// without loading the CLI: the text must be the CLI's own, byte for byte, and never a stale one.

interface HelpFile {
  made: string;
  help: Record<string, string>;
}

/** A copy of the built package (bin, dist, package.json; node_modules linked) to change freely. */
function copyOfBuild(): string {
  const dir = tempDir();
  for (const part of ['bin', 'dist', 'package.json']) cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function run(root: string, args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'momentscan'), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(root: string, args: string[]): Promise<ReturnType<typeof run>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'momentscan'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const cacheFile = path.join(ROOT, 'dist', 'help.json');

describe('the help cache', () => {
  it.each([
    [['--help'], []],
    [['-h'], []],
    [['help'], []],
    [['fetch', '--help'], ['fetch']],
    [['feeds', 'test', '-h'], ['feeds', 'test']],
    [['help', 'feeds', 'test'], ['feeds', 'test']],
    [['help', 'help'], ['help']],
    [[], undefined],
    [['fetch'], undefined],
    [['fetch', '--quiet', '--help'], undefined],
    [['feeds', 'test', 'x.xml', '--help'], undefined],
    [['help', '--debug'], undefined],
    [['--help', 'fetch'], undefined],
  ])('%j is answered as the help of %j (undefined: by the CLI)', (args, names) => {
    expect(helpPath(args)).toEqual(names);
  });

  it('holds every command, each text byte for byte what the CLI prints without it', { timeout: 180_000 }, async () => {
    expect(existsSync(cacheFile), 'dist/help.json is missing: run npm run build').toBe(true);
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as HelpFile;
    const copy = copyOfBuild();
    rmSync(path.join(copy, 'dist', 'help.json'));
    const paths = Object.keys(cache.help);
    expect(paths).toEqual(expect.arrayContaining(['', 'fetch', 'feeds', 'feeds test', 'notify list', 'db migrate', 'help']));
    // four at a time: 42 start-ups of the CLI
    const answers = new Map<string, ReturnType<typeof run>>();
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const p = paths[next++]!;
        answers.set(p, await runAsync(copy, [...(p === '' ? [] : p.split(' ')), '--help']));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    for (const p of paths) expect(answers.get(p), p).toEqual({ status: 0, stdout: cache.help[p], stderr: '' });
    // and the three ways of asking are answered from it alike
    for (const args of [['--help'], ['feeds', 'test', '-h'], ['help', 'notify', 'list']]) {
      const names = args[0] === 'help' ? args.slice(1) : args.slice(0, -1);
      expect(run(ROOT, args), args.join(' ')).toEqual({ status: 0, stdout: cache.help[names.join(' ')], stderr: '' });
    }
  });

  it('is not used once the CLI was compiled again after it (a tsc alone): the help is the new one', { timeout: 30_000 }, () => {
    const copy = copyOfBuild();
    const file = path.join(copy, 'dist', 'help.json');
    const cache = JSON.parse(readFileSync(file, 'utf8')) as HelpFile;
    const real = cache.help[''];
    writeFileSync(file, JSON.stringify({ ...cache, help: { ...cache.help, '': 'an old help text\n' } }));
    expect(run(copy, ['--help']).stdout).toBe('an old help text\n');
    const later = new Date(Date.now() + 10_000);
    utimesSync(path.join(copy, 'dist', 'cli.js'), later, later);
    expect(run(copy, ['--help'])).toEqual({ status: 0, stdout: real, stderr: '' });
  });

  it('is not used with another version of commander', { timeout: 30_000 }, () => {
    const copy = copyOfBuild();
    const file = path.join(copy, 'dist', 'help.json');
    const cache = JSON.parse(readFileSync(file, 'utf8')) as HelpFile;
    const real = cache.help['fetch'];
    writeFileSync(file, JSON.stringify({ made: cache.made.replace(/commander \S+$/, 'commander 13.0.0'), help: { ...cache.help, fetch: 'an old help text\n' } }));
    expect(run(copy, ['fetch', '--help'])).toEqual({ status: 0, stdout: real, stderr: '' });
  });
});
