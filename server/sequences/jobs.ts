import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import { type Registry, withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { unavailableReason } from '@/server/tenancy/availability';
import type { TenantDb } from '@/db/tenant';
import { waitingToSchedule } from './enroll';
import { runSequences } from './runner';

/**
 * One durable job per church runs its sequences (runner.ts): keyed `sequences:<church>`, it always waits for the
 * earliest moment anything is due, and puts itself back for the next. Anything that enrolls someone (or resumes a
 * sequence) wakes it; a wake lost to a crash is caught up within the hour (runner.ts, LOOK_AGAIN_MS).
 */
export const SEQUENCES_TASK = 'run_sequences';

const payload = z.object({ tenantId: z.string().uuid() });

/** Run the church's sequences at `runAt` (default now), unless a run is already waiting to start sooner. */
export function enqueueSequenceRun(registry: Registry, tenantId: string, runAt = new Date()) {
  const job = addJobInTransaction(
    registry.db,
    SEQUENCES_TASK,
    { tenantId },
    { jobKey: `sequences:${tenantId}`, maxAttempts: 10, runAt, mode: 'earliest' },
  );
  return withDeadline(job, registry.timeoutMs);
}

/** After a write that may have enrolled someone: wake the runner now. Never fails the caller's (committed) write. */
export async function wakeSequences(deps: Pick<Services, 'registry'>, tenantId: string, enrolled: boolean) {
  if (!enrolled) return;
  await enqueueSequenceRun(deps.registry, tenantId).catch((err) =>
    log.warn('sequence run not woken; the hourly look catches it up', { tenantId, err }),
  );
}

/** After an admin's write that may have added a sequence's tag: wake the runner if someone was enrolled. */
export async function wakeIfEnrolled(deps: Pick<Services, 'registry'>, db: TenantDb, tenantId: string) {
  await wakeSequences(deps, tenantId, await waitingToSchedule(db));
}

type Deps = Pick<Services, 'access' | 'config' | 'connections' | 'messaging' | 'profiles' | 'registry'>;

export function sequencesTask(services: Deps): Task {
  return async (raw) => {
    const { tenantId } = payload.parse(raw);
    let next: Date | null;
    try {
      next = await services.connections.withTenant(tenantId, (db) => runSequences(services, db, tenantId));
    } catch (err) {
      const reason = unavailableReason(err);
      if (reason === 'gone') return;
      if (reason === 'maintenance' || reason === 'upgrading') next = new Date(Date.now() + 60_000);
      else if (reason === 'closed')
        next = new Date(Date.now() + 60 * 60_000); // texts nobody; may be reopened
      else throw err; // retried by the queue, with backoff
    }
    if (next) await enqueueSequenceRun(services.registry, tenantId, next);
  };
}
