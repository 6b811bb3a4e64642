import { randomUUID } from 'node:crypto';

/**
 * A Telnyx `message.received` webhook body, shaped as Telnyx sends it (API v2): what the local outbox's simulated
 * replies post to our own webhook route, and what the tests, the webhook bench and the e2e suite sign and post.
 */
export function telnyxReceivedEvent(opts: { from: string; to: string; text: string; id?: string }) {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: 'message.received',
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      payload: {
        id: opts.id ?? `sim-${randomUUID()}`,
        direction: 'inbound',
        type: 'SMS',
        from: { phone_number: opts.from },
        to: [{ phone_number: opts.to }],
        text: opts.text,
      },
    },
  });
}
