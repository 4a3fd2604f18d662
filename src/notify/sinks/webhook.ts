import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../../config/notify.js';
import { post } from '../http.js';
import { safeRecord } from '../message.js';
import type { AlertEvent, SendContext, Sink } from '../types.js';

/**
 * A generic endpoint, following Standard Webhooks (standardwebhooks.com): a JSON body
 * `{type, timestamp, data}` (data: the moment's JSON record, schemaVersion included), signed with
 * HMAC-SHA256 over `id.timestamp.body` under a `whsec_` secret, in the `webhook-id`, `webhook-timestamp`
 * and `webhook-signature: v1,<base64>` headers. The id is the outbox row's, the same on every retry, so
 * a receiver can drop a second copy. Optionally CloudEvents 1.0 structured mode (the same signature).
 */
export function webhookBody(e: AlertEvent, cloudEvents: boolean): string {
  const data = e.type === 'momentscan.test' ? e.data : safeRecord(e.data);
  const timestamp = new Date(e.eventAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (cloudEvents) {
    return JSON.stringify({
      specversion: '1.0',
      id: e.id,
      source: 'momentscan',
      type: e.type,
      subject: String(e.data.topic),
      time: timestamp,
      datacontenttype: 'application/json',
      data,
    });
  }
  return JSON.stringify({ type: e.type, timestamp, data });
}

/** The secret's key: the base64 after `whsec_`. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, timestamp in whole seconds. */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function webhookSink(channel: ChannelConfig, url: string, secret: string): Sink {
  return {
    channel,
    batch: 1,
    send: (events: AlertEvent[], ctx: SendContext) => {
      const e = events[0]!;
      const body = webhookBody(e, channel.cloudEvents);
      const ts = Math.floor(ctx.now / 1000);
      return post(
        url,
        body,
        {
          'content-type': channel.cloudEvents ? 'application/cloudevents+json' : 'application/json',
          'webhook-id': e.id,
          'webhook-timestamp': String(ts),
          'webhook-signature': sign(secret, e.id, ts, body),
        },
        ctx,
      );
    },
  };
}
