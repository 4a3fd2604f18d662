/**
 * Typed errors. Every error that reaches the top-level handler is printed as one line,
 * `momentscan: error: <message> — <hint>`, and sets the process exit code it carries.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  FEEDS_FAILED: 3,
  MOMENTS_FOUND: 4,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorOptions {
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

export class MomentscanError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.FAILURE;
  }
}

/** Bad command-line usage: exit 2. */
export class UsageError extends MomentscanError {
  constructor(message: string, options: Omit<ErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.USAGE });
  }
}

/** A config file that is missing, unreadable or invalid: exit 2. The message names the file and field. */
export class ConfigError extends MomentscanError {
  constructor(message: string, options: Omit<ErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.USAGE });
  }
}

/** The database cannot be opened or used (damaged, locked, newer schema): exit 1, file left untouched. */
export class StoreError extends MomentscanError {}

/** Bad series or text input given to a command (a file or stdin): exit 2, the message names the line. */
export class InputError extends MomentscanError {
  constructor(message: string, options: Omit<ErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: ExitCode.USAGE });
  }
}

/**
 * A failure opening a command's input file (`detect FILE`, `sentiment FILE`) as one line naming it: missing, or a
 * folder; any other error as it is. `file` says what to give ("a CSV or NDJSON file"), `piped` what may be piped.
 */
export function inputFileError(err: unknown, name: string, o: { file: string; piped: string }): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new InputError(`${name}: file not found`, { hint: `check the path, or pipe ${o.piped} in with -` });
  if (code === 'EISDIR') return new InputError(`${name}: is a folder, not a file`, { hint: `give the path of ${o.file}, or pipe ${o.piped} in with -` });
  return err;
}

/**
 * One feed's problem (HTTP fault, timeout, unparsable body...). Never fatal to a run: it is
 * recorded in the fetch log and reported, and the other feeds carry on.
 */
export type FeedErrorKind =
  | 'network'
  | 'timeout'
  | 'http'
  | 'gone'
  | 'too-large'
  | 'redirect'
  | 'not-a-feed'
  | 'parse'
  | 'empty'
  | 'file'
  | 'aborted';

export class FeedError extends MomentscanError {
  readonly kind: FeedErrorKind;
  readonly status: number | undefined;
  /** The server asked to wait this long (Retry-After) before asking again. */
  readonly retryAfterMs: number | undefined;
  /** The host could not be reached at all (refused, no such name, no route, connect timeout). */
  readonly unreachable: boolean;
  /** This try was not made: the run gave up on the feed's host (not retried in this run). */
  readonly givenUp: boolean;
  constructor(
    kind: FeedErrorKind,
    message: string,
    options: ErrorOptions & { status?: number; retryAfterMs?: number; unreachable?: boolean; givenUp?: boolean } = {},
  ) {
    super(message, options);
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.unreachable = options.unreachable ?? false;
    this.givenUp = options.givenUp ?? false;
  }

  /** Worth another try in this run: timeouts, dropped connections, 429 and 5xx (not 501). */
  get transient(): boolean {
    if (this.givenUp) return false;
    if (this.kind === 'timeout') return true;
    if (this.kind === 'network') return !/^TLS error/.test(this.message);
    if (this.kind === 'http') return this.status === 429 || this.status === 408 || (this.status !== undefined && this.status >= 500 && this.status !== 501);
    return false;
  }
}

/** Ctrl-C: exit 130 after saying what was saved. */
export class InterruptedError extends MomentscanError {
  /** `signal`: the one that interrupted (exit 128 + its number, as a shell says: SIGTERM 143, SIGHUP 129; Ctrl-C 130). */
  constructor(message = 'interrupted', options: Omit<ErrorOptions, 'exitCode'> & { signal?: NodeJS.Signals | undefined } = {}) {
    const { signal, ...rest } = options;
    super(message, { ...rest, exitCode: signal ? signalExitCode(signal) : ExitCode.INTERRUPTED });
  }
}

/** The exit status of a process ended by a signal, as a shell gives it: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  const n = ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[signal];
  return n === undefined ? ExitCode.INTERRUPTED : 128 + n;
}

/** The one-line form of any thrown value. */
export function formatError(err: unknown): string {
  if (err instanceof MomentscanError) {
    return err.hint ? `${err.message} — ${err.hint}` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * stdout failed for another reason than a reader gone (EPIPE, `| head`): a full disk (`> /dev/full`, a
 * quota), a file size limit (`ulimit -f`), a device or terminal gone (EIO). What was written is
 * incomplete: cli.ts main says so once, in one line, and exits 1; a command that writes with
 * commands/env.ts writeOut stops there (a printed digest is not recorded as printed).
 */
export class OutputError extends MomentscanError {
  constructor(err: NodeJS.ErrnoException) {
    const code = err.code ?? err.message;
    const hint =
      code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full (or your quota): make room, or send the output elsewhere'
      : code === 'EFBIG' ? 'a file size limit (ulimit -f) stops it: raise it, or send the output elsewhere'
      : 'send the output where it can be written (a file, a pipe, a terminal), and run the command again';
    super(`cannot write the output to stdout (${code}): what was written is incomplete`, { hint, cause: err });
  }
}

/**
 * What a failed write to stdout means: nothing (undefined) when the reader went away (EPIPE, and the
 * writes after it), else the OutputError of the fault that broke it.
 */
export function outputFault(err: Error, stdout: { errored?: Error | null }): OutputError | undefined {
  const first = (stdout.errored ?? err) as NodeJS.ErrnoException;
  return first.code === 'EPIPE' ? undefined : new OutputError(first);
}
