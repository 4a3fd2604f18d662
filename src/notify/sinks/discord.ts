import type { ChannelConfig } from '../../config/notify.js';
import { post } from '../http.js';
import { charCount, cut, discordText, escapedWithin, headline, linesWithin, viewOf } from '../message.js';
import type { AlertEvent, SendContext, Sink } from '../types.js';

/** Discord's documented limits for a webhook message. */
export const DISCORD_LIMITS = { content: 2000, embeds: 10, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 };

/**
 * A Discord webhook message: `content` (≤ 2000), one embed per alert (title, description with the
 * example headlines as links, fields, colour), and `allowed_mentions: {parse: []}` so that no feed text
 * can ping anyone. Markdown in feed text is escaped; the embeds' text stays within 6000 characters.
 */
export function discordPayload(events: AlertEvent[], tz = 'UTC'): Record<string, unknown> {
  const budget = Math.floor(DISCORD_LIMITS.total / Math.max(1, Math.min(events.length, DISCORD_LIMITS.embeds))) - 10;
  const embeds = events.slice(0, DISCORD_LIMITS.embeds).map((e) => {
    const v = viewOf(e, tz);
    const title = escapedWithin(`${v.label}: ${v.title}`, Math.min(DISCORD_LIMITS.title, 200), discordText);
    let left = budget - charCount(title);
    const fields = v.facts.slice(0, DISCORD_LIMITS.fields).map((f) => {
      const field = { name: cut(f.label, 64), value: escapedWithin(f.value, Math.min(DISCORD_LIMITS.fieldValue, 300), discordText), inline: f.label !== 'Sources' && f.label !== 'Terms' };
      return field;
    });
    const kept = [];
    for (const f of fields) {
      const size = charCount(f.name) + charCount(f.value);
      if (size > left) break;
      left -= size;
      kept.push(f);
    }
    const lines = v.examples.map((x) => {
      const plain = cut(x.title, 200) + (x.source ? ` — ${cut(x.source, 60)}` : '');
      const t = discordText(plain);
      return {
        line: x.link ? `• [${t}](<${x.link}>)` : `• ${t}`,
        // what fits of it, as text: a link cut in two would show its raw [text](<url
        short: (room: number) => (room > 2 ? `• ${escapedWithin(plain, room - 2, discordText)}` : ''),
      };
    });
    const description = linesWithin(lines, Math.max(0, Math.min(DISCORD_LIMITS.description, left)));
    const embed: Record<string, unknown> = { title, color: v.color, fields: kept, timestamp: new Date(e.eventAt).toISOString() };
    if (description) embed.description = description;
    if (v.link && v.link.length <= 2000) embed.url = v.link;
    return embed;
  });
  return { content: escapedWithin(headline(events), DISCORD_LIMITS.content, discordText), embeds, allowed_mentions: { parse: [] } };
}

export function discordSink(channel: ChannelConfig, url: string): Sink {
  return {
    channel,
    batch: DISCORD_LIMITS.embeds,
    send: (events: AlertEvent[], ctx: SendContext) => post(url, JSON.stringify(discordPayload(events, ctx.timeZone)), {}, ctx),
  };
}
