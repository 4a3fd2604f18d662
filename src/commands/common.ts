/**
 * What every command gathers: the global and output options, the process's environment and clock
 * (env.ts), and the config. Without the renderers' colour: `fetch`, whose cron runs print nothing on stdout,
 * loads only this; commands that render take `renderContext` from context.ts, which has all of this too.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { resolveConfigPath, resolveDbPath } from '../core/paths.js';
import type { Env, GlobalOptions } from './env.js';

export { blockWriter, chooseFormat, commandClock, log, processEnv, showsProgress, writeOut, type Env, type GlobalOptions, type OutputOptions } from './env.js';

export function configFor(g: GlobalOptions, env: Env): { config: Config; configPath: string; dbPath: string } {
  const { path: configPath, explicit } = resolveConfigPath(g.config, env.env);
  const config = loadConfig(configPath, explicit);
  const dbPath = resolveDbPath(g.db, env.env, config.database);
  return { config, configPath, dbPath };
}
