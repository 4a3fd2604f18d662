import type { ChannelConfig } from '../../config/notify.js';
import { post } from '../http.js';
import { cut, escapedWithin, headline, linesWithin, slackText, slackUrl, viewOf } from '../message.js';
import type { AlertEvent, SendContext, Sink } from '../types.js';

/** Slack's documented limits: section text 3000, a field 2000, header 150, button text 75, URL 3000, 50 blocks. */
export const SLACK_LIMITS = { section: 3000, field: 2000, header: 150, button: 75, url: 3000, blocks: 50, fields: 10, text: 40_000 };

/**
 * A Slack incoming-webhook message: `text` (the notification and the fallback) plus `blocks`: a header,
 * then per alert a section in mrkdwn with its facts as fields, the example headlines, and a button to
 * the top story. Feed text is escaped (&, <, > and formatting marks), links are http(s) only.
 */
export function slackPayload(events: AlertEvent[], tz = 'UTC'): Record<string, unknown> {
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: cut(headline(events), SLACK_LIMITS.header), emoji: false } }];
  const lines: string[] = [];
  for (const e of events) {
    const v = viewOf(e, tz);
    lines.push(`${v.label}: ${v.title} (${v.line})`);
    const label = `*${slackText(v.label)}:* `;
    const heads = v.examples.map((x) => {
      const plain = cut(x.title, 300) + (x.source ? ` — ${cut(x.source, 80)}` : '');
      const t = slackText(plain);
      return {
        line: x.link && x.link.length <= SLACK_LIMITS.url ? `• <${slackUrl(x.link)}|${t}>` : `• ${t}`,
        // what fits of it, as text: a link cut in two would show its raw <url|
        short: (room: number) => (room > 2 ? `• ${escapedWithin(plain, room - 2, slackText)}` : ''),
      };
    });
    const title = { line: label + slackText(v.title), short: (room: number) => label + escapedWithin(v.title, room - label.length, slackText) };
    const section: Record<string, unknown> = { type: 'section', text: { type: 'mrkdwn', text: linesWithin([title, ...heads], SLACK_LIMITS.section) } };
    if (v.facts.length) {
      section.fields = v.facts.slice(0, SLACK_LIMITS.fields).map((f) => {
        const name = `*${f.label}*\n`;
        return { type: 'mrkdwn', text: name + escapedWithin(f.value, SLACK_LIMITS.field - name.length, slackText) };
      });
    }
    blocks.push(section);
    if (v.link && v.link.length <= SLACK_LIMITS.url) {
      blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the top story', emoji: false }, url: v.link }] });
    }
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapedWithin(v.line, SLACK_LIMITS.section, slackText) }] });
    blocks.push({ type: 'divider' });
  }
  blocks.pop();
  const text = linesWithin(lines.map((l) => ({ line: slackText(l), short: (room: number) => escapedWithin(l, room, slackText) })), SLACK_LIMITS.text);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks), unfurl_links: false, unfurl_media: false };
}

export function slackSink(channel: ChannelConfig, url: string): Sink {
  return {
    channel,
    // 4 blocks per alert, a header: within 50 blocks
    batch: 10,
    send: (events: AlertEvent[], ctx: SendContext) => post(url, JSON.stringify(slackPayload(events, ctx.timeZone)), {}, ctx),
  };
}
