import { writeSync } from 'node:fs';
import type { ReadStream, WriteStream } from 'node:tty';
import { parseKeys } from './keys.js';
import type { Key } from './state.js';

/**
 * The terminal, for the watch view: the alternate screen, no cursor, no line wrap, raw keys; frames
 * drawn line by line (only the lines that changed). `close` puts everything back (the shell's screen, the
 * cursor, wrapping, cooked mode) and is safe to call twice; it also runs when the process exits some
 * other way, so an exception or a signal never leaves the terminal in raw mode on the alternate screen.
 */

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';
/** Synchronized output (terminals that lack it ignore it): a frame appears at once, without tearing. */
const BEGIN_FRAME = '\x1b[?2026h';
const END_FRAME = '\x1b[?2026l';

export interface Screen {
  size(): { width: number; height: number };
  draw(lines: string[], full?: boolean): void;
  onKeys(listener: (keys: Key[]) => void): void;
  onResize(listener: () => void): void;
  close(): void;
}

export function openScreen(stdin: ReadStream, stdout: WriteStream): Screen {
  let previous: string[] = [];
  let closed = false;
  const listeners: { keys: ((keys: Key[]) => void)[]; resize: (() => void)[] } = { keys: [], resize: [] };
  const onData = (chunk: string) => {
    const keys = parseKeys(chunk);
    if (keys.length) for (const l of listeners.keys) l(keys);
  };
  const onResize = () => {
    previous = [];
    for (const l of listeners.resize) l();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    stdin.off('data', onData);
    stdout.off('resize', onResize);
    process.off('exit', close);
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
    } catch {
      // the terminal may be gone (hang-up): nothing to restore
    }
    stdin.pause();
    try {
      // synchronously: close may run in an 'exit' handler, where asynchronous writes are lost
      writeSync((stdout as WriteStream & { fd: number }).fd, LEAVE);
    } catch {
      // the terminal is gone
    }
  };
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', onData);
  stdin.resume();
  stdout.on('resize', onResize);
  process.on('exit', close);
  stdout.write(ENTER);
  return {
    size: () => ({ width: stdout.columns || 80, height: stdout.rows || 24 }),
    draw(lines, full = false) {
      if (closed) return;
      if (full) previous = [];
      let out = BEGIN_FRAME;
      if (previous.length !== lines.length) out += '\x1b[2J';
      lines.forEach((line, i) => {
        if (previous.length === lines.length && previous[i] === line) return;
        out += `\x1b[${i + 1};1H\x1b[0m${line}`;
      });
      previous = lines;
      stdout.write(`${out}${END_FRAME}`);
    },
    onKeys: (l) => void listeners.keys.push(l),
    onResize: (l) => void listeners.resize.push(l),
    close,
  };
}
