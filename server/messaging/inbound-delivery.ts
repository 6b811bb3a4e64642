import type { TenantDb } from '@/db/tenant';
import { log } from '@/server/log';
import { isDatabaseOutage, RegistryUnavailableError } from '@/server/registry';
import type { Services } from '@/server/services';
import { ConnectionBudgetError } from '@/server/tenancy/connection-budget';
import { TenantNotFoundError } from '@/server/tenancy/connection-manager';
import { unavailableReason } from '@/server/tenancy/availability';
import { applyDeliveryStatus } from './delivery-status';
import { storeInbound } from './inbound';
import type { NewEvent, Pending, ReceivedPayload, StatusPayload } from './inbound-events';
import { enqueueSend } from './jobs';
import { enqueueSequenceRun } from '@/server/sequences/jobs';
import { enqueuePictureFetch } from '@/server/media/jobs';
import type { Wake } from '@/server/notifications/outbox';
import { wakeNotifications } from '@/server/notifications/wake';

/**
 * From the registry's holding area to the church's own database. A webhook stores its event in the registry first
 * (the only thing that must work for Telnyx to get its 200), then tries to deliver it at once; whatever cannot be
 * delivered now — the church is being moved, upgraded, or its database refuses connections — is delivered by the
 * church's drain job when it can take it: once (the church's database is unique by message id) and in order per
 * sender (a text never overtakes an older one from the same person).
 */
export type Received = { outcome: 'stored' | 'duplicate' | 'dropped' | 'queued' | 'updated' | 'unchanged' };

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'connections' | 'messaging' | 'profiles' | 'registry'>;

/** Store the event durably, then deliver it now if its turn has come and the church can take it. */
export async function receive(services: Deps, e: NewEvent): Promise<Received> {
  const queue = services.messaging.inbound;
  const { event, behind } = await queue.record(e); // the registry is down: this throws, and the webhook answers 503
  if (event.deliveredAt) return { outcome: 'duplicate' };
  if (behind) {
    // An older text from this sender is still waiting: this one is delivered after it, by the drain.
    await drainSoon(services, event.tenantId, 0);
    return { outcome: 'queued' };
  }
  try {
    return await deliver(services, event, { markLater: true });
  } catch (err) {
    await noteFailure(services, event, err);
    await drainSoon(services, event.tenantId, 5_000);
    return { outcome: 'queued' };
  }
}

/**
 * Deliver one event to its church's database and mark it delivered; throws when the church cannot take it now.
 * `markLater`: the webhook's own delivery leaves its removal to a batched write (see InboundQueue.deliveredSoon).
 * `wakes`: the drain collects the notification wakes of its batch and sends them in one go, after its events are
 * marked; otherwise they are woken here (grouped with other texts arriving at the same moment,
 * server/notifications/wake.ts). Either way a wake can be lost (a crash after the mark, or a registry that refused:
 * waking never throws); the rows owed are kept, and the worker's notification sweep (server/notifications/sweep.ts)
 * wakes anyone owed for two minutes, so nothing here waits on the wake.
 */
export async function deliver(
  services: Deps,
  event: Pending,
  opts: { markLater?: boolean; wakes?: Wake[] } = {},
): Promise<Received> {
  const queue = services.messaging.inbound;
  const mark = () => (opts.markLater ? queue.deliveredSoon(event.id) : queue.delivered(event.id));
  if (!event.payload) return { outcome: 'duplicate' }; // already delivered: its text was erased
  if (event.kind === 'status') {
    const updated = await withChurch(services, event.tenantId, (db) =>
      applyDeliveryStatus(db, event.payload as StatusPayload),
    );
    await mark();
    return { outcome: updated === null ? 'dropped' : updated ? 'updated' : 'unchanged' };
  }
  const text = event.payload as ReceivedPayload;
  const church = () => services.profiles.get(event.tenantId);
  const result = await withChurch(services, event.tenantId, (db) =>
    storeInbound(db, { ...text, receivedAt: event.receivedAt, seq: event.id }, church),
  );
  if (!result) {
    log.warn('inbound text for a church that no longer exists; dropped', { tenantId: event.tenantId });
    await mark();
    return { outcome: 'dropped' };
  }
  // The automatic reply (STOP, START, HELP) is queued before the event counts as delivered: if queueing fails, the
  // event is delivered again later, finds the stored text (a duplicate) and the reply still waiting, and queues it.
  for (const id of result.followUps) await enqueueSend(services.registry, event.tenantId, id);
  if (result.enrolled) await enqueueSequenceRun(services.registry, event.tenantId); // a keyword started a sequence
  for (const id of result.pictures ?? []) await enqueuePictureFetch(services.registry, event.tenantId, id);
  if (opts.wakes) opts.wakes.push(...(result.notify ?? []));
  else void wakeNotifications(services.registry, event.tenantId, result.notify); // never throws; not waited for
  await mark();
  return { outcome: result.duplicate ? 'duplicate' : 'stored' };
}

/**
 * One event set aside after this many failures that were not outages (see `drain`), so its church's other texts
 * flow.
 */
const MAX_EVENT_FAILURES = 20;
const BATCH = 100;

/**
 * The drain job's work: every waiting event of one church, oldest first, stopping at the first the church cannot
 * take. Returns how long to wait before trying again, or null when nothing is left.
 */
export async function drain(services: Deps, tenantId: string): Promise<number | null> {
  const wakes: Wake[] = [];
  try {
    return await drainBatches(services, tenantId, wakes);
  } finally {
    // Notifications of a batch cut short, woken in one registry statement rather than one per text (after the marks:
    // a wake lost here is made good by the notification sweep, see `deliver`).
    await wakeNotifications(services.registry, tenantId, wakes);
  }
}

async function drainBatches(services: Deps, tenantId: string, wakes: Wake[]): Promise<number | null> {
  const queue = services.messaging.inbound;
  for (;;) {
    const batch = await queue.pending(tenantId, BATCH);
    if (batch.length === 0) return null;
    for (const event of batch) {
      try {
        await deliver(services, event, { wakes });
      } catch (err) {
        const { attempts, failures } = await noteFailure(services, event, err);
        if (failures < MAX_EVENT_FAILURES) return retryDelay(attempts);
        // Not an outage, and failing again and again: a bug or bad data. Set it aside (kept) so the church's
        // other texts move on; an operator sees it in the log and the registry.
        log.error('inbound event set aside after repeated failures; kept in the registry for an operator', {
          tenantId,
          eventId: event.id,
          failures,
          err,
        });
        await queue.setAside(event.id);
      }
    }
    await wakeNotifications(services.registry, tenantId, wakes.splice(0)); // one statement per batch
    if (batch.length < BATCH) return null;
  }
}

/** 1 s, 2 s, 4 s … at most a minute between tries, however long the church is away. */
const retryDelay = (attempts: number) => Math.min(60_000, 1_000 * 2 ** Math.min(attempts, 6));

/** The church's drain job, soon; if even that fails, the worker's sweep queues it (server/jobs/maintenance.ts). */
async function drainSoon(services: Deps, tenantId: string, inMs: number) {
  await services.messaging.inbound.scheduleDrain(tenantId, { inMs, mode: 'preserve_run_at' }).catch((err) => {
    log.warn('inbound drain not queued; the sweep will queue it', { tenantId, err });
  });
}

async function noteFailure(services: Deps, event: Pending, err: unknown) {
  if (isOutage(err))
    log.warn('inbound event waits: its church cannot take it now', {
      tenantId: event.tenantId,
      eventId: event.id,
      err,
    });
  else
    log.error('inbound event not delivered; it will be tried again', {
      tenantId: event.tenantId,
      eventId: event.id,
      err,
    });
  return services.messaging.inbound
    .failedAttempt(event.id, err, isOutage(err))
    .catch(() => ({ attempts: event.attempts + 1, failures: 0 }));
}

/** A church (or the registry) that cannot be reached right now, as opposed to something wrong with the event. */
const isOutage = (err: unknown) =>
  RegistryUnavailableError.is(err) ||
  unavailableReason(err) !== null ||
  ConnectionBudgetError.is(err) ||
  isDatabaseOutage(err);

/**
 * The church's database; a church that no longer exists yields null (the event is dropped), anything else that stops
 * us throws (the event waits). Suspended and closed churches still take their texts (`forInbound`).
 */
async function withChurch<T>(services: Deps, tenantId: string, fn: (db: TenantDb) => Promise<T>): Promise<T | null> {
  try {
    return await services.connections.withTenant(tenantId, fn, services.messaging.gate);
  } catch (err) {
    if (TenantNotFoundError.is(err) || unavailableReason(err) === 'gone') return null;
    throw err;
  }
}
