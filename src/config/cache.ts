/**
 * A large config's YAML, read once: parsing 100 KB of YAML (2,000 feeds) takes a third of a second on a
 * small machine — most of a cron run where no feed is due — while reading back what it parsed to, as
 * JSON, takes a millisecond. So the parsed form of a config of CACHE_MIN_BYTES or more is kept in the
 * user's cache folder, one file per config path, and used while the config's text and the YAML reader are
 * the same: the entry holds the text it was parsed from, compared whole (exact, and without node:crypto,
 * whose loading was ~8 ms of such a run: a SHA-256 of the text was the check before). It is only a
 * shortcut: the parsed form is validated as if just read, and a missing, stale, unreadable or damaged
 * entry is ignored (the YAML is parsed); failing to write one is never an error.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { makeDirs } from '../core/paths.js';

/** Configs smaller than this are parsed every time (a few milliseconds). */
export const CACHE_MIN_BYTES = 16 * 1024;

const require = createRequire(import.meta.url);

/** Where parsed configs are kept: $MOMENTSCAN_CACHE_DIR, else $XDG_CACHE_HOME/momentscan, else ~/.cache/momentscan. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MOMENTSCAN_CACHE_DIR) return env.MOMENTSCAN_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'momentscan');
}

/** The YAML reader's version: an entry is valid for the reader that parsed it. */
function readerVersion(): string {
  return (require('yaml/package.json') as { version: string }).version;
}

/**
 * The entry of the config at `file`: its absolute path as a file name (encoded); past 200 characters, a
 * SHA-256 of it instead (node:crypto loaded for those only).
 */
function entryFile(file: string): string {
  const absolute = path.resolve(file);
  const encoded = encodeURIComponent(absolute);
  const name =
    encoded.length <= 200 ? encoded : (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(absolute).digest('hex').slice(0, 32);
  return path.join(cacheDir(), 'config', `${name}.json`);
}

/** The parsed form of `text` (the config at `file`), when a valid entry holds it; else undefined. */
export function cachedConfig(file: string, text: string): unknown {
  if (text.length < CACHE_MIN_BYTES) return undefined;
  try {
    const entry = JSON.parse(readFileSync(entryFile(file), 'utf8')) as { reader?: unknown; text?: unknown; parsed?: unknown };
    return entry.text === text && entry.reader === readerVersion() ? entry.parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the parsed form of `text`, when JSON holds it exactly (YAML's .inf, .nan and -0 are not JSON:
 * such a config is parsed every time). Written whole or not at all (a temp file renamed over the entry).
 */
export function keepConfig(file: string, text: string, parsed: unknown): void {
  if (text.length < CACHE_MIN_BYTES) return;
  try {
    let exact = true;
    const json = JSON.stringify({ reader: readerVersion(), text, parsed }, function (this: Record<string, unknown>, k, v: unknown) {
      const was = this[k]; // (before toJSON: a Date would come back a string)
      if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) exact = false;
      if (typeof was === 'object' && was !== null && !Array.isArray(was) && ![Object.prototype, null].includes(Object.getPrototypeOf(was))) exact = false;
      return v;
    });
    if (!exact) return;
    const target = entryFile(file);
    makeDirs(path.dirname(target), 0o700);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, json, { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    // a read-only home, a full disk: the next run parses the YAML again
  }
}
