import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ExitCode, InterruptedError, MomentscanError, UsageError } from '../core/errors.js';
import { feedReportLines, fetchListing, fetchSummaryLine } from '../render/fetch.js';
import type { FetchSummary } from '../ingest/types.js';
import { render } from '../render/index.js';
import { isPostgresUrl, openStore } from '../store/store.js';
import { chooseFormat, configFor, log, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from './context.js';
import { configuredFeeds } from '../ingest/due.js';
import { ingest } from '../ingest/run.js';
import type { Config } from '../config/schema.js';

export interface FetchOptions extends OutputOptions {
  concurrency?: number;
  strict?: boolean;
  force?: boolean;
  worker?: boolean;
}

/**
 * How long a worker's claim on a feed (or a host's request slot) lasts: longer than any one fetch can take
 * (each try bounded by fetch.timeout, with retries and their waits), so that only a dead worker's expires.
 */
export function workerLeaseMs(config: Config): number {
  return Math.max(5 * 60_000, (config.fetch.retries + 1) * (config.fetch.timeoutMs + 30_000) * 2);
}

/** `momentscan fetch`: fetch every configured feed into the database. */
export async function run(g: GlobalOptions, o: FetchOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const format = o.format || o.json || o.ndjson || o.csv ? chooseFormat(o) : null;
  const summary = await fetchWithSignals(config, dbPath, g, o);
  if (format) await writeOut(render(format, fetchListing(summary.feeds), renderContext(g, o, env, env.now())));
  return fetchExitCode(summary, Boolean(o.strict));
}

/**
 * Exit code after a fetch: 3 when every feed fetched failed (nothing came in: cron must hear of it), or
 * with --strict when any failed; else 0 (an interruption throws, exit 130).
 */
export function fetchExitCode(summary: FetchSummary, strict: boolean): number {
  if (allFailed(summary) || (strict && summary.feeds.some((f) => f.status === 'failed'))) return ExitCode.FEEDS_FAILED;
  return ExitCode.OK;
}

/** Every feed this run tried failed (skipped feeds were not tried). */
function allFailed(summary: FetchSummary): boolean {
  const tried = summary.feeds.filter((f) => f.status !== 'skipped');
  return tried.length > 0 && tried.every((f) => f.status === 'failed');
}

/**
 * Opens the store, fetches with Ctrl-C handling (first Ctrl-C: stop starting feeds, abort those in
 * flight, keep what was saved; second: leave at once), reports on stderr, closes the store.
 */
export async function fetchWithSignals(
  config: Config,
  dbPath: string,
  g: GlobalOptions,
  o: { concurrency?: number; force?: boolean; worker?: boolean },
): Promise<FetchSummary> {
  if (configuredFeeds(config).length === 0) {
    // nothing to fetch is a fetch that fetched nothing: exit 3, as when every feed failed (cron notices)
    throw new MomentscanError(`${config.file ?? 'config'}: no feeds configured`, {
      hint: config.file ? 'add feeds to a topic or to the feeds list' : 'create a config with momentscan init, or pass --config',
      exitCode: ExitCode.FEEDS_FAILED,
    });
  }
  const env = processEnv();
  if (o.worker && !isPostgresUrl(dbPath)) {
    throw new UsageError('--worker: workers share one PostgreSQL database: point --db at one (postgres://…)', {
      hint: 'one fetch at a time is all a SQLite file takes: run momentscan fetch without --worker',
    });
  }
  const store = openStore(dbPath);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      log('momentscan: interrupted: stopping; feeds already fetched are saved (Ctrl-C again to quit now)');
      controller.abort();
    } else {
      store.close();
      // a second Ctrl-C quits at once; nothing has been written to stdout yet (results are rendered after the fetch)
      process.exit(ExitCode.INTERRUPTED);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = env.stderrIsTTY && !g.quiet;
  try {
    const summary = await ingest(config, store, {
      now: env.now,
      signal: controller.signal,
      force: Boolean(o.force),
      ...(o.worker ? { worker: { owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, leaseMs: workerLeaseMs(config) } } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(progress ? { onProgress: (done: number, total: number) => process.stderr.write(`\rfetching feeds: ${done}/${total}`) } : {}),
    });
    if (progress) process.stderr.write('\r\x1b[K');
    for (const line of feedReportLines(summary)) {
      if (line.level === 'warning' || !g.quiet) log(`momentscan: ${line.level}: ${line.text}`);
    }
    if (!g.quiet || summary.interrupted) log(fetchSummaryLine(summary));
    else if (allFailed(summary)) log(`momentscan: warning: every feed failed (${summary.feeds.filter((f) => f.status === 'failed').length}); nothing was fetched`);
    if (summary.interrupted) {
      const saved = summary.feeds.length;
      throw new InterruptedError(`interrupted: ${saved} feed${saved === 1 ? '' : 's'} saved, the rest not fetched`, {
        hint: 'run momentscan fetch again to fetch the rest',
      });
    }
    return summary;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    store.close();
  }
}
