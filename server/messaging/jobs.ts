import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { addJobInTransaction } from '@/server/jobs/queue';
import type { Registry } from '@/server/registry';
import type { Services } from '@/server/services';
import type { TenantDb } from '@/db/tenant';
import { unavailableReason } from '@/server/tenancy/availability';
import { withDeadline } from '@/server/tenancy/resolver';
import { log } from '@/server/log';
import { markBroadcastFailed, runBroadcast } from './broadcaster';
import { failIfQueued, sendOne, WORKSPACE_CLOSED } from './sender';

/**
 * Texting's two durable jobs, on the same queue as provisioning. A job is keyed by what it acts on, so queueing the
 * same message twice yields one job; and each job is safe to run again (the message row decides what happens).
 */
export const SEND_TASK = 'send_message';
export const BROADCAST_TASK = 'run_broadcast';

const sendPayload = z.object({ tenantId: z.string().uuid(), messageId: z.string().uuid() });
const broadcastPayload = z.object({ tenantId: z.string().uuid(), broadcastId: z.string().uuid() });

export function enqueueSend(registry: Registry, tenantId: string, messageId: string, timeoutMs = 2_000, runAt?: Date) {
  const job = addJobInTransaction(registry.db, SEND_TASK, { tenantId, messageId }, { jobKey: `send:${messageId}`, maxAttempts: 8, runAt });
  return withDeadline(job, timeoutMs);
}

export function enqueueBroadcast(registry: Registry, tenantId: string, broadcastId: string, runAt: Date, timeoutMs = 2_000) {
  const job = addJobInTransaction(registry.db, BROADCAST_TASK, { tenantId, broadcastId }, { jobKey: `broadcast:${broadcastId}`, maxAttempts: 10, runAt });
  return withDeadline(job, timeoutMs);
}

const SAFETY_NET_MS = 30_000;

/**
 * The row lives in the church's database and its job in the registry, so no transaction spans both. The job is
 * therefore queued first, `SAFETY_NET_MS` late, then the row is written, then the same job (same key) is moved to
 * `runAt`. A crash after the write still runs the job half a minute later; a crash before it runs a job that finds
 * no row and does nothing. If only the final move fails, the safety net sends it: the admin is not told "failed".
 */
export async function writeThenRun<T>(enqueue: (runAt: Date) => Promise<unknown>, runAt: Date, write: () => Promise<T>): Promise<T> {
  await enqueue(new Date(Math.max(runAt.getTime(), Date.now() + SAFETY_NET_MS)));
  const written = await write();
  await enqueue(runAt).catch((err) => log.warn('job not moved forward; its safety net will run it', { err }));
  return written;
}

/** A church under maintenance or being upgraded is waited for (checked every minute), not failed after 8 tries. */
const PAUSED_RETRY_MS = 60_000;

/**
 * What a job does when its church is not available. Paused (maintenance, upgrading): wait for it. Closed: say so on
 * the text or broadcast (it may be reopened, and must not find them still pending) and end. Purged: just end.
 * Anything else (a church still provisioning, an outage) is thrown, for the queue's retries.
 */
async function unlessUnavailable(work: () => Promise<void>, on: { later: (runAt: Date) => Promise<unknown>; closed: () => Promise<unknown> }) {
  try {
    await work();
  } catch (err) {
    const reason = unavailableReason(err);
    if (reason === 'maintenance' || reason === 'upgrading') await on.later(new Date(Date.now() + PAUSED_RETRY_MS)); // a fresh job under the same key
    else if (reason === 'closed') await on.closed();
    else if (reason !== 'gone') throw err;
  }
}

export function messagingTasks(services: Services): Record<string, Task> {
  const { registry } = services;
  // A closed church's database is still there (and reachable the way its inbound texts are) until it is purged.
  const inClosedChurch = <T>(tenantId: string, fn: (db: TenantDb) => Promise<T>) => services.connections.withTenant(tenantId, fn, services.messaging.gate);
  return {
    [SEND_TASK]: async (payload, helpers) => {
      const { tenantId, messageId } = sendPayload.parse(payload);
      await unlessUnavailable(() => send(tenantId, messageId, helpers), {
        later: (at) => enqueueSend(registry, tenantId, messageId, 2_000, at),
        closed: () => inClosedChurch(tenantId, (db) => failIfQueued(db, messageId, WORKSPACE_CLOSED)),
      });
    },
    [BROADCAST_TASK]: async (payload, helpers) => {
      const { tenantId, broadcastId } = broadcastPayload.parse(payload);
      await unlessUnavailable(() => broadcast(tenantId, broadcastId, helpers), {
        later: (at) => enqueueBroadcast(registry, tenantId, broadcastId, at),
        closed: () => inClosedChurch(tenantId, (db) => markBroadcastFailed(db, broadcastId)),
      });
    },
  };

  async function send(tenantId: string, messageId: string, helpers: Parameters<Task>[1]) {
    const finalAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    const outcome = await services.connections.withTenant(tenantId, (db) => sendOne(services.messaging, db, tenantId, messageId, { finalAttempt }));
    // Held in "sending" by a worker that may have died: look again later (after 10 minutes it is marked failed).
    if (outcome === 'in_flight' && !finalAttempt) throw new Error(`message ${messageId} is still marked as sending; checking again later`);
  }

  async function broadcast(tenantId: string, broadcastId: string, helpers: Parameters<Task>[1]) {
    const finalAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    // A church that went read-only (its subscription ended) since scheduling does not text anyone.
    if ((await services.access.get(tenantId)).readOnly) {
      await services.connections.withTenant(tenantId, (db) => markBroadcastFailed(db, broadcastId));
      return;
    }
    await services.connections.withTenant(tenantId, (db) =>
      runBroadcast(services.messaging, db, tenantId, broadcastId, { finalAttempt }).catch(async (err) => {
        // Out of attempts: say so on the broadcast rather than leave it "sending" for ever.
        if (finalAttempt) await markBroadcastFailed(db, broadcastId);
        throw err;
      }),
    );
  }
}
