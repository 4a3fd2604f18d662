import { SENSITIVITIES, type Config, type Sensitivity } from '../config/schema.js';
import { ConfigError, ExitCode, UsageError } from '../core/errors.js';
import { iso, parseDurationMs, parseTime } from '../core/time.js';
import { render } from '../render/index.js';
import { momentsListing, readinessNotes } from '../render/moments.js';
import { Store } from '../store/store.js';
import { checkWindow, chooseFormat, configFor, log, processEnv, renderContext, writeOut, type Env, type GlobalOptions, type OutputOptions } from './context.js';
import { evaluate } from '../moments/evaluate.js';

export interface MomentsOptions extends OutputOptions {
  topic?: string[];
  since?: string;
  limit?: string;
  asOf?: string;
  sensitivity?: string;
  failOnMoments?: boolean;
  backtest?: boolean;
  alerts?: boolean;
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
  const asOf = o.asOf === undefined ? env.now() : parseTime(o.asOf, env.now(), '--as-of');
  const since = o.since ?? '7d';
  const sinceMs = parseDurationMs(since);
  const from = sinceMs !== null ? asOf - sinceMs : parseTime(since, asOf, '--since');
  if (from >= asOf) throw new UsageError(`--since ${since} is not before the evaluation time`, { hint: 'give a duration such as 7d, or an earlier time' });
  const limit = parseLimit(o.limit);
  const sensitivity = parseSensitivity(o.sensitivity);
  if (config.topics.length === 0) {
    throw new ConfigError(`${config.file ?? 'config'}: no topics configured`, {
      hint: config.file ? 'add topics to the config' : 'create a config with momentscan init, or pass --config',
    });
  }
  checkWindow(config, { since, from, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}), ...(o.topic ? { topics: o.topic } : {}) });
  return { format, asOf, from, limit, sensitivity };
}

/** Shared by `moments` and `scan`: evaluate and print. */
export async function report(config: Config, dbPath: string, g: GlobalOptions, o: MomentsOptions, env: Env): Promise<number> {
  const { format, asOf, from, limit, sensitivity } = readReportOptions(config, o, env);
  const store = Store.open(dbPath, { readonlyIfDenied: true });
  if (store.readonly && !g.quiet) log('moments: the database is read-only for this user: moments are reported, not recorded');
  let result;
  try {
    result = evaluate(config, store, {
      asOf,
      from,
      ...(o.topic ? { topics: o.topic } : {}),
      ...(sensitivity ? { sensitivity } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(o.backtest ? { backtest: true } : {}),
      ...(o.alerts ? { alerts: true } : {}),
    });
  } finally {
    store.close();
  }
  const rows = result.rows;
  const ctx = renderContext(g, o, env, asOf);
  await writeOut(render(format, momentsListing(rows, result), ctx));
  // beside machine output, what could not be judged goes to stderr (the table says it itself)
  if (format !== 'table') {
    for (const n of readinessNotes(result)) {
      if (n.level === 'warning') log(`momentscan: warning: ${n.text}`);
      else if (!g.quiet) log(`moments: ${n.text}`);
    }
  }
  if (o.backtest && !g.quiet) for (const line of backtestSummary(rows, config.topics.map((t) => t.name), from, asOf)) log(line);
  return o.failOnMoments && rows.length > 0 ? ExitCode.MOMENTS_FOUND : ExitCode.OK;
}

/** Alerts per topic per week over the replayed period: what the chosen sensitivity would have cost. */
export function backtestSummary(rows: { topic: string }[], topics: string[], from: number, to: number): string[] {
  const weeks = (to - from) / (7 * 86_400_000);
  const per = new Map(topics.map((t) => [t, 0]));
  for (const r of rows) per.set(r.topic, (per.get(r.topic) ?? 0) + 1);
  const fmt = (n: number) => (n / weeks).toFixed(n / weeks >= 10 ? 0 : 1);
  return [
    `backtest: ${iso(from)} → ${iso(to)} (${weeks.toFixed(1)} weeks): ${rows.length} alert${rows.length === 1 ? '' : 's'}, ${fmt(rows.length)} a week`,
    ...[...per].map(([t, n]) => `backtest:   ${t}: ${n} alert${n === 1 ? '' : 's'}, ${fmt(n)} a week`),
  ];
}

function parseLimit(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit: expected a whole number of at least 1, got "${v}"`);
  return n;
}

function parseSensitivity(v: string | undefined): Sensitivity | undefined {
  if (v === undefined) return undefined;
  if (!(SENSITIVITIES as readonly string[]).includes(v)) {
    throw new UsageError(`--sensitivity: expected one of ${SENSITIVITIES.join(', ')}, got "${v}"`);
  }
  return v as Sensitivity;
}
