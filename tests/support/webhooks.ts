import net, { type AddressInfo } from 'node:net';
import { randomUUID, type KeyObject } from 'node:crypto';
import { phoneNumberIndex } from '@/db/registry/schema';
import { handleTelnyxWebhook } from '@/server/messaging/webhook';
import { signWebhook } from '@/server/messaging/signature';
import { telnyxDeliveryEvent, telnyxReceivedEvent } from '@/server/messaging/telnyx-events';
import type { Services } from '@/server/services';

/** Helpers for the webhook tests and benchmark: signed Telnyx events, posted to the real handler. */

let numberSeq = 0;
/** A valid, unused-looking US number per call (202-555-01xx style numbers are valid for libphonenumber). */
export const churchNumber = () => `+1202555${String(1000 + (++numberSeq % 9000)).padStart(4, '0')}`;
export const personNumber = (i: number) => `+1312555${String(i % 10_000).padStart(4, '0')}`;

/**
 * Route a number to a church straight in the registry (no procedure, no checks), registered with carriers as a live
 * number is: for webhook tests and benches.
 */
export async function routeNumberTo(services: Services, tenantId: string, e164 = churchNumber()) {
  await services.registry.db
    .insert(phoneNumberIndex)
    .values({ e164, tenantId, provider: 'simulated', registeredAt: new Date() });
  return e164;
}

export function post(services: Services, body: string, headers: Record<string, string>) {
  return handleTelnyxWebhook(
    new Request('http://test/api/webhooks/telnyx', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
    services,
  );
}

/** Post a signed event (signed with `key`, the deployment's local key unless given). */
export function postSigned(
  services: Services,
  body: string,
  key: KeyObject = services.messaging.signingKey!,
  timestamp?: number,
) {
  return post(services, body, signWebhook(key, body, timestamp));
}

export const received = (from: string, to: string, text: string, id = `msg-${randomUUID()}`) => ({
  id,
  body: telnyxReceivedEvent({ from, to, text, id }),
});

export const deliveryEvent = telnyxDeliveryEvent;

/**
 * A TCP proxy in front of a PostgreSQL server that a test can take down (every connection cut, new ones refused)
 * and bring back, to play an outage of the registry without touching the shared server.
 */
export class OutageProxy {
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  private down = false;
  port = 0;

  constructor(private target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  cut() {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore() {
    this.down = false;
  }

  async stop() {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
