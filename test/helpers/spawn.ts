import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach } from 'vitest';
import { BIN, ROOT } from './cli.js';

/** How a CLI process ended: exit status (null when killed by a signal), the signal, its output, when. */
export interface CliExit {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Date.now() when the process exited. */
  at: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** Output so far. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited and its output is closed. */
  exited: Promise<CliExit>;
}

const running = new Set<RunningCli>();

/** Kills (SIGKILL) every CLI process a test left running, and waits for it to be gone. */
export async function killAll(): Promise<void> {
  const left = [...running];
  running.clear();
  for (const r of left) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  await Promise.all(left.map((r) => withTimeout(r.exited, 5_000, 'a killed CLI process to exit').catch(() => undefined)));
}
afterEach(killAll);

/** The same scrubbed environment as runCli: PATH, a temporary HOME and XDG folders, NO_COLOR. */
export function scrubbedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...extra,
  };
}

/**
 * Starts the built CLI without blocking the event loop (unlike runCli's spawnSync), so a server in
 * this process can answer it and the test can watch, signal or kill it while it runs.
 */
export function startCli(args: string[], opts: { home: string; cwd?: string; env?: Record<string, string> }): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: scrubbedEnv(opts.home, opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<CliExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve({ status, signal, stdout: out, stderr: err, at: Date.now() }));
  });
  const r: RunningCli = { child, stdout: () => out, stderr: () => err, exited };
  running.add(r);
  void exited.finally(() => running.delete(r)).catch(() => undefined);
  return r;
}

/** Rejects with a message naming what was awaited when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns a value that `done` accepts; returns that value.
 * Gives up after `timeoutMs` with the last value seen, or early when `stop` says so (a child that
 * exited will never make progress).
 */
export async function pollUntil<T>(
  probe: () => T,
  done: (v: T) => boolean,
  o: { timeoutMs: number; intervalMs?: number; what: string; stop?: () => boolean },
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const v = probe();
    if (done(v)) return v;
    if (o.stop?.()) throw new Error(`gave up waiting for ${o.what}: the process ended first (last seen: ${JSON.stringify(v)})`);
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what} (last seen: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 20));
  }
}
