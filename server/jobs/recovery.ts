import os from 'node:os';
import type postgres from 'postgres';
import { log } from '@/server/log';
import { PROVISION_TASK, provisionJobKey } from './queue';

/**
 * graphile-worker keeps a crashed worker's jobs locked for 4 hours. We do better: live workers heartbeat into the
 * registry, and any worker silent for `staleSeconds` has its jobs unlocked so another worker resumes them at once.
 * Provisioning jobs whose queue job vanished (e.g. deleted by an operator) are re-enqueued.
 */
export async function recoverOnce(
  sql: postgres.Sql,
  workerIds: Iterable<string>,
  opts: { staleSeconds: number; maxAttempts: number },
) {
  const ids = [...workerIds];
  if (ids.length) {
    await sql`insert into queue_workers (worker_id, host) select unnest(${ids}::text[]), ${os.hostname()}
              on conflict (worker_id) do update set seen_at = now()`;
  }
  const stale = await sql<{ worker_id: string }[]>`
    delete from queue_workers where seen_at < now() - make_interval(secs => ${opts.staleSeconds}) returning worker_id`;
  if (stale.length) {
    const dead = stale.map((r) => r.worker_id);
    await sql`select steeple_unlock_workers(${dead}::text[])`;
    log.warn('unlocked jobs of silent queue workers', { workers: dead });
  }
  const orphans = await sql<{ id: string; tenant_id: string }[]>`
    select p.id, p.tenant_id from provisioning_jobs p
    where p.state in ('queued', 'provisioning') and p.updated_at < now() - make_interval(secs => ${opts.staleSeconds})
      and not exists (select 1 from graphile_worker.jobs j
                       -- the key without the church id is how jobs queued before an upgrade are named
                       where j.key in ('provision:' || p.tenant_id || ':' || p.id, 'provision:' || p.id))`;
  for (const { id, tenant_id } of orphans) {
    await sql`select steeple_enqueue(${PROVISION_TASK}, json_build_object('jobId', ${id}::text),
                                     ${opts.maxAttempts}::int, ${provisionJobKey(tenant_id, id)})`;
    log.warn('re-enqueued orphaned provisioning job', { jobId: id });
  }
  return { unlocked: stale.length, requeued: orphans.length };
}

export async function forgetWorkers(sql: postgres.Sql, workerIds: Iterable<string>) {
  const ids = [...workerIds];
  if (ids.length) await sql`delete from queue_workers where worker_id = any(${ids}::text[])`;
}
