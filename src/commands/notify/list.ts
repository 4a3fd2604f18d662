import { ExitCode, UsageError } from '../../core/errors.js';
import { render } from '../../render/index.js';
import { deliveriesListing, deliveryRow, type DeliveryRow } from '../../render/notify.js';
import { openStore } from '../../store/store.js';
import { limitFlag, sinceFlag } from '../flags.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from '../context.js';

export interface ListOptions extends OutputOptions {
  since?: string;
  status?: string;
  limit?: string;
}

const STATUSES = ['pending', 'sent', 'failed', 'silenced'] as const;

/** `momentscan notify list`: recent deliveries and failures, newest first. */
export async function list(g: GlobalOptions, o: ListOptions): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const format = chooseFormat(o);
  const now = env.now();
  const from = sinceFlag(o.since ?? '7d', now, config.defaults.timeZone);
  const limit = limitFlag(o.limit, 50)!;
  if (o.status !== undefined && !(STATUSES as readonly string[]).includes(o.status)) {
    throw new UsageError(`--status: expected one of ${STATUSES.join(', ')}, got "${o.status}"`);
  }
  const { Outbox } = await import('../../notify/outbox.js');
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let rows: DeliveryRow[];
  try {
    rows = new Outbox(store).list(from, limit, o.status as (typeof STATUSES)[number] | undefined).map(deliveryRow);
  } finally {
    store.close();
  }
  await writeOut(render(format, deliveriesListing(rows), await renderContext(g, o, env, now, format, config.defaults.timeZone)));
  return ExitCode.OK;
}
