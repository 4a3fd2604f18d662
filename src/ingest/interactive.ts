/**
 * A fetch run as a person or cron starts it: the store opened and closed around the ingest stage, Ctrl-C
 * handled (the first stops starting feeds and aborts those in flight, keeping what was saved: the summary
 * says `interrupted`; the second leaves at once), progress on stderr; and the exit code it makes.
 */
import type { Config } from '../config/schema.js';
import { ExitCode, MomentscanError, UsageError } from '../core/errors.js';
import { isPostgresUrl, openStore } from '../store/store.js';
import { configuredFeeds } from './due.js';
import { ingest } from './run.js';
import type { FetchSummary } from './types.js';

export interface InteractiveFetch {
  concurrency?: number;
  force?: boolean;
  /** One of several fetch workers sharing a PostgreSQL store: due feeds are claimed with leases. */
  worker?: boolean;
  /** Show `fetching feeds: n/m` on stderr (a terminal). */
  progress?: boolean;
  /** --quiet: nothing on stderr but warnings and errors (a cron job's run that went well mails nothing). */
  quiet?: boolean;
  now: () => number;
  /** One line to stderr. */
  log: (line: string) => void;
}

/**
 * How long a worker's claim on a feed lasts: longer than any one fetch can take
 * (each try bounded by fetch.timeout, with retries and their waits), so that only a dead worker's expires.
 */
export function workerLeaseMs(config: Config): number {
  return Math.max(5 * 60_000, (config.fetch.retries + 1) * (config.fetch.timeoutMs + 30_000) * 2);
}

/**
 * How long a worker holds one of a host's request slots: one request (one try, bounded by fetch.timeout)
 * and a margin, so that a worker that dies mid-request blocks the host for about a request's timeout.
 */
export function workerSlotLeaseMs(config: Config): number {
  return config.fetch.timeoutMs + Math.max(5_000, config.fetch.timeoutMs / 4);
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
export function allFailed(summary: FetchSummary): boolean {
  const tried = summary.feeds.filter((f) => f.status !== 'skipped');
  return tried.length > 0 && tried.every((f) => f.status === 'failed');
}

/**
 * New items from which a story replay is announced off a terminal: it takes seconds then (80,000 items,
 * 18 s here; 10,000 about 2 s), long enough for a SIGTERM from cron or a Ctrl-C at a pipe to land in it.
 */
const REPLAY_NOTE_ITEMS = 10_000;

export async function fetchWithSignals(config: Config, dbPath: string, o: InteractiveFetch): Promise<FetchSummary> {
  const { log } = o;
  if (configuredFeeds(config).length === 0) {
    // nothing to fetch is a fetch that fetched nothing: exit 3, as when every feed failed (cron notices)
    throw new MomentscanError(`${config.file ?? 'config'}: no feeds configured`, {
      hint: config.file ? 'add feeds to a topic or to the feeds list' : 'create a config with momentscan init, or pass --config',
      exitCode: ExitCode.FEEDS_FAILED,
    });
  }
  if (o.worker && !isPostgresUrl(dbPath)) {
    throw new UsageError('--worker: workers share one PostgreSQL database: point --db at one (postgres://…)', {
      hint: 'one fetch at a time is all a SQLite file takes: run momentscan fetch without --worker',
    });
  }
  // (node:crypto and node:os only for a worker: loading crypto is ~8 ms of a start)
  const owner = o.worker ? await workerOwner() : null;
  const store = await openStore(dbPath);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      // the line says it on a line of its own, not after 'fetching feeds: 3/7^C'
      if (o.progress) process.stderr.write('\r\x1b[K');
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
  try {
    const summary = await ingest(config, store, {
      now: o.now,
      signal: controller.signal,
      force: Boolean(o.force),
      ...(owner !== null ? { worker: { owner, leaseMs: workerLeaseMs(config), slotLeaseMs: workerSlotLeaseMs(config) } } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(o.progress ? { onProgress: (done: number, total: number) => progressLine(`fetching feeds: ${done}/${total}`) } : {}),
      onReplay: (starting: boolean, items: number) => {
        // The story replay (seconds for a big fetch) is heard between its batches, on SQLite and PostgreSQL
        // alike: a first signal is said ('interrupted: stopping…') and rolls the replay back, the feeds saved
        // stay saved, and the next fetch replays them (exit 130), as a signal just before it. (On PostgreSQL
        // the signal ended the process at once and without a word: its replay was one transaction the thread
        // waited on, where no handler could run.)
        if (starting) {
          if (o.progress) progressLine('putting the new items into stories (Ctrl-C stops it: the next fetch does it)');
          // a replay of many items is announced first, in one line off a terminal (not with --quiet: a cron
          // job's run that goes well must write nothing, or cron mails it; a signal in it is said all the same)
          else if (items >= REPLAY_NOTE_ITEMS && !o.quiet) {
            log(`momentscan: putting ${items.toLocaleString('en-US')} new items into stories: a signal now (Ctrl-C, SIGTERM) stops the fetch, the feeds stay saved and the next fetch does this again`);
          }
        }
      },
    });
    if (o.progress) process.stderr.write('\r\x1b[K');
    return summary;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    store.close();
  }
}

/**
 * A progress line on the terminal (stderr), over the one before: cut to the terminal's width, as a line
 * that wraps leaves its first part on the screen when the next one overwrites it (\r goes back to the
 * start of the last screen line only).
 */
function progressLine(text: string): void {
  const width = (process.stderr.columns || 80) - 1;
  process.stderr.write(`\r\x1b[K${text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text}`);
}

/** A fetch worker's name in the leases it takes: host, process and a random part. */
async function workerOwner(): Promise<string> {
  const [{ randomBytes }, { hostname }] = await Promise.all([import('node:crypto'), import('node:os')]);
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
