import type { ChannelConfig } from '../../config/notify.js';
import { post } from '../http.js';
import { cardText, cut, headline, viewOf } from '../message.js';
import type { AlertEvent, SendContext, Sink } from '../types.js';

/** Actions a card shows at most (Teams shows up to 6 buttons). */
const MAX_ACTIONS = 6;

/** Teams refuses a webhook message over about 28 KB ("413 Request Entity too large"): the body is kept under this many bytes. */
export const TEAMS_MAX_BYTES = 27_000;

/** How long each piece of text may be, tried in turn until the message fits TEAMS_MAX_BYTES (0: no example headlines). */
const TEXT_SIZES = [
  { title: 300, source: 80, fact: 500 },
  { title: 160, source: 40, fact: 200 },
  { title: 80, source: 30, fact: 100 },
  { title: 0, source: 0, fact: 60 },
];

/**
 * A Microsoft Teams message for a Workflows webhook: one Adaptive Card 1.4 attachment
 * (`application/vnd.microsoft.card.adaptive`) with a heading, per alert a title, its facts as a FactSet
 * and the example headlines, and `Action.OpenUrl` buttons (the only action used) to the top stories.
 * Feed text is escaped for the card's Markdown subset; links are http(s) only. Ten alerts of long feed
 * text would pass Teams' size limit and the whole message would be refused: their text is shortened, step
 * by step, until it fits.
 */
export function teamsPayload(events: AlertEvent[], tz = 'UTC'): Record<string, unknown> {
  let payload: Record<string, unknown> = {};
  for (const sizes of TEXT_SIZES) {
    payload = teamsMessage(events, sizes, tz);
    if (Buffer.byteLength(JSON.stringify(payload)) <= TEAMS_MAX_BYTES) break;
  }
  return payload;
}

function teamsMessage(events: AlertEvent[], sizes: (typeof TEXT_SIZES)[number], tz: string): Record<string, unknown> {
  const body: unknown[] = [{ type: 'TextBlock', text: cardText(cut(headline(events), 200)), weight: 'Bolder', size: 'Medium', wrap: true }];
  const actions: unknown[] = [];
  for (const e of events) {
    const v = viewOf(e, tz);
    const items: unknown[] = [
      { type: 'TextBlock', text: cardText(cut(`${v.label}: ${v.title}`, 200)), weight: 'Bolder', wrap: true, color: e.data.direction === 'negative' ? 'Attention' : 'Default' },
    ];
    if (v.facts.length) items.push({ type: 'FactSet', facts: v.facts.map((f) => ({ title: cardText(f.label), value: cardText(cut(f.value, sizes.fact)) })) });
    for (const x of sizes.title ? v.examples : []) {
      items.push({ type: 'TextBlock', text: `• ${cardText(cut(x.title, sizes.title))}${x.source ? ` — ${cardText(cut(x.source, sizes.source))}` : ''}`, wrap: true, spacing: 'Small', isSubtle: true });
    }
    body.push({ type: 'Container', separator: true, spacing: 'Medium', items });
    if (v.link && actions.length < MAX_ACTIONS) actions.push({ type: 'Action.OpenUrl', title: cut(`Open: ${v.title}`, 60), url: v.link });
  }
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    msteams: { width: 'Full' },
  };
  if (actions.length) card.actions = actions;
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

export function teamsSink(channel: ChannelConfig, url: string): Sink {
  return {
    channel,
    batch: 10,
    send: (events: AlertEvent[], ctx: SendContext) => post(url, JSON.stringify(teamsPayload(events, ctx.timeZone)), {}, ctx),
  };
}
