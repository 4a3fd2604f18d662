import type { ChannelConfig } from '../../config/notify.js';
import { post } from '../http.js';
import { cut, headline, slackText, slackUrl, viewOf } from '../message.js';
import type { AlertEvent, SendContext, Sink } from '../types.js';

/** Slack's documented limits: section text 3000, a field 2000, header 150, button text 75, URL 3000, 50 blocks. */
export const SLACK_LIMITS = { section: 3000, field: 2000, header: 150, button: 75, url: 3000, blocks: 50, fields: 10, text: 40_000 };

/**
 * A Slack incoming-webhook message: `text` (the notification and the fallback) plus `blocks`: a header,
 * then per alert a section in mrkdwn with its facts as fields, the example headlines, and a button to
 * the top story. Feed text is escaped (&, <, > and formatting marks), links are http(s) only.
 */
export function slackPayload(events: AlertEvent[]): Record<string, unknown> {
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: cut(headline(events), SLACK_LIMITS.header), emoji: false } }];
  const lines: string[] = [];
  for (const e of events) {
    const v = viewOf(e);
    lines.push(`${v.label}: ${v.title} (${v.line})`);
    const heads = v.examples.map((x) => {
      const t = slackText(cut(x.title, 300)) + (x.source ? ` — ${slackText(cut(x.source, 80))}` : '');
      return x.link && x.link.length <= SLACK_LIMITS.url ? `• <${slackUrl(x.link)}|${t}>` : `• ${t}`;
    });
    const text = [`*${slackText(v.label)}:* ${slackText(v.title)}`, ...heads].join('\n');
    const section: Record<string, unknown> = { type: 'section', text: { type: 'mrkdwn', text: cut(text, SLACK_LIMITS.section) } };
    if (v.facts.length) {
      section.fields = v.facts
        .slice(0, SLACK_LIMITS.fields)
        .map((f) => ({ type: 'mrkdwn', text: cut(`*${f.label}*\n${slackText(f.value)}`, SLACK_LIMITS.field) }));
    }
    blocks.push(section);
    if (v.link && v.link.length <= SLACK_LIMITS.url) {
      blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the top story', emoji: false }, url: v.link }] });
    }
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(slackText(v.line), SLACK_LIMITS.section) }] });
    blocks.push({ type: 'divider' });
  }
  blocks.pop();
  return { text: cut(lines.map(slackText).join('\n'), SLACK_LIMITS.text), blocks: blocks.slice(0, SLACK_LIMITS.blocks), unfurl_links: false, unfurl_media: false };
}

export function slackSink(channel: ChannelConfig, url: string): Sink {
  return {
    channel,
    // 4 blocks per alert, a header: within 50 blocks
    batch: 10,
    send: (events: AlertEvent[], ctx: SendContext) => post(url, JSON.stringify(slackPayload(events)), {}, ctx),
  };
}
