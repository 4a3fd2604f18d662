import type { NotifyConfig } from '../../config/notify.js';
import type { Config } from '../../config/schema.js';
import { ConfigError, ExitCode } from '../../core/errors.js';
import { openStore } from '../../store/store.js';
import { fmtIn, iso } from '../../core/time.js';
import { asOfFlag, sensitivityFlag, needTopics, sinceFlag } from '../flags.js';
import { checkWindow, configFor, log, processEnv, type Env, type GlobalOptions } from '../context.js';

export interface NotifyOptions {
  since?: string;
  asOf?: string;
  sensitivity?: string;
}

/** `momentscan notify`: evaluate the alerts, put them in the outbox per route and channel, and send what is due. */
export async function run(g: GlobalOptions, o: NotifyOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  return notify(config, dbPath, g, o, env);
}

export function needNotify(config: Config): NotifyConfig {
  if (!config.notify || config.notify.channels.size === 0) {
    throw new ConfigError(`${config.file ?? 'config'}: no notify channels configured`, {
      hint: 'add a notify: section with channels and routes (see README, "momentscan notify")',
    });
  }
  return config.notify;
}

/** Shared by `notify` and `scan --notify`. */
export async function notify(config: Config, dbPath: string, g: GlobalOptions, o: NotifyOptions, env: Env): Promise<number> {
  const n = needNotify(config);
  const now = env.now();
  const asOf = asOfFlag(o.asOf, now, config.defaults.timeZone);
  const since = o.since ?? null;
  const from = since === null ? asOf - n.lookbackMs : sinceFlag(since, asOf, config.defaults.timeZone, 'give a duration such as 24h');
  const sensitivity = sensitivityFlag(o.sensitivity);
  needTopics(config, 'add topics to the config');
  checkWindow(config, { since: since ?? `${Math.round(n.lookbackMs / 60_000)}m`, from, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}) });
  // every channel's files (URLs, secrets, SMTP password) are read before anything is evaluated or sent
  const { resolveChannels, enqueueAlerts, drain, catchUpFrom, CATCH_UP_MS } = await import('../../notify/run.js');
  const { evaluate } = await import('../../moments/evaluate.js');
  const { closeHttp } = await import('../../notify/http.js');
  const channels = await resolveChannels(config, env.env);
  const store = await openStore(dbPath);
  let queued;
  let drained;
  try {
    // after a gap (the last run evaluated up to before this window), from there: alerts no run queued (see enqueueAlerts)
    const evaluatedTo = store.outbox.evaluatedTo();
    const catchFrom = catchUpFrom(from, asOf, evaluatedTo);
    if (evaluatedTo !== null && evaluatedTo < catchFrom) {
      // (on the team's clock; the command to copy keeps its ISO time)
      const at = (t: number) => fmtIn(t, config.defaults.timeZone);
      log(`momentscan: warning: notify: it last ran for ${at(evaluatedTo)}; alerts before ${at(catchFrom)} (${Math.round(CATCH_UP_MS / 86_400_000)} days back) are not looked at — see momentscan moments --since ${iso(evaluatedTo)}`);
    }
    const result = evaluate(config, store, { asOf, from: catchFrom, warn: (line) => log(`momentscan: warning: ${line}`), ...(sensitivity ? { sensitivity } : {}), now: env.now() });
    queued = enqueueAlerts(config, store, result.rows, { from, asOf, now, catchFrom });
    drained = await drain(n, store, channels, { now: env.now, timeZone: config.defaults.timeZone });
  } finally {
    store.close();
    await closeHttp();
  }
  const { drainReport } = await import('../../notify/report.js');
  const report = drainReport(n, queued, drained, config.defaults.timeZone);
  for (const line of report.warnings) log(line);
  if (!g.quiet) for (const line of report.notes) log(line);
  return report.failed > 0 ? ExitCode.FAILURE : ExitCode.OK;
}
