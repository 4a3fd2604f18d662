import type { NotifyConfig } from '../config/notify.js';
import type { Config } from '../config/schema.js';
import { ConfigError, ExitCode, MomentscanError, UsageError } from '../core/errors.js';
import { render } from '../render/index.js';
import { deliveriesListing, deliveryRow, type DeliveryRow } from '../render/notify.js';
import { Store } from '../store/store.js';
import { asOfFlag, limitFlag, sensitivityFlag, sinceFlag } from './flags.js';
import { checkWindow, chooseFormat, configFor, log, processEnv, renderContext, writeOut, type Env, type GlobalOptions, type OutputOptions } from './context.js';

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
  const asOf = asOfFlag(o.asOf, now);
  const since = o.since ?? null;
  const from = since === null ? asOf - n.lookbackMs : sinceFlag(since, asOf, 'give a duration such as 24h');
  const sensitivity = sensitivityFlag(o.sensitivity);
  if (config.topics.length === 0) {
    throw new ConfigError(`${config.file ?? 'config'}: no topics configured`, { hint: 'add topics to the config' });
  }
  checkWindow(config, { since: since ?? `${Math.round(n.lookbackMs / 60_000)}m`, from, asOf, ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}) });
  // every channel's files (URLs, secrets, SMTP password) are read before anything is evaluated or sent
  const { resolveChannels, enqueueAlerts, drain } = await import('../notify/run.js');
  const { evaluate } = await import('../moments/evaluate.js');
  const { closeHttp } = await import('../notify/http.js');
  const channels = await resolveChannels(config, env.env);
  const store = Store.open(dbPath);
  let queued;
  let drained;
  try {
    const result = evaluate(config, store, { asOf, from, ...(sensitivity ? { sensitivity } : {}) });
    queued = enqueueAlerts(config, store, result.rows, { from, asOf, now });
    drained = await drain(n, store, channels, { now: env.now });
  } finally {
    store.close();
    await closeHttp();
  }
  const { drainReport } = await import('../notify/report.js');
  const report = drainReport(n, queued, drained);
  for (const line of report.warnings) log(line);
  if (!g.quiet) for (const line of report.notes) log(line);
  return report.failed > 0 ? ExitCode.FAILURE : ExitCode.OK;
}

/** `momentscan notify test CHANNEL`: sends a test message to one channel. */
export async function test(g: GlobalOptions, o: { channel: string }): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const n = needNotify(config);
  if (!n.channels.has(o.channel)) {
    throw new UsageError(`notify test: no channel named "${o.channel}"`, { hint: `channels are: ${[...n.channels.keys()].join(', ')}` });
  }
  const { resolveChannels } = await import('../notify/run.js');
  const { closeHttp, endpointLabel } = await import('../notify/http.js');
  const { newMessageId, Outbox } = await import('../notify/outbox.js');
  const ch = (await resolveChannels(config, env.env, [o.channel])).get(o.channel)!;
  const now = env.now();
  const event = {
    id: newMessageId(),
    type: 'momentscan.test' as const,
    eventAt: now,
    data: { schemaVersion: 1, topic: `momentscan test message for the channel ${o.channel}`, test: true } as never,
  };
  let outcome;
  try {
    outcome = await ch.sink.send([event], { signal: AbortSignal.timeout(n.deadlineMs), timeoutMs: n.timeoutMs, now });
  } finally {
    await closeHttp();
  }
  const c = ch.sink.channel;
  const where = c.type === 'email' ? c.to.join(', ') : c.url ? endpointLabel(c.url) : c.urlFile;
  if (!outcome.ok) throw new MomentscanError(`notify test: ${o.channel} (${c.type}): ${outcome.error}`, { hint: 'check the channel in the config and the service it points to' });
  // a channel that works again is no longer taken for gone
  const store = Store.open(dbPath);
  try {
    new Outbox(store).clearGone(o.channel);
  } finally {
    store.close();
  }
  if (!g.quiet) log(`notify: test message delivered to ${o.channel} (${c.type}, ${where})`);
  return ExitCode.OK;
}

export interface ListOptions extends OutputOptions {
  since?: string;
  status?: string;
  limit?: string;
}

const STATUSES = ['pending', 'sent', 'failed', 'silenced'] as const;

/** `momentscan notify list`: recent deliveries and failures, newest first. */
export async function list(g: GlobalOptions, o: ListOptions): Promise<number> {
  const env = processEnv();
  const { dbPath } = configFor(g, env);
  const format = chooseFormat(o);
  const now = env.now();
  const from = sinceFlag(o.since ?? '7d', now);
  const limit = limitFlag(o.limit, 50)!;
  if (o.status !== undefined && !(STATUSES as readonly string[]).includes(o.status)) {
    throw new UsageError(`--status: expected one of ${STATUSES.join(', ')}, got "${o.status}"`);
  }
  const { Outbox } = await import('../notify/outbox.js');
  const store = Store.open(dbPath);
  let rows: DeliveryRow[];
  try {
    rows = new Outbox(store).list(from, limit, o.status as (typeof STATUSES)[number] | undefined).map(deliveryRow);
  } finally {
    store.close();
  }
  await writeOut(render(format, deliveriesListing(rows), renderContext(g, o, env, now)));
  return ExitCode.OK;
}
