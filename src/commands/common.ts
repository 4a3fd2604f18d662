/**
 * What every command gathers: the global and output options, the process's environment and clock
 * (env.ts), and the config. Without the renderers' colour: `fetch`, whose cron runs print nothing on stdout,
 * loads only this; commands that render take `renderContext` from context.ts, which has all of this too.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { resolveConfigPath, resolveDbPath } from '../core/paths.js';
import { UsageError } from '../core/errors.js';
import { stripControl } from '../core/text.js';
import { canonicalZone, knownZone } from '../core/time.js';
import type { Env, GlobalOptions } from './env.js';

export { blockWriter, chooseFormat, commandClock, log, processEnv, showsProgress, writeOut, type Env, type GlobalOptions, type OutputOptions } from './env.js';

export function configFor(g: GlobalOptions, env: Env): { config: Config; configPath: string; dbPath: string } {
  const { path: configPath, explicit } = resolveConfigPath(g.config, env.env);
  const loaded = loadConfig(configPath, explicit);
  // --tz over the config's defaults.timeZone (flags > file > defaults); the TZ variable is not read: see zoneFlag
  const config = g.tz === undefined ? loaded : { ...loaded, defaults: { ...loaded.defaults, timeZone: zoneFlag(g.tz) } };
  const dbPath = resolveDbPath(g.db, env.env, config.database);
  return { config, configPath, dbPath };
}

/**
 * --tz: an IANA zone name, as Intl spells it. Not $TZ: a host's TZ differs between an analyst's laptop and
 * the cron host or container mailing the digest, and the zone is the team's (the config), so that every host
 * shows the same times and cuts the same days.
 */
export function zoneFlag(text: string): string {
  if (!knownZone(text.trim())) {
    throw new UsageError(`--tz: "${stripControl(text).slice(0, 60)}" is not a time zone`, {
      hint: 'give an IANA name such as Europe/Amsterdam, America/New_York, Asia/Tokyo or UTC (or set defaults.timeZone in the config)',
    });
  }
  return canonicalZone(text);
}
