import { needNotify } from './run.js';
import { ExitCode, MomentscanError, UsageError } from '../../core/errors.js';
import { openStore } from '../../store/store.js';
import { configFor, log, processEnv, type GlobalOptions } from '../context.js';

/** `momentscan notify test CHANNEL`: sends a test message to one channel. */
export async function test(g: GlobalOptions, o: { channel: string }): Promise<number> {
  const env = processEnv();
  const { config, dbPath } = configFor(g, env);
  const n = needNotify(config);
  if (!n.channels.has(o.channel)) {
    throw new UsageError(`notify test: no channel named "${o.channel}"`, { hint: `channels are: ${[...n.channels.keys()].join(', ')}` });
  }
  const { resolveChannels } = await import('../../notify/run.js');
  const { closeHttp, endpointLabel } = await import('../../notify/http.js');
  const { newMessageId, Outbox } = await import('../../notify/outbox.js');
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
  const store = await openStore(dbPath);
  try {
    new Outbox(store).clearGone(o.channel);
  } finally {
    store.close();
  }
  if (!g.quiet) log(`notify: test message delivered to ${o.channel} (${c.type}, ${where})`);
  return ExitCode.OK;
}
