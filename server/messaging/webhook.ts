import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { churchProfile } from '@/server/church/profile';
import { log } from '@/server/log';
import { requestIdFrom, runWithContext, setContextFields } from '@/server/observability/context';
import { countWebhook, type WebhookOutcome } from '@/server/observability/metrics';
import type { Services } from '@/server/services';
import { hasCause } from '@/server/errors';
import { isDatabaseOutage } from '@/server/registry';
import { ConnectionBudgetError, TenantNotFoundError } from '@/server/tenancy/connection-manager';
import { unavailableReason } from '@/server/tenancy/availability';
import { RegistryUnavailableError } from '@/server/tenancy/resolver';
import { applyDeliveryStatus, storeInbound } from './inbound';
import { enqueueSend } from './jobs';
import { verifyWebhook } from './signature';

/**
 * POST /api/webhooks/telnyx. The order matters: verify the signature over the raw body (401), parse (400), route
 * by our number through the registry, store in the church's database, queue any reply — and only then answer 2xx.
 * If the registry or the church's database cannot be reached we answer 503, and Telnyx delivers again later.
 */
const MAX_BODY = 256 * 1024;

const number = z.object({ phone_number: z.string().trim().min(3).max(32) });
const envelope = z.object({ data: z.object({ event_type: z.string(), id: z.string().optional(), payload: z.unknown() }) });
const received = z.object({ id: z.string().min(1).max(200), from: number, to: z.array(number).min(1), text: z.string().max(10_000).nullish() });
const delivery = z.object({
  id: z.string().min(1).max(200),
  from: number,
  to: z.array(number.extend({ status: z.string().optional() })).min(1),
  errors: z.array(z.object({ title: z.string().optional(), detail: z.string().optional() })).optional(),
});

type Outcome = { status: number; body: Record<string, unknown> };
const answer = (status: number, body: Record<string, unknown>): Outcome => ({ status, body });

export function handleTelnyxWebhook(request: Request, services: Services): Promise<Response> {
  return runWithContext({ requestId: requestIdFrom(request.headers) }, async () => {
    const outcome = await handle(request, services).catch((err): Outcome => {
      // Whatever went wrong after the signature check, the event is not stored yet: ask Telnyx to retry.
      if (isOutage(err)) log.warn('telnyx webhook: a database is unreachable; asking for a retry', { err });
      else log.error('telnyx webhook: not stored, asking for a retry', { err });
      return answer(503, { error: 'temporarily unavailable' });
    });
    countWebhook('telnyx', metricOutcome(outcome));
    return Response.json(outcome.body, { status: outcome.status, headers: outcome.status === 503 ? { 'retry-after': '5' } : {} });
  });
}

/** The metrics' name for an answer: the same facts Telnyx was told. */
function metricOutcome({ status, body }: Outcome): WebhookOutcome {
  if (status === 200) {
    if ('ignored' in body) return 'ignored';
    if ('updated' in body) return body.updated ? 'status_updated' : 'status_unchanged';
    return body.duplicate ? 'duplicate' : 'stored';
  }
  return status === 401 ? 'unauthorized' : status === 413 ? 'too_large' : status === 503 ? 'unavailable' : 'bad_request';
}

async function handle(request: Request, services: Services): Promise<Outcome> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY) return answer(413, { error: 'body too large' });
  const raw = await request.text();
  if (raw.length > MAX_BODY) return answer(413, { error: 'body too large' });
  const check = verifyWebhook(services.messaging.verifyKey, raw, request.headers);
  if (!check.ok) {
    log.warn('telnyx webhook: rejected signature', { reason: check.reason });
    return answer(401, { error: 'invalid signature' });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return answer(400, { error: 'body is not JSON' });
  }
  const event = envelope.safeParse(json);
  if (!event.success) return answer(400, { error: 'not a Telnyx event' });
  const { event_type: type, payload } = event.data.data;
  if (type === 'message.received') return onReceived(services, payload);
  if (type === 'message.sent' || type === 'message.finalized') return onDelivery(services, type, payload);
  return answer(200, { ignored: type }); // other event types are acknowledged and not acted on
}

async function onReceived(services: Services, payload: unknown): Promise<Outcome> {
  const parsed = received.safeParse(payload);
  if (!parsed.success) return answer(400, { error: 'malformed message.received payload' });
  const p = parsed.data;
  const to = p.to[0]!.phone_number;
  const tenantId = await services.messaging.numbers.tenantFor(to);
  if (!tenantId) {
    log.warn('telnyx webhook: message for a number no church has; acknowledged', { to });
    return answer(200, { ignored: 'unknown number' });
  }
  setContextFields({ tenantId });
  const church = () => churchProfile(services.registry, tenantId, services.config.REGISTRY_TIMEOUT_MS);
  const result = await withChurch(services, tenantId, (db) =>
    storeInbound(db, { providerMessageId: p.id, from: p.from.phone_number, to, text: p.text ?? '' }, church),
  );
  if (!result) return answer(200, { ignored: 'church not found' });
  // Replies are queued after the message is stored; if queueing fails the 503 brings the event back, and the
  // replay (a duplicate) hands the still-unqueued reply back here.
  for (const id of result.followUps) await enqueueSend(services.registry, tenantId, id);
  return answer(200, { stored: !result.duplicate, duplicate: result.duplicate });
}

async function onDelivery(services: Services, type: string, payload: unknown): Promise<Outcome> {
  const parsed = delivery.safeParse(payload);
  if (!parsed.success) return answer(400, { error: `malformed ${type} payload` });
  const p = parsed.data;
  const tenantId = await services.messaging.numbers.tenantFor(p.from.phone_number);
  if (!tenantId) return answer(200, { ignored: 'unknown number' });
  setContextFields({ tenantId });
  const status = deliveryStatus(type, p.to[0]!.status);
  if (!status) return answer(200, { ignored: `status ${p.to[0]!.status}` });
  const error = status === 'failed' ? p.errors?.map((e) => e.detail ?? e.title).filter(Boolean).join('; ') || 'Not delivered' : null;
  const updated = await withChurch(services, tenantId, (db) => applyDeliveryStatus(db, { providerMessageId: p.id, status, error }));
  return answer(200, { updated: !!updated });
}

/** The registry or a church's database is down or full: expected in operations, logged as a warning. */
const isOutage = (err: unknown) =>
  RegistryUnavailableError.is(err) || unavailableReason(err) !== null || ConnectionBudgetError.is(err) || isDatabaseOutage(err);

/** Telnyx's per-recipient status → ours. "delivery_unconfirmed" stays "sent": the carrier never said. */
function deliveryStatus(type: string, status: string | undefined): 'sent' | 'delivered' | 'failed' | null {
  if (status === 'delivered') return 'delivered';
  if (status === 'sending_failed' || status === 'delivery_failed') return 'failed';
  if (status === 'sent' || type === 'message.sent' || status === 'delivery_unconfirmed') return 'sent';
  return null;
}

/**
 * The church's database; a church that no longer exists yields null (acknowledged), anything else throws (503).
 * Suspended and closed churches still store texts; one being moved or upgraded answers 503 until it is back.
 */
async function withChurch<T>(services: Services, tenantId: string, fn: (db: TenantDb) => Promise<T>): Promise<T | null> {
  try {
    return await services.connections.withTenant(tenantId, fn, services.messaging.gate);
  } catch (err) {
    if (TenantNotFoundError.is(err) || unavailableReason(err) === 'gone') return null;
    throw err;
  }
}
