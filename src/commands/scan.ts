import { ExitCode } from '../core/errors.js';
import { fetchExitCode } from '../ingest/interactive.js';
import { configFor, processEnv, type GlobalOptions } from './context.js';
import { fetchFeeds } from './fetch.js';
import { readReportOptions, report, type MomentsOptions } from './moments.js';

export interface ScanOptions extends MomentsOptions {
  concurrency?: number;
  strict?: boolean;
  force?: boolean;
  notify?: boolean;
}

/** `momentscan scan`: fetch every feed, then report the ranked moments. The analyst's one command. */
export async function run(g: GlobalOptions, o: ScanOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  readReportOptions(config, o, env); // a bad option is found before the fetch, not after it
  const notifier = o.notify ? await import('./notify/run.js') : null;
  notifier?.needNotify(config);
  const summary = await fetchFeeds(config, dbPath, g, o, env);
  const momentsCode = await report(config, dbPath, g, o, env);
  const notifyCode = notifier
    ? await notifier.notify(config, dbPath, g, { ...(o.asOf !== undefined ? { asOf: o.asOf } : {}), ...(o.sensitivity !== undefined ? { sensitivity: o.sensitivity } : {}) }, env)
    : ExitCode.OK;
  const fetchCode = fetchExitCode(summary, Boolean(o.strict));
  // A failed feed (with --strict) outranks "moments found": it is the thing to fix; a failed delivery outranks both.
  if (notifyCode !== ExitCode.OK) return notifyCode;
  return fetchCode !== ExitCode.OK ? fetchCode : momentsCode;
}
