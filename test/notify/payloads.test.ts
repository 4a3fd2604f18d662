import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { discordPayload, DISCORD_LIMITS } from '../../src/notify/sinks/discord.js';
import { emailMessage } from '../../src/notify/sinks/email.js';
import { slackPayload, SLACK_LIMITS } from '../../src/notify/sinks/slack.js';
import { TEAMS_MAX_BYTES, teamsPayload } from '../../src/notify/sinks/teams.js';
import { sign, webhookBody } from '../../src/notify/sinks/webhook.js';
import type { AlertEvent, MomentRecord } from '../../src/notify/types.js';
import { cardText as cardTextOf } from '../../src/notify/message.js';

const HOSTILE = '<!channel> @everyone <@123> *bold* _it_ [click](javascript:alert(1)) <https://evil.example|login> {{DATE(2017-02-14T06:08:39Z)}} \u001b[31mred';

function record(over: Partial<MomentRecord> = {}): MomentRecord {
  return {
    schemaVersion: 1,
    rank: 1,
    topic: 'Acme Robotics',
    kind: 'volume-spike',
    direction: 'up',
    score: 7.25,
    attention: 9.1,
    pValue: 5.6e-8,
    start: '2026-11-18T12:00:00Z',
    peak: '2026-11-18T18:00:00Z',
    end: '2026-11-19T00:00:00Z',
    ongoing: true,
    stage: 'rising',
    firedAt: '2026-11-18T18:00:00Z',
    alerts: 1,
    alertedAt: '2026-11-18T18:00:00Z',
    storySeries: [1, 2, 1, 1, 9, 14],
    hoursSinceOnset: 12,
    growth: 1.5,
    bucket: '6h',
    observed: 14,
    expected: 1.5,
    ratio: 9.3,
    totalStories: 23,
    expectedTotal: 3,
    totalItems: 30,
    echo: 1.3,
    sentimentNow: 0.2,
    sentimentBaseline: 0.05,
    sentimentItems: 20,
    distinctSources: 9,
    topSources: [HOSTILE, 'Daily Ledger'],
    sourceTypes: ['news', 'reddit'],
    topTerms: ['glide', HOSTILE],
    examples: [
      { title: HOSTILE, link: 'javascript:alert(1)', source: HOSTILE, publishedAt: '2026-11-18T19:00:00Z', sentiment: 0.1 },
      { title: 'Acme Glide | launch > expectations', link: 'https://news.example/a?x=1|2', source: 'News', publishedAt: '2026-11-18T20:00:00Z', sentiment: 0.3 },
    ],
    caveats: [],
    accounts: [{ id: 1, name: HOSTILE, domain: 'acme.com', items: 3, confidence: 0.95 }],
    firstSeenAt: '2026-11-18T18:00:00Z',
    ...over,
  };
}

const event = (over: Partial<AlertEvent> = {}): AlertEvent => ({ id: 'msg_test1', type: 'moment.detected', eventAt: Date.parse('2026-11-18T18:00:00Z'), data: record(), ...over });

/** Every string anywhere in a JSON value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

describe('Slack payload', () => {
  const p = slackPayload([event()]) as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { url?: string; text?: unknown }[] }[] };
  it('has a text fallback and blocks: header, section with fields, a button to the top http(s) story, context', () => {
    expect(p.text).toContain('Acme Robotics: volume spike');
    expect(p.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(p.blocks[1]!.fields!.length).toBeGreaterThan(2);
    expect(p.blocks[2]!.elements![0]!.url).toBe('https://news.example/a?x=1|2');
  });
  it('says one story in the peak in the singular', () => {
    const one = slackPayload([event({ data: record({ observed: 1, expected: 0.2, ratio: 5 }) })]) as typeof p;
    expect(one.blocks[1]!.fields!.map((f) => f.text).join('\n')).toContain('1 story in the peak 6h vs 0.2 expected (5.0×)');
  });
  it('says which known accounts are involved (their names are feed-hostile too: escaped below)', () => {
    expect(p.blocks[1]!.fields!.map((f) => f.text).join('\n')).toMatch(/\*Accounts\*[\s\S]*\(3\)/);
  });
  it('escapes feed text: no raw <, > or & control sequences, no javascript: link', () => {
    const all = strings(p).join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@123>');
    expect(all).not.toContain('<https://evil.example|login>');
    expect(all).toContain('&lt;!channel&gt;');
    // the hostile link is text, never a link: no <javascript:...> and no button to it
    expect(all).not.toMatch(/<javascript:/);
    expect(all).not.toContain('\u001b');
    // the one link Slack should make: the http(s) story, its | encoded so it cannot end the link
    expect(p.blocks[1]!.text!.text).toContain('<https://news.example/a?x=1%7C2|Acme Glide | launch &gt; expectations');
  });
  it('keeps to Slack limits with 10 long alerts', () => {
    const long = record({ examples: Array.from({ length: 3 }, () => ({ title: 'x'.repeat(5000), link: `https://a.example/${'p'.repeat(4000)}`, source: 's'.repeat(500), publishedAt: '2026-11-18T19:00:00Z', sentiment: null })), topTerms: Array.from({ length: 50 }, () => 'w'.repeat(300)) });
    const big = slackPayload(Array.from({ length: 10 }, (_, i) => event({ id: `msg_${i}`, data: long }))) as typeof p;
    expect(big.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const b of big.blocks) {
      if (b.type === 'section') expect([...b.text!.text].length).toBeLessThanOrEqual(SLACK_LIMITS.section);
      if (b.type === 'header') expect([...b.text!.text].length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      for (const f of b.fields ?? []) expect([...f.text].length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      for (const e of b.elements ?? []) if (e.url) expect(e.url.length).toBeLessThanOrEqual(SLACK_LIMITS.url);
    }
  });
});

/** Three headlines with long links: together more than a Slack section or a Discord description holds. */
function longLinks(n = 1400): MomentRecord {
  return record({
    examples: [1, 2, 3].map((i) => ({ title: `Story ${i} & <more>`, link: `https://a.example/${i}/${'p'.repeat(n)}`, source: 'Daily Ledger', publishedAt: '2026-11-18T19:00:00Z', sentiment: null })),
    // escaping lengthens these past a field's limit: the cut must not fall inside an escape
    topSources: Array.from({ length: 5 }, () => '&*'.repeat(300)),
  });
}

describe('messages cut at a limit are cut between lines, never inside a link or an escape', () => {
  it('Slack: the section keeps whole links and gives the headline that does not fit as text', () => {
    const p = slackPayload([event({ data: longLinks(1350) })]) as { blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    const text = p.blocks[1]!.text!.text;
    expect([...text].length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    const lines = text.split('\n');
    // every line opens as many links as it closes: <url|text>
    for (const line of lines) expect(line.split('<').length, line.slice(-60)).toBe(line.split('>').length);
    expect(lines[1]).toMatch(/^• <https:\/\/a\.example\/1\/p+\|Story 1 &amp; &lt;more&gt; — Daily Ledger>$/);
    expect(lines[3]).toBe('• Story 3 &amp; &lt;more&gt; — Daily Ledger');
    for (const f of p.blocks[1]!.fields!) {
      expect([...f.text].length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      // no half an entity, no mark left without its zero-width guard
      expect(f.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(f.text.split('\n')[1]).not.toMatch(/(?<!\u200b)\*|\*(?!\u200b)/);
    }
  });
  it('Discord: the description keeps whole links and gives the headline that does not fit as text', () => {
    const p = discordPayload([event({ data: longLinks(1800) })]) as { embeds: { description: string; fields: { value: string }[] }[] };
    const d = p.embeds[0]!.description;
    expect([...d].length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    const lines = d.split('\n');
    for (const line of lines) expect(line.split('](<').length, line.slice(-60)).toBe(line.split('>)').length);
    expect(lines[2]).toBe('• Story 3 & \\<more> — Daily Ledger');
    for (const f of p.embeds[0]!.fields) expect(f.value).not.toMatch(/(?<!\\)\\$/);
  });
});

describe('links go out without a user name or password, in every message', () => {
  const spoof = record({ examples: [{ title: 'Sign in again', link: 'https://accounts.example.com:hunter2@evil.example/login', source: 'News', publishedAt: '2026-11-18T19:00:00Z', sentiment: null }] });
  it.each([
    ['Slack', () => slackPayload([event({ data: spoof })])],
    ['Discord', () => discordPayload([event({ data: spoof })])],
    ['Teams', () => teamsPayload([event({ data: spoof })])],
    ['webhook', () => JSON.parse(webhookBody(event({ data: spoof }), false)) as unknown],
  ])('%s', (_name, payload) => {
    const all = strings(payload()).join('\n');
    expect(all).toContain('https://evil.example/login');
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('accounts.example.com');
  });
});

describe('Discord payload', () => {
  it('never pings anyone, and escapes Markdown and mention syntax in feed text', () => {
    const p = discordPayload([event()]) as { content: string; allowed_mentions: unknown; embeds: { title: string; description?: string; url?: string; fields: { name: string; value: string }[] }[] };
    expect(p.allowed_mentions).toEqual({ parse: [] });
    const text = [p.embeds[0]!.description, ...p.embeds[0]!.fields.map((f) => f.value)].join('\n');
    expect(text).not.toMatch(/(?<!\\)<@123>/);
    expect(text).toContain('\\<@123>');
    expect(text).toContain('\\*bold\\*');
    expect(text).not.toMatch(/(?<!\\)\[click\]/);
    expect(strings(p).join('\n')).not.toMatch(/(?<!\\)\]\(<?javascript:/);
    expect(p.embeds[0]!.url).toBe('https://news.example/a?x=1|2');
  });
  it('a fact that starts like a numbered list (an account "1986. Acme") stays text', () => {
    const p = discordPayload([event({ data: record({ accounts: [{ id: 1, name: '1986. Acme', domain: null, items: 3, confidence: 1 }] }) })]) as { embeds: { fields: { name: string; value: string }[] }[] };
    expect(p.embeds[0]!.fields.find((f) => f.name === 'Accounts')!.value).toBe('1986\\. Acme (3)');
  });

  it('keeps to Discord limits: content, 10 embeds, field sizes, 6000 characters of embeds in all', () => {
    const long = record({ topic: 'T'.repeat(3000), examples: Array.from({ length: 3 }, () => ({ title: 'x'.repeat(5000), link: 'https://a.example/', source: 's'.repeat(500), publishedAt: '2026-11-18T19:00:00Z', sentiment: null })), topTerms: Array.from({ length: 50 }, () => 'w'.repeat(300)) });
    const p = discordPayload(Array.from({ length: 12 }, (_, i) => event({ id: `msg_${i}`, data: long }))) as { content: string; embeds: { title: string; description?: string; fields: { name: string; value: string }[] }[] };
    expect([...p.content].length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(p.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    let total = 0;
    for (const e of p.embeds) {
      expect([...e.title].length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      expect([...(e.description ?? '')].length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(e.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
      for (const f of e.fields) {
        expect([...f.name].length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
        expect([...f.value].length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      }
      total += [...e.title].length + [...(e.description ?? '')].length + e.fields.reduce((n, f) => n + [...f.name].length + [...f.value].length, 0);
    }
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });
});

describe('Teams payload', () => {
  const p = teamsPayload([event(), event({ id: 'msg_2', type: 'moment.ended' })]) as {
    type: string;
    attachments: { contentType: string; content: { type: string; version: string; body: unknown[]; actions?: { type: string; url: string }[] } }[];
  };
  it('is one Adaptive Card 1.4 attachment whose only actions open http(s) URLs', () => {
    expect(p.type).toBe('message');
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = p.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.4');
    expect(card.actions!.length).toBeGreaterThan(0);
    for (const a of card.actions!) {
      expect(a.type).toBe('Action.OpenUrl');
      expect(a.url).toMatch(/^https?:\/\//);
    }
    expect(strings(p).join('\n')).toContain('Moment ended');
  });
  it('ten alerts of long feed text stay within Teams\' 28 KB (over it, Teams refuses the whole message): every alert is there, its text shortened', () => {
    const w = (n: number) => 'w&*'.repeat(n);
    const long = (i: number) =>
      record({
        topic: `Topic ${i}`,
        topSources: Array.from({ length: 5 }, () => w(100)),
        topTerms: Array.from({ length: 8 }, () => w(100)),
        accounts: Array.from({ length: 6 }, (_, k) => ({ id: k, name: w(100), domain: null, items: 1, confidence: 1 })),
        examples: [1, 2, 3].map((k) => ({ title: `Story ${k} ${w(200)}`, link: `https://a.example/${k}`, source: w(50), publishedAt: '2026-11-18T19:00:00Z', sentiment: null })),
      });
    const big = teamsPayload(Array.from({ length: 10 }, (_, i) => event({ id: `msg_${i}`, data: long(i) })));
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const all = strings(big).join('\n');
    for (let i = 0; i < 10; i++) expect(all).toContain(`New moment: Topic ${i}: volume spike`);
    // one such alert alone keeps its headlines as they were
    const one = strings(teamsPayload([event({ data: long(0) })])).join('\n');
    expect(one).toContain(`• Story 1 ${cardTextOf(w(200)).slice(0, 200)}`);
  });

  it('escapes card Markdown and card functions in feed text', () => {
    const all = strings(p.attachments[0]!.content.body).join('\n');
    expect(all).toContain('\\*bold\\*');
    expect(all).toContain('\\[click\\]');
    expect(all).not.toContain('{{DATE');
    expect(all).not.toMatch(/(?<!\\)\]\(javascript:/);
  });
});

describe('signed webhook (Standard Webhooks)', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  it('the body is {type, timestamp, data}: the moment record with schemaVersion, links http(s) only', () => {
    const body = JSON.parse(webhookBody(event(), false)) as { type: string; timestamp: string; data: MomentRecord };
    expect(body.type).toBe('moment.detected');
    expect(body.timestamp).toBe('2026-11-18T18:00:00Z');
    expect(body.data.schemaVersion).toBe(1);
    expect(body.data.topic).toBe('Acme Robotics');
    expect(body.data.examples[0]!.link).toBeNull();
    expect(body.data.examples[1]!.link).toBe('https://news.example/a?x=1|2');
    // feed text goes out as data, exactly (JSON escapes it)
    expect(body.data.examples[0]!.title).toBe(HOSTILE);
  });
  it('CloudEvents structured mode carries the same data', () => {
    const ce = JSON.parse(webhookBody(event(), true)) as Record<string, unknown>;
    expect(ce).toMatchObject({ specversion: '1.0', id: 'msg_test1', source: 'momentscan', type: 'moment.detected', time: '2026-11-18T18:00:00Z', datacontenttype: 'application/json' });
  });
  it('signatures verify with the reference standardwebhooks package', () => {
    const body = webhookBody(event(), false);
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_test1', 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, 'msg_test1', ts, body) };
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'moment.detected' });
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    expect(sign(secret, 'msg_test1', ts, body)).toBe(new Webhook(secret).sign('msg_test1', new Date(ts * 1000), body));
  });
  it('matches the published test vector of the Standard Webhooks spec', () => {
    const s = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(sign(s, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('email', () => {
  it('is the digest for these alerts: text and HTML escaped, links http(s) only', () => {
    const m = emailMessage([event(), event({ id: 'msg_2', type: 'moment.ended' })], { from: 'momentscan@example.com', subjectPrefix: 'momentscan' }, ['desk@example.com'], Date.parse('2026-11-18T18:05:00Z'));
    expect(m.subject).toMatch(/^momentscan: 1 new moment, 1 faded — Acme Robotics spike/);
    expect(m.text).toContain('Acme Robotics: volume spike');
    expect(m.text).toContain('https://news.example/a?x=1|2');
    expect(m.html).not.toContain('<!channel>');
    expect(m.html).toContain('&lt;!channel&gt;');
    expect(m.html).not.toMatch(/href="javascript:/i);
    expect(m.text).not.toMatch(/^\s*javascript:/m);
  });

  it('an alert sent late after a gap says so, in text and HTML', () => {
    const late = event({ data: { ...record(), late: true } });
    const m = emailMessage([late], { from: 'momentscan@example.com', subjectPrefix: 'momentscan' }, ['desk@example.com'], Date.parse('2026-11-20T09:00:00Z'));
    expect(m.text.replace(/\s+/g, ' ')).toContain('sent late: it alerted 2026-11-18 18:00 UTC, when notify was not running');
    expect(m.html).toContain('sent late: it alerted 2026-11-18 18:00 UTC, when notify was not running');
    const onTime = emailMessage([event()], { from: 'momentscan@example.com', subjectPrefix: 'momentscan' }, ['desk@example.com'], Date.parse('2026-11-18T18:05:00Z'));
    expect(onTime.text).not.toContain('sent late');
  });
});

describe("a team's time zone in notifications", () => {
  const ended = event({ id: 'msg_2', type: 'moment.ended', data: record({ start: '2026-10-24T18:00:00Z', end: '2026-10-25T06:00:00Z', ongoing: false }) });
  it.each([
    ['Slack', (tz?: string) => slackPayload([event(), ended], tz)],
    ['Discord', (tz?: string) => discordPayload([event(), ended], tz)],
    ['Teams', (tz?: string) => teamsPayload([event(), ended], tz)],
  ])("%s: the times are on the team's clock, the zone named at both ends when the clocks went back between them", (_, payload) => {
    const text = strings(payload('Europe/Amsterdam')).join('\n');
    expect(text).toContain('since 2026-11-18 13:00 CET');
    expect(text).toContain('2026-10-24 20:00 CEST → 2026-10-25 07:00 CET');
    const utc = strings(payload()).join('\n');
    expect(utc).toContain('since 2026-11-18 12:00 UTC');
    expect(utc).toContain('2026-10-24 18:00 → 2026-10-25 06:00 UTC');
  });

  it('email: the alert and its sent-late note in New York time', () => {
    const late = event({ eventAt: Date.parse('2026-11-01T12:00:00Z'), data: record({ late: true }) });
    const m = emailMessage([late], { from: 'momentscan@example.com', subjectPrefix: 'momentscan' }, ['desk@example.com'], Date.parse('2026-11-01T13:00:00Z'), 'America/New_York');
    expect(m.text).toContain('since 2026-11-18 07:00 EST (ongoing)');
    expect(m.text).toContain('sent late: it alerted 2026-11-01 07:00 EST');
    expect(m.text).toContain('Made by momentscan at 2026-11-01 08:00 EST.');
    expect(m.html).toContain('sent late: it alerted 2026-11-01 07:00 EST');
  });
});
