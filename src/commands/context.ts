import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { stripControl } from '../core/text.js';
import { windowProblem, type WindowRequest } from '../core/limits.js';
import { parseIsoTime } from '../core/time.js';
import { resolveConfigPath, resolveDbPath } from '../core/paths.js';
import { decideColor } from '../render/color.js';
import { FORMATS, type Format, type RenderContext } from '../render/types.js';
import { BIG_TABLE_ROWS } from '../render/table.js';

/** Options every command accepts (defined on the program). */
export interface GlobalOptions {
  config?: string;
  db?: string;
  color?: boolean;
  quiet?: boolean;
  debug?: boolean;
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
  const t0 = performance.now();
  return () => start + Math.round(performance.now() - t0);
}

export function configFor(g: GlobalOptions, env: Env): { config: Config; configPath: string; dbPath: string } {
  const { path: configPath, explicit } = resolveConfigPath(g.config, env.env);
  const config = loadConfig(configPath, explicit);
  const dbPath = resolveDbPath(g.db, env.env, config.database);
  return { config, configPath, dbPath };
}

/**
 * Refuses, as a usage error, a period that asks for more than momentscan works with (core/limits.ts): an
 * evaluation time outside 1970–9999, more than ten years, or too many buckets for a topic's bucket size.
 * Checked before the database is read, so an absurd request ends at once, in bounded memory.
 */
export function checkWindow(
  config: Config,
  r: Omit<WindowRequest, 'buckets' | 'baselineMs'> & { topics?: string[]; bucket?: { bucketMs: number | 'auto'; source: string } },
): void {
  const wanted = r.topics?.length ? new Set(r.topics.map((t) => t.toLowerCase())) : null;
  const at = (field: string) => (config.file ? `${config.file}: ${field}` : field);
  const buckets = r.bucket
    ? [r.bucket]
    : config.topics
        .map((t, i) => ({ t, i }))
        .filter(({ t }) => !wanted || wanted.has(t.name.toLowerCase()))
        .map(({ t, i }) => (t.bucketMs !== null ? { bucketMs: t.bucketMs, source: at(`topics[${i}].bucket`) } : { bucketMs: config.defaults.bucketMs, source: at('defaults.bucket') }));
  const problem = windowProblem({ ...r, baselineMs: config.defaults.baselineMs, buckets });
  if (problem) throw new UsageError(problem.message, { hint: problem.hint });
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

export function renderContext(g: GlobalOptions, o: OutputOptions, env: Env, now: number): RenderContext {
  const { enabled, chalk } = decideColor({ flag: g.color === false ? false : undefined, env: env.env, isTTY: env.stdoutIsTTY });
  const fields = o.fields ? o.fields.split(',').map((f) => f.trim()).filter(Boolean) : null;
  return { chalk, color: enabled, width: env.columns, tty: env.stdoutIsTTY, verbose: Boolean(o.verbose), now, fields, headers: o.headers !== false };
}


/** A table of many rows is slow to read on a terminal: says so on stderr, with the formats made for it. */
export function noteBigTable(format: string, rows: number, quiet = false): void {
  if (format === 'table' && rows > BIG_TABLE_ROWS && !quiet) {
    log(`momentscan: note: ${rows.toLocaleString('en-US')} rows as a table; --csv, --ndjson or --json suit this many (for a spreadsheet, a pager or a script)`);
  }
}

/** Writes data to stdout; resolves when flushed so the exit code can be set afterwards. */
export function writeOut(text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

/** Writes a log line to stderr (never data). */
export function log(line: string): void {
  // log lines quote feed titles, topic names and server replies: strip what could drive the terminal
  process.stderr.write(`${stripControl(line)}\n`);
}
