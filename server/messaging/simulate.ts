import { randomUUID } from 'node:crypto';
import type { Services } from '@/server/services';
import { signWebhook } from './signature';
import { handleTelnyxWebhook } from './webhook';

/**
 * The local outbox's stand-in for a person texting back: a Telnyx-shaped `message.received` event, signed with the
 * deployment's local key and posted to our own webhook route, so the whole inbound path runs as it would for real.
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

export async function simulateInbound(
  services: Services,
  opts: { from: string; to: string; text: string },
): Promise<number> {
  const key = services.messaging.signingKey;
  if (!key) throw new Error('simulated replies need the local outbox (no TELNYX_PUBLIC_KEY)');
  const body = telnyxReceivedEvent(opts);
  const init = { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(key, body) }, body };
  const base = services.config.NEXTAUTH_URL;
  // Over HTTP when we know our own address (the app); in-process otherwise (integration tests have no server).
  const res = base
    ? await fetch(new URL('/api/webhooks/telnyx', base), { ...init, signal: AbortSignal.timeout(10_000) })
    : await handleTelnyxWebhook(new Request('http://local/api/webhooks/telnyx', init), services);
  return res.status;
}
