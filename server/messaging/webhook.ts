import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { registrationRefs } from '@/db/registry/schema';
import { clientAddress } from '@/server/http/client-address';
import { readText } from '@/server/http/body';
import { LIMITS } from '@/server/http/limits';
import { storableText } from '@/server/inputs';
import { log } from '@/server/log';
import { registrationKindOf } from '@/server/numbers/regions';
import { enqueueRegistrationCheck } from '@/server/registration/progress';
import { withDeadline } from '@/server/registry';
import { requestIdFrom, runWithContext, setContextFields } from '@/server/observability/context';
import { countWebhook, type WebhookOutcome } from '@/server/observability/metrics';
import type { Services } from '@/server/services';
import { receive, type Received } from './inbound-delivery';
import { carrierCode } from './carrier-outcomes';
import { keywordOf } from './keywords';
import { verifyWebhook } from './signature';
import type { InboundPicture } from '@/server/media/inbound';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'config' | 'connections' | 'messaging' | 'profiles' | 'registry'>;

/**
 * POST /api/webhooks/telnyx. The order matters: read at most 256 KB (413), verify the signature over the raw body
 * (401), parse (400), route by our number through the registry, keep the event in the registry — and only then
 * answer 200. Delivery to the church's own database follows at once when it can take it, or later, in order, by its
 * drain job (server/messaging/inbound-delivery.ts): a church being moved, upgraded or down loses nothing. Only a
 * registry we cannot reach is a 503, and Telnyx delivers again later.
 */
// Whatever arrives is made storable (a NUL or a broken surrogate would otherwise fail the insert for ever).
const text = (max: number) => z.string().max(max).transform(storableText);
const number = z.object({ phone_number: text(32).pipe(z.string().trim().min(3)) });
const envelope = z.object({
  data: z.object({ event_type: z.string().max(100), id: z.string().max(200).optional(), payload: z.unknown() }),
});
const received = z.object({
  id: text(200).pipe(z.string().min(1)),
  from: number,
  to: z.array(number).min(1).max(20),
  text: text(10_000).nullish(),
  // A picture message's media. Read leniently: a link we cannot use is dropped, never the member's text with it.
  media: z
    .array(z.object({ url: z.string().max(4096).nullish(), content_type: z.string().max(200).nullish() }))
    .max(20)
    .nullish(),
});

/** The media Telnyx links (http or https only), as the fetch job reads them. */
const picturesOf = (media: z.infer<typeof received>['media']): InboundPicture[] =>
  (media ?? [])
    .filter((m): m is { url: string; content_type?: string | null } => !!m.url && /^https?:\/\//i.test(m.url))
    .map((m) => ({ url: m.url, contentType: m.content_type ?? null }));
const withMedia = (media: InboundPicture[]) => (media.length ? { media } : {});
const delivery = z.object({
  id: text(200).pipe(z.string().min(1)),
  from: number,
  to: z
    .array(number.extend({ status: z.string().max(50).optional() }))
    .min(1)
    .max(20),
  errors: z
    .array(
      z.object({
        code: z.union([z.string().max(1000), z.number()]).nullish(), // carrierCode keeps what a code needs
        title: text(1000).optional(),
        detail: text(1000).optional(),
      }),
    )
    .max(20)
    .optional(),
});

// 10DLC payloads name brandId/campaignId/phoneNumber; toll-free ones the request's id.
const id = z.string().max(200).nullish();
const registrationIds = z.object({
  brandId: id,
  campaignId: id,
  id,
  verificationRequestId: id,
  phoneNumber: id,
  phone_number: id,
});

type Outcome = { status: number; body: Record<string, unknown> };
const answer = (status: number, body: Record<string, unknown>): Outcome => ({ status, body });

export function handleTelnyxWebhook(request: Request, services: Deps): Promise<Response> {
  return runWithContext(
    { requestId: requestIdFrom(request.headers), ip: clientAddress(request.headers, services.config.TRUST_PROXY_HOPS) },
    async () => {
      const outcome = await handle(request, services).catch((err): Outcome => {
        // Nothing was kept (the registry did not answer, or something unexpected): ask Telnyx to retry.
        log.warn('telnyx webhook: not kept; asking for a retry', { err });
        return answer(503, { error: 'temporarily unavailable' });
      });
      countWebhook('telnyx', metricOutcome(outcome));
      return Response.json(outcome.body, {
        status: outcome.status,
        headers: outcome.status === 503 ? { 'retry-after': '5' } : {},
      });
    },
  );
}

/** The metrics' name for an answer: the same facts Telnyx was told. */
function metricOutcome({ status, body }: Outcome): WebhookOutcome {
  if (status !== 200)
    return status === 401
      ? 'unauthorized'
      : status === 413
        ? 'too_large'
        : status === 503
          ? 'unavailable'
          : 'bad_request';
  if ('ignored' in body) return 'ignored';
  return METRIC_NAMES[body.outcome as Received['outcome']];
}

const METRIC_NAMES: Record<Received['outcome'], WebhookOutcome> = {
  stored: 'stored',
  duplicate: 'duplicate',
  queued: 'queued', // kept in the registry, delivered when the church can take it
  dropped: 'ignored',
  updated: 'status_updated',
  unchanged: 'status_unchanged',
};

async function handle(request: Request, services: Deps): Promise<Outcome> {
  const raw = await readText(request, LIMITS.webhook); // stops reading at the limit, however the body is sent
  if (raw === null) return answer(413, { error: 'body too large' });
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
  if (type.startsWith('10dlc.') || type.startsWith('toll_free_verification.')) return onRegistration(services, payload);
  return answer(200, { ignored: type }); // other event types are acknowledged and not acted on
}

async function onReceived(services: Deps, payload: unknown): Promise<Outcome> {
  const parsed = received.safeParse(payload);
  if (!parsed.success) return answer(400, { error: 'malformed message.received payload' });
  const p = parsed.data;
  const to = p.to[0]!.phone_number;
  const text = p.text ?? '';
  const optOut = keywordOf(text) === 'stop';
  const tenantId = await services.messaging.numbers.tenantFor(to, { orClaimed: optOut });
  if (!tenantId) {
    log.warn('telnyx webhook: message for a number no church has; acknowledged', { to });
    return answer(200, { ignored: 'unknown number' });
  }
  setContextFields({ tenantId });
  const from = p.from.phone_number;
  const result = await receive(services, {
    tenantId,
    kind: 'received',
    key: `received:${p.id}`,
    sender: from,
    optOut, // a send to them waits for nothing while this is pending (sender.ts)
    payload: { providerMessageId: p.id, from, to, text, ...withMedia(picturesOf(p.media)) },
  });
  return answer(200, result);
}

async function onDelivery(services: Deps, type: string, payload: unknown): Promise<Outcome> {
  const parsed = delivery.safeParse(payload);
  if (!parsed.success) return answer(400, { error: `malformed ${type} payload` });
  const p = parsed.data;
  const tenantId = await services.messaging.numbers.tenantFor(p.from.phone_number, { orClaimed: true });
  if (!tenantId) return answer(200, { ignored: 'unknown number' });
  setContextFields({ tenantId });
  const status = deliveryStatus(type, p.to[0]!.status);
  if (!status) return answer(200, { ignored: `status ${p.to[0]!.status}` });
  const error =
    status === 'failed'
      ? p.errors
          ?.map((e) => e.detail ?? e.title)
          .filter(Boolean)
          .join('; ')
          .slice(0, 1000) || 'Not delivered'
      : null;
  const result = await receive(services, {
    tenantId,
    kind: 'status',
    key: `${type}:${p.id}:${status}`,
    payload: { providerMessageId: p.id, status, error, errorCode: status === 'failed' ? carrierCode(p.errors) : null },
  });
  return answer(200, result);
}

/**
 * A registration's status changed (10DLC brand, campaign or number; toll-free verification). Only its ids are read:
 * the church's registration check is queued to run now, and it asks Telnyx for the status itself (progress.ts), so a
 * webhook repeated, reordered or lost changes nothing the next look would not. Kept (queued) before the 200.
 */
async function onRegistration(services: Deps, payload: unknown): Promise<Outcome> {
  const fields = registrationIds.safeParse(payload);
  if (!fields.success) {
    // Signed by Telnyx, so not junk: a shape we do not read. The slow poll still finds what it would have said.
    log.warn('telnyx webhook: a registration event we cannot read; acknowledged', { issues: fields.error.issues });
    return answer(200, { ignored: 'unreadable registration event' });
  }
  const p = fields.data;
  const ids = [p.brandId, p.campaignId, p.id, p.verificationRequestId].filter((id): id is string => !!id);
  const [known] = ids.length
    ? await withDeadline(
        services.registry.db.select().from(registrationRefs).where(inArray(registrationRefs.ref, ids)),
        services.registry.timeoutMs,
      )
    : [];
  const phone = p.phoneNumber ?? p.phone_number;
  const byNumber = !known && phone ? await services.messaging.numbers.tenantFor(phone) : null;
  const church = known ?? (byNumber ? { tenantId: byNumber, kind: registrationKindOf(phone!) } : null);
  if (!church) return answer(200, { ignored: 'unknown registration' });
  setContextFields({ tenantId: church.tenantId });
  await withDeadline(
    enqueueRegistrationCheck(services.registry.db, church.tenantId, church.kind),
    services.registry.timeoutMs,
  );
  return answer(200, { outcome: 'queued' });
}

/** Telnyx's per-recipient status → ours. "delivery_unconfirmed" stays "sent": the carrier never said. */
function deliveryStatus(type: string, status: string | undefined): 'sent' | 'delivered' | 'failed' | null {
  if (status === 'delivered') return 'delivered';
  if (status === 'sending_failed' || status === 'delivery_failed' || status === 'expired') return 'failed';
  if (status === 'sent' || type === 'message.sent' || status === 'delivery_unconfirmed') return 'sent';
  return null;
}
