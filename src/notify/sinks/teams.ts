import type { ChannelConfig } from '../../config/notify.js';
import { post } from '../http.js';
import { cardText, cut, headline, viewOf } from '../message.js';
import type { AlertEvent, SendContext, Sink } from '../types.js';

/** Actions a card shows at most (Teams shows up to 6 buttons). */
const MAX_ACTIONS = 6;

/**
 * A Microsoft Teams message for a Workflows webhook: one Adaptive Card 1.4 attachment
 * (`application/vnd.microsoft.card.adaptive`) with a heading, per alert a title, its facts as a FactSet
 * and the example headlines, and `Action.OpenUrl` buttons (the only action used) to the top stories.
 * Feed text is escaped for the card's Markdown subset; links are http(s) only.
 */
export function teamsPayload(events: AlertEvent[]): Record<string, unknown> {
  const body: unknown[] = [{ type: 'TextBlock', text: cardText(cut(headline(events), 200)), weight: 'Bolder', size: 'Medium', wrap: true }];
  const actions: unknown[] = [];
  for (const e of events) {
    const v = viewOf(e);
    const items: unknown[] = [
      { type: 'TextBlock', text: cardText(`${v.label}: ${v.title}`), weight: 'Bolder', wrap: true, color: e.data.direction === 'negative' ? 'Attention' : 'Default' },
    ];
    if (v.facts.length) items.push({ type: 'FactSet', facts: v.facts.map((f) => ({ title: cardText(f.label), value: cardText(cut(f.value, 500)) })) });
    for (const x of v.examples) {
      items.push({ type: 'TextBlock', text: `• ${cardText(cut(x.title, 300))}${x.source ? ` — ${cardText(cut(x.source, 80))}` : ''}`, wrap: true, spacing: 'Small', isSubtle: true });
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
    send: (events: AlertEvent[], ctx: SendContext) => post(url, JSON.stringify(teamsPayload(events)), {}, ctx),
  };
}
