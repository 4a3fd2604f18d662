/**
 * What every command gathers besides its config: the global and output options, the process's environment
 * and clock, and where output goes. Neither the config loader nor the renderers' colour: `detect` and
 * `sentiment`, which read no config, load only this and output.ts; common.ts adds the config.
 */
import { UsageError, outputFault } from '../core/errors.js';
import { stripControl } from '../core/text.js';
import { parseIsoTime } from '../core/time.js';
import { FORMATS, type Format } from '../render/types.js';

/** Options every command accepts (defined on the program). */
export interface GlobalOptions {
  config?: string;
  db?: string;
  color?: boolean;
  quiet?: boolean;
  debug?: boolean;
  /** --tz: the time zone times are shown in (configFor puts it in config.defaults.timeZone). */
  tz?: string;
}

/** The shared output flags of listing commands. */
export interface OutputOptions {
  format?: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  verbose?: boolean;
  /** --fields a,b,c */
  fields?: string;
  /** --no-headers sets this to false */
  headers?: boolean;
}

export interface Env {
  env: NodeJS.ProcessEnv;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  columns: number;
  /** Real time (or $MOMENTSCAN_NOW's clock: commandClock); commands take --as-of for evaluation time. */
  now: () => number;
}

export function processEnv(): Env {
  return {
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns || 100,
    now: commandClock(process.env),
  };
}

/**
 * The commands' clock: real time; or, when $MOMENTSCAN_NOW holds an ISO-8601 time, a clock that starts
 * there when the command starts and runs on at the real pace. For tests and benchmarks whose feeds are
 * dated around a fixed day, so that what they store (which feeds are due, which items a story's window
 * reaches) does not drift with the calendar; not for production use (fetch times would be false).
 */
export function commandClock(env: NodeJS.ProcessEnv): () => number {
  const text = env.MOMENTSCAN_NOW;
  if (text === undefined || text.trim() === '') return () => Date.now();
  const start = parseIsoTime(text);
  if (start === null) {
    throw new UsageError(`$MOMENTSCAN_NOW: cannot read "${stripControl(text).slice(0, 60)}" as a time`, {
      hint: 'give an ISO-8601 time such as 2026-11-20T12:00:00Z, or unset it to use the real clock',
    });
  }
  // (process.uptime, not performance.now: the global `performance` loads perf_hooks, ~3 ms of a start)
  const t0 = process.uptime();
  return () => start + Math.round((process.uptime() - t0) * 1000);
}

/** Exactly one of --format/--json/--ndjson/--csv; the default is the table. */
export function chooseFormat(o: OutputOptions, fallback: Format = 'table'): Format {
  const chosen: Format[] = [];
  if (o.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(o.format)) {
      throw new UsageError(`--format: unknown format "${o.format}"`, { hint: `use one of ${FORMATS.join(', ')}` });
    }
    chosen.push(o.format as Format);
  }
  if (o.json) chosen.push('json');
  if (o.ndjson) chosen.push('ndjson');
  if (o.csv) chosen.push('csv');
  if (new Set(chosen).size > 1) throw new UsageError(`choose one output format, not ${chosen.join(' and ')}`);
  return chosen[0] ?? fallback;
}

/**
 * Writes data to stdout; resolves when flushed so the exit code can be set afterwards. Resolves too when
 * the reader has gone (`| head`); rejects with an OutputError when stdout failed otherwise (a full disk),
 * so that the command does not go on as if its output had been written.
 */
export function writeOut(text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => settled(err, resolve, reject));
  });
}

function settled(err: Error | null | undefined, resolve: () => void, reject: (err: Error) => void): void {
  const fault = err ? outputFault(err, process.stdout) : undefined;
  if (fault) reject(fault);
  else resolve();
}

/** Bytes gathered before a write to stdout. */
const BLOCK = 1 << 16;

/**
 * Writes data to stdout as it is made, in blocks of 64 KiB: `put` encodes a piece of text into the block
 * (a write per row costs more than the row; and joined strings of rows, half of them not Latin-1, cost
 * more to flatten and encode than to make: a second per 100,000 items); `ready`, once in a while,
 * waits while the pipe is full and says false once stdout is gone (`| head` closed it: EPIPE), when
 * the caller stops making output; `end` writes the rest and resolves when it is flushed.
 */
export function blockWriter(): { put(text: string): void; ready(): Promise<boolean>; end(text?: string): Promise<void> } {
  const out = process.stdout;
  let block = Buffer.allocUnsafe(BLOCK);
  let used = 0;
  let full = false;
  let gone = false;
  const stop = () => {
    gone = true;
  };
  out.once('error', stop);
  out.once('close', stop);
  const send = (data: Buffer | string) => {
    if (!gone && !out.write(data)) full = true;
  };
  const flush = () => {
    if (used === 0) return;
    // the stream may hold on to what it is given until it is written: a new block for what comes next
    send(block.subarray(0, used));
    block = Buffer.allocUnsafe(BLOCK);
    used = 0;
  };
  const put = (text: string) => {
    // a UTF-16 unit takes at most 3 bytes in UTF-8
    if (used + text.length * 3 > BLOCK) {
      flush();
      if (text.length * 3 > BLOCK) return send(text);
    }
    used += block.write(text, used);
  };
  return {
    put,
    async ready() {
      if (full && !gone) {
        await new Promise<void>((resolve) => {
          const done = () => {
            out.off('drain', done);
            out.off('error', done);
            out.off('close', done);
            resolve();
          };
          out.once('drain', done);
          out.once('error', done);
          out.once('close', done);
        });
        full = false;
      }
      return !gone;
    },
    async end(text = '') {
      put(text);
      const last = block.subarray(0, used);
      used = 0;
      // resolves when flushed, so the exit code is set after the output
      if (!gone && last.length > 0) await new Promise<void>((resolve, reject) => out.write(last, (err) => settled(err, resolve, reject)));
      out.off('error', stop);
      out.off('close', stop);
    },
  };
}

/**
 * Whether a progress line is drawn on stderr, over itself (`\r`, `ESC[K`): on a terminal that can do it,
 * not with --quiet. Not under TERM=dumb (Emacs' shell, an editor's output pane), which shows those codes
 * as they are: a screen of `^[[K` and `^M`.
 */
export function showsProgress(env: Env, quiet: boolean | undefined): boolean {
  return env.stderrIsTTY && env.env.TERM !== 'dumb' && !quiet;
}

/** Writes a log line to stderr (never data). */
export function log(line: string): void {
  // log lines quote feed titles, topic names and server replies: strip what could drive the terminal
  process.stderr.write(`${stripControl(line)}\n`);
}
