import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { outputFault } from './core/errors.js';

/**
 * `momentscan --help` without loading commander or the CLI. The build (src/build-help.mjs) asks
 * commander for the help of every command, as it prints it off a terminal (80 columns, no colour), and
 * writes it to dist/help.json; bin/momentscan answers a plain help request from that file when stdout
 * is not a terminal (in a terminal commander wraps the text to its width, so the CLI answers).
 * Commander and the CLI's modules are most of what `--help` cost: about 45 ms of CPU of ~180.
 * (oclif's manifest caches its commands' help the same way.)
 *
 * The file records what shaped the text (the compiled CLI's sizes, commander's version): after a `tsc`
 * alone (a source newer than the file), or with another commander, the CLI answers as before.
 */

const DIST = new URL('./', import.meta.url);
const FILE = new URL('help.json', DIST);
/** The compiled files whose code decides the help text (cli.ts and the constants it prints). */
const SOURCES = ['cli.js', 'core/errors.js', 'render/types.js'];

interface HelpFile {
  /** the sources' sizes and commander's version when it was written (made()) */
  made: string;
  /** command path joined by spaces ('' for momentscan itself) → the help text */
  help: Record<string, string>;
}

/**
 * The command path of a plain help request — `[cmd …] --help`, `[cmd …] -h` or `help [cmd …]`, with
 * nothing else — or undefined for anything else (options, arguments, an empty command line).
 */
export function helpPath(args: readonly string[]): string[] | undefined {
  let names: readonly string[];
  if (args[0] === 'help') names = args.slice(1);
  else if (args.length > 0 && (args[args.length - 1] === '--help' || args[args.length - 1] === '-h')) names = args.slice(0, -1);
  else return undefined;
  return names.every((n) => /^[a-z][a-z-]*$/.test(n)) ? [...names] : undefined;
}

/**
 * What the help was made from: the sources' sizes and commander's version, and when the newest source
 * was written. Sizes, not contents: hashing them cost more than the rest of the fast path.
 */
function made(): { stamp: string; newest: number } | undefined {
  const stats = SOURCES.map((f) => statSync(new URL(f, DIST)));
  const commander = commanderVersion();
  if (commander === undefined) return undefined;
  return { stamp: `${stats.map((s) => s.size).join(' ')} commander ${commander}`, newest: Math.max(...stats.map((s) => s.mtimeMs)) };
}

/** Commander's version, from its package.json: in our node_modules, or beside us when installed as a dependency. */
function commanderVersion(): string | undefined {
  for (const rel of ['../node_modules/commander/package.json', '../../commander/package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, DIST), 'utf8')) as { version?: string }).version;
    } catch {
      // not there: the other layout
    }
  }
  return undefined;
}

/**
 * The help text for these arguments (process.argv without node and the script) when the cache can
 * answer them exactly as the CLI would: a plain help request, stdout not a terminal, the file there and
 * current. Undefined otherwise — never an error: the CLI then answers.
 */
export function cachedHelp(args: readonly string[]): string | undefined {
  const names = helpPath(args);
  if (names === undefined || isatty(1)) return undefined;
  try {
    const file = JSON.parse(readFileSync(FILE, 'utf8')) as HelpFile;
    const text = file.help[names.join(' ')];
    const now = made();
    // a source written after the file (a `tsc` alone, a build under way) or changed in size: not ours
    if (text === undefined || now === undefined || now.stamp !== file.made || now.newest > statSync(FILE).mtimeMs) return undefined;
    return text;
  } catch {
    return undefined;
  }
}

/**
 * Prints a cached help text as the CLI would: `| head` closing the pipe ends quietly, another fault (a
 * full disk) is one line and exit 1 (cli.ts main).
 */
export function printHelp(text: string): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    const fault = outputFault(err, process.stdout);
    if (fault === undefined) return;
    process.stderr.write(`momentscan: error: ${fault.message} — ${fault.hint}\n`);
    process.exitCode = 1;
  });
  process.stdout.write(text);
}

/** Writes dist/help.json (the build's last step): `help` maps each command path to its help text. */
export function writeHelpCache(help: Record<string, string>): void {
  const now = made();
  if (now === undefined) throw new Error('commander not found beside dist/: no help cache written');
  const file: HelpFile = { made: now.stamp, help };
  writeFileSync(FILE, `${JSON.stringify(file)}\n`);
}
