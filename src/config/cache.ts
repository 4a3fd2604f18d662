/**
 * A large config's YAML, read once: parsing 100 KB of YAML (2,000 feeds) takes a third of a second on a
 * small machine — most of a cron run where no feed is due — while reading back what it parsed to, as
 * JSON, takes a millisecond. So the parsed form of a config of CACHE_MIN_BYTES or more is kept in the
 * user's cache folder, one file per config path, and used while the config's text (its SHA-256) and the
 * YAML reader are the same. It is only a shortcut: the parsed form is validated as if just read, and a
 * missing, stale, unreadable or damaged entry is ignored (the YAML is parsed); failing to write one is
 * never an error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** Configs smaller than this are parsed every time (a few milliseconds). */
export const CACHE_MIN_BYTES = 16 * 1024;

const require = createRequire(import.meta.url);

/** Where parsed configs are kept: $MOMENTSCAN_CACHE_DIR, else $XDG_CACHE_HOME/momentscan, else ~/.cache/momentscan. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MOMENTSCAN_CACHE_DIR) return env.MOMENTSCAN_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'momentscan');
}

/** What a cache entry is valid for: this text, read by this version of the YAML reader. */
function keyOf(text: string): string {
  const reader = (require('yaml/package.json') as { version: string }).version;
  return createHash('sha256').update(`yaml ${reader}\0`).update(text).digest('hex');
}

function entryFile(file: string): string {
  return path.join(cacheDir(), 'config', `${createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 32)}.json`);
}

/** The parsed form of `text` (the config at `file`), when a valid entry holds it; else undefined. */
export function cachedConfig(file: string, text: string): unknown {
  if (text.length < CACHE_MIN_BYTES) return undefined;
  try {
    const entry = JSON.parse(readFileSync(entryFile(file), 'utf8')) as { key?: unknown; parsed?: unknown };
    return entry.key === keyOf(text) ? entry.parsed : undefined;
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
    const json = JSON.stringify({ key: keyOf(text), parsed }, function (this: Record<string, unknown>, k, v: unknown) {
      const was = this[k]; // (before toJSON: a Date would come back a string)
      if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) exact = false;
      if (typeof was === 'object' && was !== null && !Array.isArray(was) && ![Object.prototype, null].includes(Object.getPrototypeOf(was))) exact = false;
      return v;
    });
    if (!exact) return;
    const target = entryFile(file);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, json, { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    // a read-only home, a full disk: the next run parses the YAML again
  }
}
