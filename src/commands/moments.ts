import type { Config } from '../config/schema.js';
import { ExitCode } from '../core/errors.js';
import { render } from '../render/index.js';
import { backtestLabelLines, backtestSummary, momentsListing, readinessNotes } from '../render/moments.js';
import { replayLabels } from '../moments/replay.js';
import { openStore } from '../store/store.js';
import { checkWindow, chooseFormat, configFor, log, processEnv, renderContext, writeOut, type Env, type GlobalOptions, type OutputOptions } from './context.js';
import { evaluate } from '../moments/evaluate.js';
import { notFetchedSince } from '../moments/coverage.js';
import { fmtIn, hoursBetween } from '../core/time.js';
import { asOfFlag, limitFlag, sensitivityFlag, needTopics, sinceFlag, topicsFlag } from './flags.js';

/**
 * A report reads much and writes little: the counts of every topic, then for each moment its items and
 * the titles of its baseline, rows spread over the whole items table. Read through a memory map
 * (SQLite's mmap_size; SQLite keeps it within its own limit, 2 GiB in better-sqlite3's build) instead of a
 * read() and a copy into the page cache per page: a 75-day backtest over a million items explained its
 * 63 moments' 45,000 baseline titles in 150 instead of 480 ms of CPU. Writes still go through SQLite's
 * journal as before; the mapped pages are the OS's file cache (they count in the RSS as file pages).
 */
const MAP_READS_BYTES = 2 ** 31;

export interface MomentsOptions extends OutputOptions {
  topic?: string[];
  since?: string;
  limit?: string;
  asOf?: string;
  sensitivity?: string;
  failOnMoments?: boolean;
  backtest?: boolean;
  alerts?: boolean;
  accounts?: boolean;
}

/** `momentscan moments`: detect, explain and rank moments from what is stored. */
export async function run(g: GlobalOptions, o: MomentsOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  return report(config, dbPath, g, o, env);
}

/** The options of `moments` (and `scan`) read and checked: `scan` calls this before it fetches, so a bad option costs no fetch. */
export function readReportOptions(config: Config, o: MomentsOptions, env: Env) {
  const format = chooseFormat(o);
  const asOf = asOfFlag(o.asOf, env.now(), config.defaults.timeZone);
  const since = o.since ?? '7d';
  const from = sinceFlag(since, asOf, config.defaults.timeZone);
  const limit = limitFlag(o.limit);
  const sensitivity = sensitivityFlag(o.sensitivity);
  needTopics(config);
  const topics = topicsFlag(config, o.topic);
  checkWindow(config, { since, from, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(topics.length ? { topics } : {}) });
  return { format, asOf, from, limit, sensitivity, topics };
}

/** Shared by `moments` and `scan`: evaluate and print. */
export async function report(config: Config, dbPath: string, g: GlobalOptions, o: MomentsOptions, env: Env): Promise<number> {
  const { format, asOf, from, limit, sensitivity, topics } = readReportOptions(config, o, env);
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  store.mapReads?.(MAP_READS_BYTES);
  if (store.readonly && !g.quiet) log('moments: the database is read-only for this user: moments are reported, not recorded');
  let result;
  let stale: number | null = null;
  // moments recorded new by this run stay recorded only once they are shown: open until the output is written
  let held = false;
  try {
    // no feed read for hours before the evaluation time (a stopped cron, a laptop closed): said, so that an
    // empty or old-looking report is not taken for a quiet one (not in a backtest: it judges the past)
    if (!o.backtest) stale = notFetchedSince(config, store, asOf);
    result = evaluate(config, store, {
      asOf,
      from,
      ...(topics.length ? { topics } : {}),
      ...(sensitivity ? { sensitivity } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(o.backtest ? { backtest: true } : {}),
      ...(o.alerts ? { alerts: true } : {}),
      now: env.now(),
      ...(o.accounts ? { accounts: true } : {}),
      warn: (line) => log(`momentscan: warning: ${line}`),
    });
    held = result.recorded.length > 0;
  } finally {
    if (!held) store.close();
  }
  const rows = result.rows;
  if (stale !== null) {
    log(`momentscan: warning: no feed was read after ${fmtIn(stale, config.defaults.timeZone)} (${hoursBetween(stale, asOf)} before ${o.asOf !== undefined ? 'the --as-of time' : 'now'}): what was published since is not judged — run \`momentscan fetch\` (\`momentscan feeds list\` shows how the feeds fare)`);
  }
  try {
    const ctx = await renderContext(g, o, env, asOf, format, config.defaults.timeZone);
    await writeOut(render(format, momentsListing(rows, result), ctx));
  } catch (err) {
    // not shown (a full disk, stdout closed: OutputError): not seen either, so that the next run reports
    // them as new — with --alerts, a moment whose alert came late was reported by the first run to see it
    // and then never again
    if (held) store.forgetMoments(result.recorded);
    throw err;
  } finally {
    if (held) store.close();
  }
  // beside machine output, what could not be judged goes to stderr (the table says it itself)
  if (format !== 'table') {
    for (const n of readinessNotes(result, config.defaults.timeZone)) {
      if (n.level === 'warning') log(`momentscan: warning: ${n.text}`);
      else if (!g.quiet) log(`moments: ${n.text}`);
    }
  }
  if (o.backtest && !g.quiet) {
    const names = topics.length ? topics : config.topics.map((t) => t.name);
    // --limit cuts the list, not the replay: its counts speak of every moment that would have fired
    for (const line of backtestSummary(result.found, names, from, asOf, config.defaults.timeZone)) log(line);
    for (const line of backtestLabelLines(replayLabels(result.found, result.labels, names, from, asOf))) log(line);
  }
  return o.failOnMoments && rows.length > 0 ? ExitCode.MOMENTS_FOUND : ExitCode.OK;
}
