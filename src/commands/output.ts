/**
 * How a command's output is rendered: the render context (colour decided once, chalk loaded only when it
 * is on) and the note beside a big table. No config: `detect` and `sentiment` take this and env.ts only.
 */
import { MomentscanError, UsageError } from '../core/errors.js';
import { decideColor } from '../render/color.js';
import type { Format, RenderContext } from '../render/types.js';
import { BIG_TABLE_ROWS, MIN_TABLE_WIDTH } from '../render/table.js';
import { log, type Env, type GlobalOptions, type OutputOptions } from './env.js';

/**
 * The render context of a command's output in `format` (a table on a terminal narrower than tables are
 * made for is said to be so on stderr, once: it is drawn 80 columns wide, and every line of it wraps).
 * `timeZone`: the team's (config.defaults.timeZone, with --tz), for the tables' times; machine formats stay UTC.
 */
export async function renderContext(g: GlobalOptions, o: OutputOptions, env: Env, now: number, format: Format, timeZone = 'UTC'): Promise<RenderContext> {
  if (format === 'table') noteNarrowTerminal(env, g.quiet);
  const { enabled, chalk } = await decideColor({ flag: g.color === false ? false : undefined, env: env.env, isTTY: env.stdoutIsTTY });
  const fields = o.fields === undefined ? null : fieldList(o.fields);
  return { chalk, color: enabled, width: env.columns, tty: env.stdoutIsTTY, verbose: Boolean(o.verbose), now, fields, headers: o.headers !== false, timeZone };
}

function noteNarrowTerminal(env: Env, quiet = false): void {
  if (env.stdoutIsTTY && env.columns < MIN_TABLE_WIDTH && !quiet) {
    log(`momentscan: note: this terminal is ${env.columns} columns wide; tables need ${MIN_TABLE_WIDTH} (their lines wrap) — widen it, or use --json, --csv or --format markdown`);
  }
}

/**
 * --fields' names: at least one, each once ('--fields ""' printed every field, as if it were not given, and
 * '--fields topic,topic' a CSV header naming a column twice, which readers such as pandas rename).
 */
function fieldList(text: string): string[] {
  const names = text.split(',').map((f) => f.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--fields ${JSON.stringify(text)} names no field`, { hint: 'give the fields to print, comma-separated (--fields topic,score), or leave --fields out for all of them' });
  const twice = names.find((f, i) => names.indexOf(f) !== i);
  if (twice !== undefined) throw new UsageError(`--fields: "${twice}" is named twice`, { hint: 'name each field once' });
  return names;
}

/** A table of many rows is slow to read on a terminal: says so on stderr, with the formats made for it. */
export function noteBigTable(format: string, rows: number, quiet = false): void {
  if (format === 'table' && rows > BIG_TABLE_ROWS && !quiet) {
    log(`momentscan: note: ${rows.toLocaleString('en-US')} rows as a table; --csv, --ndjson or --json suit this many (for a spreadsheet, a pager or a script)`);
  }
}

/**
 * A streaming command's input that turned bad after rows were written (`detect`, `sentiment`): the rows
 * before it went out as a complete document (JSON's array closed), so the error says how many there are
 * and that nothing after the bad line is in the output; the exit code stays the error's. Another error, or
 * one before any row, is left as it is.
 */
export function cutShort(err: unknown, rows: number): unknown {
  if (!(err instanceof MomentscanError) || rows === 0) return err;
  const what = rows === 1 ? 'the 1 row' : `the ${rows.toLocaleString('en-US')} rows`;
  return new MomentscanError(`${err.message} (the output holds ${what} before it, well-formed, and none after)`, {
    exitCode: err.exitCode,
    cause: err,
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
  });
}
