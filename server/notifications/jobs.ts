import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { log } from '@/server/log';
import type { Registry } from '@/server/registry';
import type { Services } from '@/server/services';
import { unavailableReason } from '@/server/tenancy/availability';
import { runDigest } from './digest';
import { sendDueEmail } from './email';
import { type PushDeps, sendDuePushes } from './push';
import { DIGEST_TASK, digestJobKey, EMAIL_TASK, emailJobKey, enqueueJobs, PUSH_TASK, pushJobKey } from './wake';

/**
 * The notification jobs (wake.ts says which key each has): a person's batched email, their browser notifications,
 * and their daily digest. Each acts for one church and one person, reads what is owed from the church's database,
 * and is safe to run again (email.ts, push.ts and digest.ts say how).
 */

type Deps = Pick<Services, 'config' | 'connections' | 'profiles' | 'registry'> &
  Pick<PushDeps, 'pushAgent' | 'pushOrigins'>;

const payload = z.object({ tenantId: z.string().uuid(), adminId: z.string().uuid() });

/** Run `fn` on the church's database; a church paused for maintenance is waited for, one gone or closed is skipped. */
async function inChurch<T>(
  deps: Deps,
  tenantId: string,
  fn: (db: TenantDb) => Promise<T>,
): Promise<T | 'later' | null> {
  try {
    return await deps.connections.withTenant(tenantId, fn);
  } catch (err) {
    const reason = unavailableReason(err);
    if (reason === 'gone' || reason === 'closed') return null;
    if (reason === 'maintenance' || reason === 'upgrading') return 'later';
    throw err; // retried by the queue, with backoff
  }
}

const inAMinute = () => new Date(Date.now() + 60_000);

function again(
  registry: Registry,
  task: string,
  key: string,
  p: z.infer<typeof payload>,
  runAt: Date,
  mode: 'replace' | 'earliest',
) {
  return enqueueJobs(registry, [
    { task, payload: p, max_attempts: 10, job_key: key, run_at: runAt.toISOString(), mode },
  ]);
}

export function emailTask(deps: Deps): Task {
  return async (raw) => {
    const p = payload.parse(raw);
    const next = await inChurch(deps, p.tenantId, (db) => sendDueEmail(deps, db, p.tenantId, p.adminId));
    const at = next === 'later' ? inAMinute() : next;
    if (at) await again(deps.registry, EMAIL_TASK, emailJobKey(p.tenantId, p.adminId), p, at, 'earliest');
  };
}

export function pushTask(deps: Deps): Task {
  return async (raw) => {
    const p = payload.parse(raw);
    const done = await inChurch(deps, p.tenantId, (db) => sendDuePushes(deps, db, p.tenantId, p.adminId));
    // A church paused for maintenance: looked at again in a minute, as the email job does.
    if (done === 'later')
      await again(deps.registry, PUSH_TASK, pushJobKey(p.tenantId, p.adminId), p, inAMinute(), 'earliest');
  };
}

/** The digest is made again after every run, and after its last failed attempt too, so one bad day never ends it. */
export function digestTask(deps: Deps): Task {
  return async (raw, helpers) => {
    const p = payload.parse(raw);
    const key = digestJobKey(p.tenantId, p.adminId);
    let next: Date | 'later' | null;
    try {
      next = await inChurch(deps, p.tenantId, (db) => runDigest(deps, db, p.tenantId, p.adminId));
    } catch (err) {
      if (helpers.job.attempts < helpers.job.max_attempts) throw err;
      log.error('daily digest not sent after every attempt; tomorrow’s is queued', { ...p, err });
      next = new Date(Date.now() + 24 * 3600_000);
    }
    const at = next === 'later' ? inAMinute() : next;
    if (at) await again(deps.registry, DIGEST_TASK, key, p, at, 'replace');
  };
}

/** After a person changes their digest time: their job moves to the next such time. */
export function scheduleDigest(registry: Registry, tenantId: string, adminId: string, at: Date) {
  return again(registry, DIGEST_TASK, digestJobKey(tenantId, adminId), { tenantId, adminId }, at, 'replace');
}

export const notificationTasks = (deps: Deps): Record<string, Task> => ({
  [EMAIL_TASK]: emailTask(deps),
  [PUSH_TASK]: pushTask(deps),
  [DIGEST_TASK]: digestTask(deps),
});
