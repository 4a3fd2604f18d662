import os from 'node:os';
import path from 'node:path';

/** Where the config is looked for: flag > $MOMENTSCAN_CONFIG > $XDG_CONFIG_HOME/momentscan/config.yaml. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  if (flag) return { path: path.resolve(flag), explicit: true };
  if (env.MOMENTSCAN_CONFIG) return { path: path.resolve(env.MOMENTSCAN_CONFIG), explicit: true };
  return { path: path.join(xdgDir(env, 'XDG_CONFIG_HOME', '.config'), 'momentscan', 'config.yaml'), explicit: false };
}

/** Where the database lives: flag > $MOMENTSCAN_DB > config `database:` > $XDG_DATA_HOME/momentscan/momentscan.db. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv, fromConfig: string | null): string {
  if (flag) return path.resolve(flag);
  if (env.MOMENTSCAN_DB) return path.resolve(env.MOMENTSCAN_DB);
  if (fromConfig) return fromConfig;
  return path.join(xdgDir(env, 'XDG_DATA_HOME', path.join('.local', 'share')), 'momentscan', 'momentscan.db');
}

function xdgDir(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const v = env[name];
  // The XDG spec says relative values are invalid and must be ignored.
  if (v && path.isAbsolute(v)) return v;
  return path.join(env.HOME || os.homedir(), fallback);
}
