import type { Config } from '../config/schema.js';
import { InterruptedError } from '../core/errors.js';
import { allFailed, fetchExitCode, fetchWithSignals } from '../ingest/interactive.js';
import type { FetchSummary } from '../ingest/types.js';
import { feedReportLines, fetchListing, fetchSummaryLine } from '../render/fetch.js';
// (not context.js: a plain fetch renders nothing; output.js only with --format)
import { chooseFormat, configFor, log, processEnv, showsProgress, writeOut, type Env, type GlobalOptions, type OutputOptions } from './common.js';

export interface FetchOptions extends OutputOptions {
  concurrency?: number;
  strict?: boolean;
  force?: boolean;
  /** One of several workers sharing a PostgreSQL store (see ingest/interactive.ts). */
  worker?: boolean;
}

/**
 * `momentscan fetch`: fetch every due feed into the database, reporting on stderr; with an output flag,
 * each feed's result on stdout too. Exit 3 when every feed failed (or any, with --strict).
 */
export async function run(g: GlobalOptions, o: FetchOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const format = o.format || o.json || o.ndjson || o.csv ? chooseFormat(o) : null;
  const summary = await fetchFeeds(config, dbPath, g, o, env);
  // the renderers only when asked for a listing: a plain fetch (cron's) does without loading them
  if (format) {
    const [{ render }, { renderContext }] = await Promise.all([import('../render/index.js'), import('./output.js')]);
    await writeOut(render(format, fetchListing(summary.feeds), await renderContext(g, o, env, env.now(), format, config.defaults.timeZone)));
  }
  return fetchExitCode(summary, Boolean(o.strict));
}

/**
 * The fetch as `fetch` and `scan` run it: progress on a terminal, each feed's problems and the summary on
 * stderr (with --quiet only warnings), Ctrl-C handled: what was saved is reported, then exit 130.
 */
export async function fetchFeeds(config: Config, dbPath: string, g: GlobalOptions, o: { concurrency?: number; force?: boolean; worker?: boolean }, env: Env): Promise<FetchSummary> {
  const summary = await fetchWithSignals(config, dbPath, {
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    force: Boolean(o.force),
    worker: Boolean(o.worker),
    progress: showsProgress(env, g.quiet),
    quiet: Boolean(g.quiet),
    now: env.now,
    log,
  });
  for (const line of feedReportLines(summary, config.defaults.timeZone)) {
    if (line.level === 'warning' || !g.quiet) log(`momentscan: ${line.level}: ${line.text}`);
  }
  if (!g.quiet || summary.interrupted) log(fetchSummaryLine(summary));
  else if (allFailed(summary)) log(`momentscan: warning: every feed failed (${summary.feeds.filter((f) => f.status === 'failed').length}); nothing was fetched`);
  if (summary.interrupted) {
    const saved = summary.feeds.length;
    const left = summary.replayLeft ? ' (their new items are put into stories by the next fetch)' : '';
    // during the story replay: every feed was fetched, the replay rolled back
    if (summary.replayInterrupted) {
      throw new InterruptedError(`interrupted while putting the new items into stories: ${saved} feed${saved === 1 ? '' : 's'} saved whole; the next fetch puts their new items into stories`, {
        hint: 'run momentscan fetch again (or let the next scheduled one run)',
      });
    }
    throw new InterruptedError(`interrupted: ${saved} feed${saved === 1 ? '' : 's'} saved${left}, the rest not fetched`, { hint: 'run momentscan fetch again to fetch the rest' });
  }
  return summary;
}
