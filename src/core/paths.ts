import { mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the config is looked for: flag > $MOMENTSCAN_CONFIG > $XDG_CONFIG_HOME/momentscan/config.yaml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  if (flag) return { path: path.resolve(flag), explicit: true };
  if (env.MOMENTSCAN_CONFIG) return { path: path.resolve(env.MOMENTSCAN_CONFIG), explicit: true };
  return { path: path.join(xdgDir(env, 'XDG_CONFIG_HOME', '.config'), 'momentscan', 'config.yaml'), explicit: false };
}

/** Whether a --db / MOMENTSCAN_DB / database: value names a PostgreSQL database (a URL) rather than a file. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s.trim());
}

/**
 * Where the database lives: flag > $MOMENTSCAN_DB > config `database:` > $XDG_DATA_HOME/momentscan/momentscan.db.
 * A file path (made absolute), or a postgres:// URL as given.
 */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv, fromConfig: string | null): string {
  const where = (s: string) => (isPostgresUrl(s) ? s.trim() : path.resolve(s));
  if (flag) return where(flag);
  if (env.MOMENTSCAN_DB) return where(env.MOMENTSCAN_DB);
  if (fromConfig) return fromConfig;
  return path.join(xdgDir(env, 'XDG_DATA_HOME', path.join('.local', 'share')), 'momentscan', 'momentscan.db');
}

function xdgDir(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = env[name];
  // The XDG spec says relative values are invalid and must be ignored.
  if (v && path.isAbsolute(v)) return v;
  return path.join(env.HOME || os.homedir(), fallback);
}

/**
 * `mkdir -p`: the folder and any missing parents (each with `mode` when given). Node's own
 * `mkdirSync(dir, { recursive: true })` never returns for a folder under /proc (the kernel answers
 * ENOENT for ever, and it tries again for ever): `--db /proc/x/m.db` spun a core until killed. Here each
 * level is made once, and the error of the first that cannot be made is thrown (EEXIST: a file is there;
 * ENOTDIR: a part of the path is a file).
 */
export function makeDirs(dir: string, mode?: number): void {
  const opts = mode === undefined ? {} : { mode };
  try {
    mkdirSync(dir, opts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    makeDirs(parent, mode);
    mkdirSync(dir, opts);
  }
}
