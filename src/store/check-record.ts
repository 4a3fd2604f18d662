/**
 * When `momentscan status` reads every page of a large SQLite file for damage (PRAGMA quick_check: ~2 s of
 * CPU for a million-item history of 737 MB in memory, far longer from disk). A clean check is recorded in
 * the user's cache folder (the file's device, inode, size and modification time, and when it was checked);
 * status checks every page again when the file is not as recorded (anything written to it since: a fetch
 * that saved a single item changes its size or time when its log is written back), when the record is a
 * week old (damage the disk does on its own changes neither), with `status --check`, or when there is no
 * record; otherwise the open's cheaper checks stand (header and schema: db.ts; a file shorter than its header
 * says is refused by SQLite itself at the first read). Only a shortcut: a record missing, unreadable or for another file means a full check, and
 * failing to write one is never an error.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../config/cache.js';
import { makeDirs } from '../core/paths.js';

/** A recorded clean check is trusted this long at most. */
export const RECHECK_MS = 7 * 86_400_000;

/** What a file looked like: a change to any of these is a write since. */
export interface FileStamp {
  dev: number;
  ino: number;
  size: number;
  mtimeNs: string;
}

/** The file's stamp now, or null when it cannot be read (or is not there). */
export function stampOf(file: string): FileStamp | null {
  try {
    const st = statSync(file, { bigint: true });
    return { dev: Number(st.dev), ino: Number(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) };
  } catch {
    return null;
  }
}

function recordFile(file: string, env: NodeJS.ProcessEnv): string {
  const name = createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 32);
  return path.join(cacheDir(env), 'checks', `${name}.json`);
}

/** The last clean full check of `file` as it is now (same stamp, under a week old), or null: a full check is due. */
export function lastCleanCheck(file: string, stamp: FileStamp | null, now: number, env: NodeJS.ProcessEnv = process.env): number | null {
  if (stamp === null) return null;
  try {
    const r = JSON.parse(readFileSync(recordFile(file, env), 'utf8')) as { file?: unknown; stamp?: FileStamp; checkedAt?: unknown };
    const same = r.file === path.resolve(file) && r.stamp !== undefined && r.stamp.dev === stamp.dev && r.stamp.ino === stamp.ino && r.stamp.size === stamp.size && r.stamp.mtimeNs === stamp.mtimeNs;
    if (!same || typeof r.checkedAt !== 'number') return null;
    return r.checkedAt <= now && now - r.checkedAt < RECHECK_MS ? r.checkedAt : null;
  } catch {
    return null;
  }
}

/** Records a clean full check of `file` as it was when the check began (`stamp`); written whole or not at all. */
export function recordCleanCheck(file: string, stamp: FileStamp | null, now: number, env: NodeJS.ProcessEnv = process.env): void {
  if (stamp === null) return;
  try {
    const target = recordFile(file, env);
    makeDirs(path.dirname(target), 0o700);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ file: path.resolve(file), stamp, checkedAt: now }), { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    // a read-only home, a full disk: the next status checks every page again
  }
}
