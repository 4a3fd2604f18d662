import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * A real terminal for interactive commands: a tmux server of its own (its own socket, no user config)
 * with one session of a fixed size running a plain shell in a scrubbed environment. Keys are sent with
 * send-keys, the screen read with capture-pane. Every server is killed after its test.
 */

const servers = new Set<string>();
afterEach(() => {
  for (const s of servers) {
    try {
      execFileSync('tmux', ['-L', s, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  servers.clear();
});

let count = 0;

export interface Terminal {
  /** Types text and presses Enter. */
  run(line: string): void;
  /** Sends keys as tmux names them (j, Left, C-c, Tab...). */
  keys(...keys: string[]): void;
  /** The screen as text. */
  screen(): string;
  /** The scrollback and the screen, wrapped lines joined. */
  history(): string;
  /** A tmux format about the pane (#{alternate_on}, #{cursor_flag}...). */
  pane(format: string): string;
  resize(width: number, height: number): void;
  /** Waits until the screen passes the test; fails with the screen as it was. */
  waitFor(test: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
}

export function openTerminal(o: { width: number; height: number; home: string; cwd: string; env?: Record<string, string> }): Terminal {
  const socket = `momentscan-test-${process.pid}-${++count}`;
  servers.add(socket);
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.home,
    XDG_CONFIG_HOME: path.join(o.home, '.config'),
    XDG_DATA_HOME: path.join(o.home, '.local', 'share'),
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    PS1: '$ ',
    ...o.env,
  };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  tmux('new-session', '-d', '-s', 'w', '-x', String(o.width), '-y', String(o.height), '-c', o.cwd, 'env', '-i', ...envArgs, 'sh');
  // what is typed before the shell shows its prompt is echoed before it, and the prompt then stands on the
  // line a command's output starts on (a progress line's \r erases it): tests counting prompts waited for ever
  const until = Date.now() + 20_000;
  while (!tmux('capture-pane', '-p', '-t', 'w').startsWith('$')) {
    if (Date.now() > until) throw new Error('timed out waiting for the shell\'s prompt in tmux');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  const t: Terminal = {
    run(line) {
      tmux('send-keys', '-t', 'w', '-l', line);
      tmux('send-keys', '-t', 'w', 'Enter');
    },
    keys: (...keys) => void tmux('send-keys', '-t', 'w', ...keys),
    screen: () => tmux('capture-pane', '-p', '-t', 'w'),
    history: () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'w'),
    pane: (format) => tmux('display-message', '-p', '-t', 'w', format).trim(),
    resize: (width, height) => void tmux('resize-window', '-t', 'w', '-x', String(width), '-y', String(height)),
    async waitFor(test, what, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const screen = t.screen();
        if (test(screen)) return screen;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  return t;
}
