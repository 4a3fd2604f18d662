import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'momentscan');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would, with a scrubbed environment: only PATH, a temporary HOME and
 * XDG folders, NO_COLOR; nothing else from the developer's shell leaks in.
 */
export function runCli(args: string[], opts: { home: string; cwd?: string; env?: Record<string, string>; input?: string; stdinFile?: string }): CliResult {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: opts.home,
    XDG_CONFIG_HOME: path.join(opts.home, '.config'),
    XDG_DATA_HOME: path.join(opts.home, '.local', 'share'),
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...opts.env,
  };
  // (`stdinFile`: stdin redirected from a file, `< file`, not piped)
  const fd = opts.stdinFile === undefined ? null : openSync(opts.stdinFile, 'r');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      encoding: 'utf8',
      ...(fd === null ? { input: opts.input ?? '' } : { stdio: [fd, 'pipe', 'pipe'] }),
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
