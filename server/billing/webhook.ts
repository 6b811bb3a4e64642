import type Stripe from 'stripe';
import { stripeEvents } from '@/db/registry/schema';
import { clientAddress } from '@/server/http/client-address';
import { readText, tooLarge } from '@/server/http/body';
import { LIMITS } from '@/server/http/limits';
import { log } from '@/server/log';
import { requestIdFrom, runWithContext, setContextFields } from '@/server/observability/context';
import { countWebhook, type WebhookOutcome } from '@/server/observability/metrics';
import { isDatabaseOutage, RegistryUnavailableError, withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { record } from '@/server/activity/record';
import { unavailableReason } from '@/server/tenancy/availability';
import { applyEvent, HANDLED, tenantOf, type BillingChange } from './events';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'access' | 'billing' | 'config' | 'connections' | 'messaging' | 'registry'>;

/**
 * POST /api/webhooks/stripe: verify the signature over the raw body (400 when it fails), then record the event id
 * and apply its effect in one registry transaction — a replay or a concurrent duplicate finds the id and does
 * nothing — and only then answer 200. A registry outage is a 503, and Stripe delivers the event again.
 */
export function handleStripeWebhook(request: Request, services: Deps): Promise<Response> {
  return runWithContext(
    { requestId: requestIdFrom(request.headers), ip: clientAddress(request.headers, services.config.TRUST_PROXY_HOPS) },
    async () => {
      const { outcome, response } = await handle(request, services);
      countWebhook('stripe', outcome);
      return response;
    },
  );
}

/** The answer, and what the metrics call it. */
const reply = (outcome: WebhookOutcome, body: Record<string, unknown>, init?: ResponseInit) => ({
  outcome,
  response: Response.json(body, init),
});

async function handle(request: Request, services: Deps) {
  const billing = services.billing;
  if (!billing) return reply('not_configured', { error: 'billing is not configured' }, { status: 404 });
  const raw = await readText(request, LIMITS.webhook);
  if (raw === null) return { outcome: 'too_large' as const, response: tooLarge() };
  let event: Stripe.Event;
  try {
    event = billing.stripe.webhooks.constructEvent(
      raw,
      request.headers.get('stripe-signature') ?? '',
      billing.webhookSecret,
    );
  } catch (err) {
    log.warn('stripe webhook: rejected signature', { reason: (err as Error).message });
    return reply('unauthorized', { error: 'invalid signature' }, { status: 400 });
  }
  if (!(HANDLED as readonly string[]).includes(event.type)) return reply('ignored', { ignored: event.type });
  try {
    // With a deadline: an unreachable registry would otherwise hold the request until it returns. A transaction that
    // still commits after we answered 503 is harmless: Stripe's retry then finds the event id and does nothing.
    const work = services.registry.db.transaction(async (tx) => {
      const tenantId = await tenantOf(tx, event);
      // Unknown customer: not recorded, so a redelivery after the customer is known still applies.
      if (!tenantId) return { duplicate: false, tenantId };
      const [fresh] = await tx
        .insert(stripeEvents)
        .values({ id: event.id, type: event.type, tenantId })
        .onConflictDoNothing()
        .returning({ id: stripeEvents.id });
      if (!fresh) return { duplicate: true, tenantId };
      const change = await applyEvent(tx, tenantId, event);
      if (change) await logChange(services, tenantId, event.id, change);
      return { duplicate: false, tenantId };
    });
    const outcome = await withDeadline(work, services.config.REGISTRY_TIMEOUT_MS * 3);
    if (!outcome.tenantId) {
      log.warn('stripe webhook: event for a customer no church has; acknowledged', { id: event.id, type: event.type });
      return reply('ignored', { received: true, duplicate: false });
    }
    setContextFields({ tenantId: outcome.tenantId });
    services.access.forget(outcome.tenantId);
    return reply(outcome.duplicate ? 'duplicate' : 'stored', { received: true, duplicate: outcome.duplicate });
  } catch (err) {
    if (isDatabaseOutage(err) || RegistryUnavailableError.is(err))
      log.warn('stripe webhook: registry unreachable; asking for a retry', { id: event.id, err });
    else log.error('stripe webhook: not applied; asking for a retry', { id: event.id, err });
    return reply(
      'unavailable',
      { error: 'temporarily unavailable' },
      { status: 503, headers: { 'retry-after': '10' } },
    );
  }
}

/**
 * The change in the church's activity log, written before the registry transaction commits: a failure to write it
 * rolls the change back and Stripe delivers the event again (the row is keyed by the event, so a commit lost after
 * it is not a second row). A church whose database is unavailable (moving, being upgraded, gone) is not held up:
 * its billing changes without the row, said in the server log.
 */
async function logChange(services: Deps, tenantId: string, eventId: string, change: BillingChange) {
  const entry = { ...change, by: { system: 'Stripe' as const }, once: eventId, ip: null };
  try {
    await services.connections.withTenant(tenantId, (db) => record(db, entry), services.messaging.gate);
  } catch (err) {
    if (!unavailableReason(err)) throw err;
    log.warn('stripe webhook: activity log not written, the church is unavailable', { id: eventId, err });
  }
}
