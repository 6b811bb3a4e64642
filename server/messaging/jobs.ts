import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { addJobInTransaction } from '@/server/jobs/queue';
import { type Registry, withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import type { TenantDb } from '@/db/tenant';
import { unavailableReason } from '@/server/tenancy/availability';
import { log } from '@/server/log';
import { broadcastRefusal } from '@/server/billing/allowance';
import { markBroadcastFailed, plannedSegments, runBroadcast } from './broadcaster';
import { drain } from './inbound-delivery';
import { DRAIN_TASK } from './inbound-queue';
import { STEEPLE_CODES } from './carrier-outcomes';
import { failIfQueued, sendOne, WORKSPACE_CLOSED } from './sender';
import { continueSeries } from './series-occurrences';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'access' | 'config' | 'connections' | 'messaging' | 'profiles' | 'registry'>;

/**
 * Texting's durable jobs, on the same queue as provisioning (and the inbound drain, inbound-delivery.ts). A job is
 * keyed by what it acts on, so queueing the same message twice yields one job; and each job is safe to run again (the
 * message row decides what happens).
 */
export const SEND_TASK = 'send_message';
export const BROADCAST_TASK = 'run_broadcast';

const sendPayload = z.object({ tenantId: z.string().uuid(), messageId: z.string().uuid() });
const broadcastPayload = z.object({ tenantId: z.string().uuid(), broadcastId: z.string().uuid() });
const drainPayload = z.object({ tenantId: z.string().uuid() });

/** Queue the send of one message (at `runAt`, or now), within the registry's deadline. */
export function enqueueSend(registry: Registry, tenantId: string, messageId: string, runAt?: Date) {
  // Keys name the church too: ids are only unique within one church's database.
  const job = addJobInTransaction(
    registry.db,
    SEND_TASK,
    { tenantId, messageId },
    { jobKey: `send:${tenantId}:${messageId}`, maxAttempts: 8, runAt },
  );
  return withDeadline(job, registry.timeoutMs);
}

/** Queue a broadcast's run (at `runAt`, or now), within the registry's deadline. */
export function enqueueBroadcast(registry: Registry, tenantId: string, broadcastId: string, runAt?: Date) {
  const job = addJobInTransaction(
    registry.db,
    BROADCAST_TASK,
    { tenantId, broadcastId },
    { jobKey: `broadcast:${tenantId}:${broadcastId}`, maxAttempts: 10, runAt },
  );
  return withDeadline(job, registry.timeoutMs);
}

/** One church's broadcast jobs, as `(broadcastId, runAt) => …`: what a repeating broadcast's dates are queued with. */
export const broadcastQueue =
  (registry: Registry, tenantId: string) =>
  (broadcastId: string, runAt: Date): Promise<unknown> =>
    enqueueBroadcast(registry, tenantId, broadcastId, runAt);

const SAFETY_NET_MS = 30_000;

/**
 * The row lives in the church's database and its job in the registry, so no transaction spans both. The job is
 * therefore queued first, `SAFETY_NET_MS` late, then the row is written, then the same job (same key) is moved to
 * `runAt`. A crash after the write still runs the job half a minute later; a crash before it runs a job that finds
 * no row and does nothing. If only the final move fails, the safety net sends it: the admin is not told "failed".
 */
export async function writeThenRun<T>(
  enqueue: (runAt: Date) => Promise<unknown>,
  runAt: Date,
  write: () => Promise<T>,
): Promise<T> {
  await enqueue(new Date(Math.max(runAt.getTime(), Date.now() + SAFETY_NET_MS)));
  const written = await write();
  await enqueue(runAt).catch((err) => log.warn('job not moved forward; its safety net will run it', { err }));
  return written;
}

const READ_ONLY_NOT_SENT = 'Not sent: the workspace is read-only because its subscription is not active.';

/** A church under maintenance or being upgraded is waited for (checked every minute), not failed after 8 tries. */
const PAUSED_RETRY_MS = 60_000;

/**
 * What a job does when its church is not available. Paused (maintenance, upgrading): wait for it. Closed: say so on
 * the text or broadcast (it may be reopened, and must not find them still pending) and end. Purged: just end.
 * Anything else (a church still provisioning, an outage) is thrown, for the queue's retries.
 */
async function unlessUnavailable(
  work: () => Promise<void>,
  on: { later: (runAt: Date) => Promise<unknown>; closed: () => Promise<unknown> },
) {
  try {
    await work();
  } catch (err) {
    const reason = unavailableReason(err);
    if (reason === 'maintenance' || reason === 'upgrading')
      await on.later(new Date(Date.now() + PAUSED_RETRY_MS)); // a fresh job under the same key
    else if (reason === 'closed') await on.closed();
    else if (reason !== 'gone') throw err;
  }
}

export function messagingTasks(services: Deps): Record<string, Task> {
  const { registry } = services;
  // A closed church's database is still there (and reachable the way its inbound texts are) until it is purged.
  const inClosedChurch = <T>(tenantId: string, fn: (db: TenantDb) => Promise<T>) =>
    services.connections.withTenant(tenantId, fn, services.messaging.gate);
  return {
    // A church's waiting inbound texts, in order; while it cannot take them, the job comes back (at most a minute
    // later).
    [DRAIN_TASK]: async (payload) => {
      const { tenantId } = drainPayload.parse(payload);
      const retryInMs = await drain(services, tenantId);
      if (retryInMs !== null) await services.messaging.inbound.scheduleDrain(tenantId, { inMs: retryInMs });
    },
    [SEND_TASK]: async (payload, helpers) => {
      const { tenantId, messageId } = sendPayload.parse(payload);
      await unlessUnavailable(() => send(tenantId, messageId, helpers), {
        later: (at) => enqueueSend(registry, tenantId, messageId, at),
        closed: () =>
          inClosedChurch(tenantId, (db) => failIfQueued(db, messageId, WORKSPACE_CLOSED, STEEPLE_CODES.closed)),
      });
    },
    [BROADCAST_TASK]: async (payload, helpers) => {
      const { tenantId, broadcastId } = broadcastPayload.parse(payload);
      await unlessUnavailable(() => broadcast(tenantId, broadcastId, helpers), {
        later: (at) => enqueueBroadcast(registry, tenantId, broadcastId, at),
        closed: () =>
          inClosedChurch(tenantId, async (db) => {
            // The series goes on (each date failing while closed), so a church reopened finds it still running.
            await nextOfSeries(db, tenantId, broadcastId, true);
            await markBroadcastFailed(db, broadcastId, 'Not sent: the workspace was closed.');
          }),
      });
    },
  };

  /**
   * For a date of a series, make the next one. Failing that (the registry or database busy), the job is tried again;
   * on its last try this date still goes out, and the series page makes the missing date when next looked at
   * (listSeries), rather than the date being left scheduled in the past with the series stopped behind it.
   */
  async function nextOfSeries(db: TenantDb, tenantId: string, broadcastId: string, lastTry: boolean) {
    await continueSeries(db, broadcastQueue(registry, tenantId), broadcastId).catch((err) => {
      if (!lastTry) throw err;
      log.error('the next date of a repeating broadcast was not made', { err, tenantId, broadcastId });
    });
  }

  async function send(tenantId: string, messageId: string, helpers: Parameters<Task>[1]) {
    const finalAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    const outcome = await services.connections.withTenant(tenantId, (db) =>
      sendOne(services.messaging, db, tenantId, messageId, { finalAttempt }),
    );
    // Held in "sending" by a worker that may have died: look again later (after 10 minutes it is marked failed).
    if (outcome === 'in_flight' && !finalAttempt)
      throw new Error(`message ${messageId} is still marked as sending; checking again later`);
  }

  async function broadcast(tenantId: string, broadcastId: string, helpers: Parameters<Task>[1]) {
    const finalAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    await services.connections.withTenant(tenantId, async (db) => {
      // A date of a repeating broadcast makes the series' next date first, whatever becomes of this one.
      await nextOfSeries(db, tenantId, broadcastId, finalAttempt);
      // A church that went read-only (its subscription ended) since scheduling does not text anyone.
      if ((await services.access.get(tenantId)).readOnly)
        return markBroadcastFailed(db, broadcastId, READ_ONLY_NOT_SENT);
      // A trial's daily allowance is checked again when it starts: the inbox may have used it up since.
      const { name: churchName, timezone } = await services.profiles.get(tenantId);
      const planned = await plannedSegments(db, broadcastId, { name: churchName, timezone });
      const refusal = planned === null ? null : await broadcastRefusal(services, db, tenantId, planned);
      if (refusal) return markBroadcastFailed(db, broadcastId, `Not sent. ${refusal}`);
      const run = { finalAttempt, churchName, timezone };
      const { heldUntil } = await runBroadcast(services.messaging, db, tenantId, broadcastId, run).catch(
        async (err) => {
          // Out of attempts: say so on the broadcast rather than leave it "sending" for ever.
          if (finalAttempt)
            await markBroadcastFailed(db, broadcastId, 'Not sent: it failed several times. Please try again.');
          throw err;
        },
      );
      // Texts held for quiet hours: this job comes back when the first of them may leave.
      if (heldUntil) await enqueueBroadcast(registry, tenantId, broadcastId, heldUntil);
    });
  }
}
