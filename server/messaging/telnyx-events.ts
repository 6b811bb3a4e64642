import { randomUUID } from 'node:crypto';

/**
 * A Telnyx `message.received` webhook body, shaped as Telnyx sends it (API v2): what the local outbox's simulated
 * replies post to our own webhook route, and what the tests, the webhook bench and the e2e suite sign and post.
 */
export function telnyxReceivedEvent(opts: {
  from: string;
  to: string;
  text: string;
  id?: string;
  /** A picture message's media, as Telnyx links them. */
  media?: { url: string; content_type: string }[];
}) {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: 'message.received',
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      payload: {
        id: opts.id ?? `sim-${randomUUID()}`,
        direction: 'inbound',
        type: opts.media?.length ? 'MMS' : 'SMS',
        from: { phone_number: opts.from },
        to: [{ phone_number: opts.to }],
        text: opts.text,
        media: opts.media ?? [],
      },
    },
  });
}

/** A Telnyx delivery report (`message.sent` or `message.finalized`) for one of our texts, as Telnyx sends it. */
export function telnyxDeliveryEvent(
  type: 'message.sent' | 'message.finalized',
  opts: { id: string; from: string; to: string; status: string; error?: string; code?: string },
) {
  return JSON.stringify({
    data: {
      record_type: 'event',
      event_type: type,
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      payload: {
        id: opts.id,
        direction: 'outbound',
        type: 'SMS',
        from: { phone_number: opts.from },
        to: [{ phone_number: opts.to, status: opts.status }],
        errors: opts.error || opts.code ? [{ code: opts.code, title: 'Delivery failed', detail: opts.error }] : [],
      },
    },
  });
}
