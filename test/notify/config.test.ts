import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { channelsFor, inQuietHours, retryDelay } from '../../src/notify/route.js';

const TOPICS = `
topics:
  - name: Acme Robotics
    keywords: [acme]
    tags: [brand]
  - name: Globex
    keywords: [globex]
`;

function cfg(notify: string) {
  return parseConfigText(`${TOPICS}notify:\n${notify}`, 'config.yaml');
}

function error(notify: string): string {
  try {
    cfg(notify);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('notify: config errors name the field', () => {
  it.each([
    ['a bad URL', '  channels:\n    desk: { type: slack, url: "ftp://x.example/hook" }\n', 'config.yaml: notify.channels.desk.url: expected an http(s) URL, got a ftp: URL'],
    ['an unreadable URL', '  channels:\n    desk: { type: discord, url: "not a url" }\n', 'notify.channels.desk.url: expected an http(s) URL'],
    ['an unknown channel type', '  channels:\n    desk: { type: pager, url: "https://x.example" }\n', 'notify.channels.desk.type: expected one of slack, teams, discord, webhook, email'],
    ['a webhook without secret', '  channels:\n    hook: { type: webhook, url: "https://x.example" }\n', 'notify.channels.hook.secretFile: a webhook is signed'],
    ['an unknown route field', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [desk], topic: [Globex] }\n', 'notify.routes[0].topic: unknown field (did you mean "topics"?)'],
    ['a route naming no channel', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { topics: [Globex] }\n', 'notify.routes[0].channels: a route needs the channels'],
    ['a route naming an unknown channel', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [dsk] }\n', 'notify.routes[0].channels[0]: no channel named "dsk" in notify.channels; channels are: desk'],
    ['a route naming an unknown topic', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [desk], topics: [Initech] }\n', 'notify.routes[0].topics[0]: no topic named "Initech"'],
    ['a bad time zone', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [desk], quietHours: { from: "22:00", to: "07:00", timeZone: Mars/Olympus } }\n', 'notify.routes[0].quietHours.timeZone: unknown time zone'],
    ['a bad time of day', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [desk], quietHours: { from: "25:00", to: "07:00" } }\n', 'notify.routes[0].quietHours.from: expected a time of day'],
    ['an email channel without recipients', '  channels:\n    mail: { type: email }\n', 'notify.channels.mail.to: an email channel needs recipients'],
    ['a bad event', '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [desk], events: [fired] }\n', 'notify.routes[0].events[0]: expected one of detected, grew, ended'],
  ])('%s', (_name, notify, message) => {
    expect(error(notify)).toContain(message);
  });

  it('reads a full notify section', () => {
    const c = cfg(`  timeout: 5s
  deadline: 30s
  attempts: 4
  backoff: 2m
  channels:
    desk: { type: slack, url: "https://hooks.slack.example/services/T/B/X" }
    hook: { type: webhook, urlFile: hook-url, secretFile: secret, cloudEvents: true }
  routes:
    - channels: [desk, hook]
      tags: [brand]
      kinds: [volume-spike]
      minScore: 4
      groupWait: 5m
      interval: 30m
      quietHours: { from: "22:00", to: "07:00", timeZone: Europe/Amsterdam }
`);
    const n = c.notify!;
    expect(n).toMatchObject({ timeoutMs: 5000, deadlineMs: 30_000, attempts: 4, backoffMs: 120_000 });
    expect(n.channels.get('hook')).toMatchObject({ type: 'webhook', url: null, cloudEvents: true });
    expect(n.channels.get('hook')!.secretFile).toMatch(/\/secret$/);
    expect(n.routes[0]).toMatchObject({ channels: ['desk', 'hook'], tags: ['brand'], kinds: ['volume-spike'], events: ['detected', 'grew'], minScore: 4, groupWaitMs: 300_000, intervalMs: 1_800_000 });
    expect(n.routes[0]!.quietHours).toEqual({ from: 22 * 60, to: 7 * 60, timeZone: 'Europe/Amsterdam' });
  });

  it("quiet hours without a zone are the team's (defaults.timeZone), else UTC", () => {
    const route = '  channels:\n    desk: { type: slack, url: "https://x.example" }\n  routes:\n    - { channels: [desk], quietHours: { from: "22:00", to: "07:00" } }\n';
    const team = parseConfigText(`defaults:\n  timeZone: America/New_York\n${TOPICS}notify:\n${route}`, 'config.yaml');
    expect(team.notify!.routes[0]!.quietHours).toEqual({ from: 22 * 60, to: 7 * 60, timeZone: 'America/New_York' });
    // 05:00 in New York (10:00Z) is quiet there, not in UTC
    expect(inQuietHours(team.notify!.routes[0]!.quietHours!, Date.parse('2026-11-21T10:00:00Z'))).toBe(true);
    const utc = cfg(route).notify!.routes[0]!.quietHours!;
    expect(utc.timeZone).toBe('UTC');
    expect(inQuietHours(utc, Date.parse('2026-11-21T10:00:00Z'))).toBe(false);
  });
});

describe('routing', () => {
  const c = cfg(`  channels:
    desk: { type: slack, url: "https://x.example/1" }
    ops: { type: discord, url: "https://x.example/2" }
    all: { type: teams, url: "https://x.example/3" }
  routes:
    - { channels: [desk], tags: [brand], minScore: 4 }
    - { channels: [ops], topics: [globex], kinds: [sentiment-shift], events: [detected, grew, ended] }
    - { channels: [all, desk] }
`);
  const alert = (over: object) => ({ topic: 'Acme Robotics', tags: ['brand'], kind: 'volume-spike', score: 5, attention: 6, ...over });
  it.each([
    ['a brand spike over the minimum goes to desk (first route) and all', alert({}), 'detected', ['desk:0', 'all:2']],
    ['under the minimum score, desk still hears of it through the catch-all', alert({ score: 3 }), 'detected', ['all:2', 'desk:2']],
    ['a Globex tone shift goes to ops too (topic names are case-insensitive)', alert({ topic: 'Globex', tags: [], kind: 'sentiment-shift' }), 'detected', ['ops:1', 'all:2', 'desk:2']],
    ['an end goes only where a route asks for ends', alert({ topic: 'Globex', tags: [], kind: 'sentiment-shift' }), 'ended', ['ops:1']],
    ['a Globex spike is not for ops', alert({ topic: 'Globex', tags: [] }), 'detected', ['all:2', 'desk:2']],
  ] as const)('%s', (_name, a, event, want) => {
    expect(channelsFor(c.notify!, a, () => event).map((x) => `${x.channel}:${x.route}`)).toEqual(want);
  });
});

describe('quiet hours', () => {
  it.each([
    ['22:00–07:00 Amsterdam, 21:30 UTC (22:30 CET) is quiet', { from: 1320, to: 420, timeZone: 'Europe/Amsterdam' }, '2026-11-20T21:30:00Z', true],
    ['22:00–07:00 Amsterdam, 06:30 UTC (07:30 CET) is not', { from: 1320, to: 420, timeZone: 'Europe/Amsterdam' }, '2026-11-20T06:30:00Z', false],
    ['22:00–07:00 New York, 03:00 UTC (22:00 EST) is quiet', { from: 1320, to: 420, timeZone: 'America/New_York' }, '2026-11-21T03:00:00Z', true],
    ['12:00–13:00 UTC, 13:00 is not (the end is exclusive)', { from: 720, to: 780, timeZone: 'UTC' }, '2026-11-20T13:00:00Z', false],
    ['12:00–13:00 UTC, 12:59 is', { from: 720, to: 780, timeZone: 'UTC' }, '2026-11-20T12:59:00Z', true],
  ])('%s', (_name, q, at, want) => {
    expect(inQuietHours(q, Date.parse(at))).toBe(want);
  });
});

describe('retry delay', () => {
  it.each([
    ['first retry, no jitter drawn low', 1, 0, 30_000],
    ['first retry, drawn high', 1, 1, 60_000],
    ['third retry doubles twice', 3, 1, 240_000],
    ['capped', 20, 1, 3_600_000],
  ])('%s', (_name, attempt, r, want) => {
    expect(retryDelay(attempt, { baseMs: 60_000, maxMs: 3_600_000 }, () => r)).toBe(want);
  });
  it('waits at least what Retry-After asks (within the cap)', () => {
    expect(retryDelay(1, { baseMs: 1000, maxMs: 3_600_000, retryAfterMs: 120_000 }, () => 0)).toBe(120_000);
  });
});
