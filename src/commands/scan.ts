import { ExitCode } from '../core/errors.js';
import { configFor, processEnv, type GlobalOptions } from './context.js';
import { fetchExitCode, fetchWithSignals } from './fetch.js';
import { readReportOptions, report, type MomentsOptions } from './moments.js';

export interface ScanOptions extends MomentsOptions {
  concurrency?: number;
  strict?: boolean;
  force?: boolean;
}

/** `momentscan scan`: fetch every feed, then report the ranked moments. The analyst's one command. */
export async function run(g: GlobalOptions, o: ScanOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  readReportOptions(config, o, env); // a bad option is found before the fetch, not after it
  const summary = await fetchWithSignals(config, dbPath, g, o);
  const momentsCode = await report(config, dbPath, g, o, env);
  const fetchCode = fetchExitCode(summary, Boolean(o.strict));
  // A failed feed (with --strict) outranks "moments found": it is the thing to fix.
  return fetchCode !== ExitCode.OK ? fetchCode : momentsCode;
}
