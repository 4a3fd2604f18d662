import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { COOL_DOWN_MS } from '../../src/detect/alerts.js';
import { Outbox, type NewDelivery } from '../../src/notify/outbox.js';
import { drain, enqueueAlerts, recordOf, type ResolvedChannel } from '../../src/notify/run.js';
import type { AlertEvent, SendOutcome } from '../../src/notify/types.js';
import { Store } from '../../src/store/store.js';
import { sampleMoment } from '../helpers/moments.js';
import { tempDir } from '../helpers/tmp.js';

// The outbox on a real SQLite file, drained to recording sinks with a clock the test moves: groupWait
// batches, a route's interval and quiet hours hold messages back, and alerts become detected, grew, ended.
const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;

function setup(routes: string) {
  const config = parseConfigText(
    `topics:
  - { name: Acme Robotics, keywords: [acme] }
  - { name: Globex, keywords: [globex] }
notify:
  channels:
    desk: { type: slack, url: "https://x.example/1" }
    ops: { type: discord, url: "https://x.example/2" }
  routes:
${routes}`,
    path.join(tempDir(), 'config.yaml'),
  );
  const store = Store.open(path.join(tempDir(), 's.db'));
  const ids = new Map(store.syncTopics(config.topics.map((t) => ({ name: t.name, definition: '' }))).map((t) => [t.name, t.id]));
  const sent: { channel: string; events: AlertEvent[]; at: number }[] = [];
  let now = T0;
  const sink = (name: string): ResolvedChannel => ({
    endpoint: name,
    sink: {
      channel: config.notify!.channels.get(name)!,
      batch: 10,
      send: async (events): Promise<SendOutcome> => {
        sent.push({ channel: name, events, at: now });
        return { ok: true, status: 200 };
      },
    },
  });
  const channels = new Map([sink('desk'), sink('ops')].map((c) => [c.sink.channel.name, c]));
  const moment = (topic: string, start: number, over: Parameters<typeof sampleMoment>[0] = {}) => {
    const m = sampleMoment({ topic, start, end: start + 6 * 3_600_000, firedAt: start + 6 * 3_600_000, alertedAt: start + 6 * 3_600_000, ...over });
    store.saveMoments([{ topicId: ids.get(topic)!, moment: m }], T0);
    return m;
  };
  const run = async () => drain(config.notify!, store, channels, { now: () => now });
  return { config, store, sent, moment, run, tick: (ms: number) => (now += ms), now: () => now };
}

describe('the outbox, drained', () => {
  it('groupWait: alerts within the wait of the first go out as one message, after the wait', async () => {
    const s = setup('    - { channels: [desk], groupWait: 5m }');
    const outbox = new Outbox(s.store);
    const add = (topic: string, start: number): NewDelivery => {
      const m = s.moment(topic, start);
      return { momentId: outbox.momentId(topic, m.kind, m.direction, start)!, alertNo: 1, channel: 'desk', route: 0, topic, payload: recordOf(m), eventAt: m.firedAt, notBefore: s.now() + 5 * MIN, silenced: false };
    };
    outbox.enqueue([add('Acme Robotics', T0 - 86_400_000)], s.now());
    s.tick(3 * MIN);
    outbox.enqueue([add('Globex', T0 - 86_400_000)], s.now());
    expect((await s.run()).results).toHaveLength(0); // the first waits for its group
    s.tick(2 * MIN);
    await s.run();
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]!.events.map((e) => e.data.topic)).toEqual(['Acme Robotics', 'Globex']);
    s.tick(10 * MIN);
    await s.run();
    expect(s.sent).toHaveLength(1);
  });

  it("interval: a route's next message to a channel waits at least that long; quiet hours hold it until they end", async () => {
    const s = setup(`    - { channels: [desk], interval: 30m }
    - { channels: [ops], quietHours: { from: "11:00", to: "13:00", timeZone: UTC } }`);
    const enqueue = (topic: string, alertedAt: number, alerts = 1) =>
      enqueueAlerts(s.config, s.store, [{ ...s.moment(topic, T0 - 86_400_000, { alerts, alertedAt, ongoing: true }), firstSeenAt: T0 }], { from: alertedAt - MIN, asOf: alertedAt, now: s.now() });
    enqueue('Acme Robotics', T0);
    const first = await s.run();
    expect(s.sent.map((m) => m.channel)).toEqual(['desk']); // ops: quiet hours (12:00 UTC)
    expect(first.held).toBe(1);
    s.tick(10 * MIN);
    enqueue('Globex', s.now());
    await s.run();
    expect(s.sent.map((m) => m.channel)).toEqual(['desk']); // desk: within 30m of the last; ops: still quiet
    s.tick(21 * MIN); // 12:31
    await s.run();
    expect(s.sent.map((m) => `${m.channel}:${m.events.length}`)).toEqual(['desk:1', 'desk:1']);
    s.tick(30 * MIN); // 13:01: quiet hours over
    await s.run();
    expect(s.sent.map((m) => `${m.channel}:${m.events.length}`)).toEqual(['desk:1', 'desk:1', 'ops:2']);
  });

  it('a moment is detected once per channel, then grew when it doubles, then ended after its cool-down', async () => {
    const s = setup('    - { channels: [desk], events: [detected, grew, ended] }');
    const start = T0 - 86_400_000;
    const at = (alerts: number, alertedAt: number, ongoing: boolean, asOf: number) =>
      enqueueAlerts(s.config, s.store, [{ ...s.moment('Acme Robotics', start, { alerts, alertedAt, ongoing, end: start + 12 * 3_600_000 }), firstSeenAt: T0 }], { from: asOf - 3_600_000, asOf, now: s.now() });
    expect(at(1, start + 6 * 3_600_000, true, start + 6 * 3_600_000).added.map((r) => r.event)).toEqual(['moment.detected']);
    expect(at(1, start + 6 * 3_600_000, true, start + 6.5 * 3_600_000).added).toEqual([]);
    expect(at(2, start + 9 * 3_600_000, true, start + 9 * 3_600_000).added.map((r) => r.event)).toEqual(['moment.grew']);
    // over at 12 h, but not yet quiet for the cool-down: it may flare up again
    const quietAt = start + 12 * 3_600_000 + COOL_DOWN_MS;
    expect(at(2, start + 9 * 3_600_000, false, quietAt - 3_600_000).added).toEqual([]);
    expect(at(2, start + 9 * 3_600_000, false, quietAt).added.map((r) => r.event)).toEqual(['moment.ended']);
    expect(at(2, start + 9 * 3_600_000, false, quietAt + 3_600_000).added).toEqual([]);
    await s.run();
    expect(s.sent[0]!.events.map((e) => e.type)).toEqual(['moment.detected', 'moment.grew', 'moment.ended']);
  });

  it('a moment already over when first seen is detected and ended in the same run (silenced: neither is sent)', async () => {
    const s = setup('    - { channels: [desk], events: [detected, grew, ended] }');
    const start = T0 - 86_400_000;
    const over = (topic: string) => [{ ...s.moment(topic, start, { alerts: 1, alertedAt: start + 6 * 3_600_000, ongoing: false }), firstSeenAt: T0 }];
    const asOf = start + 12 * 3_600_000;
    expect(enqueueAlerts(s.config, s.store, over('Acme Robotics'), { from: start, asOf, now: s.now() }).added.map((r) => r.event)).toEqual(['moment.detected', 'moment.ended']);
    new Outbox(s.store).addSilence({ topic: 'Globex', startsAt: s.now() - MIN, endsAt: s.now() + 60 * MIN, comment: null }, s.now());
    const quiet = enqueueAlerts(s.config, s.store, over('Globex'), { from: start, asOf, now: s.now() });
    expect(quiet.added).toEqual([]);
    expect(quiet.silenced).toBe(1);
    await s.run();
    expect(s.sent.map((m) => m.events.map((e) => `${e.data.topic}: ${e.type}`))).toEqual([['Acme Robotics: moment.detected', 'Acme Robotics: moment.ended']]);
  });
});
