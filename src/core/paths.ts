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
