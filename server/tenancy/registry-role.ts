import { createHmac } from 'node:crypto';
import type postgres from 'postgres';
import { ensureRole } from './cluster';
import { ident, type Naming } from './naming';

/**
 * Request traffic reaches the registry through its own login role with row rights only (no DDL, no other
 * database); the privileged DATABASE_URL user is kept for provisioning and migrations. The role's password is
 * derived from STEEPLE_SECRET_KEY, so there is no extra secret to store or distribute.
 */
const registryAppRole = (naming: Naming) => `${naming.prefix}_app`;

const password = (naming: Naming, secretKey: string) =>
  createHmac('sha256', Buffer.from(secretKey, 'base64')).update(`registry-app:${naming.prefix}`).digest('base64url');

export function registryAppUrl(adminUrl: string, naming: Naming, secretKey: string): string {
  const u = new URL(adminUrl);
  u.username = registryAppRole(naming);
  u.password = password(naming, secretKey);
  return u.toString();
}

/** Create or refresh the role and its rights on the registry's tables and the queue's. Run after migrations. */
export async function ensureRegistryAppRole(
  sql: postgres.Sql,
  registryName: string,
  naming: Naming,
  secretKey: string,
) {
  await ensureRole(
    sql,
    registryAppRole(naming),
    'login nosuperuser nocreatedb nocreaterole noreplication',
    password(naming, secretKey),
  );
  const role = ident(registryAppRole(naming));
  await sql.unsafe(`
    grant connect on database ${ident(registryName)} to ${role};
    grant usage on schema public to ${role};
    grant select, insert, update, delete on all tables in schema public to ${role};
    grant usage, select on all sequences in schema public to ${role};
    grant usage on schema graphile_worker to ${role};
    grant select on graphile_worker.jobs to ${role};
  `);
  // The queue's tables use row-level security with no policies, so the app role enqueues and unlocks through
  // these two functions, which run as their owner (the privileged user that owns the queue).
  await sql.unsafe(`
    drop function if exists public.steeple_enqueue(text, json, int, text); -- superseded by the forms below
    drop function if exists public.steeple_enqueue(text, json, int, text, timestamptz);
    drop function if exists public.steeple_enqueue(text, json, int, text, timestamptz, text);
    create or replace function public.steeple_enqueue(task text, payload json, max_attempts int, job_key text,
                                                      run_at timestamptz default null,
                                                      job_key_mode text default 'replace',
                                                      queue_name text default null) returns void
      language plpgsql security definer set search_path = pg_catalog
      as $fn$
      begin
        -- 'earliest' (ours): a job already waiting under the key that runs sooner stays; otherwise it moves to run_at.
        if job_key_mode = 'earliest' then
          perform pg_advisory_xact_lock(hashtext(job_key));
          -- (a job out of attempts keeps its key but will never run: it is replaced, as 'replace' would)
          if exists (select 1 from graphile_worker.jobs j
                      where j.key = job_key and j.locked_at is null and j.attempts < j.max_attempts
                        and j.run_at <= coalesce(steeple_enqueue.run_at, now())) then
            return;
          end if;
          job_key_mode := 'replace';
        end if;
        -- queue_name: jobs of one named queue run one at a time (a slow third party holds one worker, not all).
        perform graphile_worker.add_job(task, payload, max_attempts => max_attempts, job_key => job_key,
                                        run_at => steeple_enqueue.run_at, job_key_mode => job_key_mode,
                                        queue_name => steeple_enqueue.queue_name);
      end $fn$;
    create or replace function public.steeple_unlock_workers(worker_ids text[]) returns void
      language sql security definer set search_path = pg_catalog
      as $fn$ select graphile_worker.force_unlock_workers(worker_ids) $fn$;
    revoke all on function public.steeple_enqueue(text, json, int, text, timestamptz, text, text),
                           public.steeple_unlock_workers(text[]) from public;
    grant execute on function public.steeple_enqueue(text, json, int, text, timestamptz, text, text),
                              public.steeple_unlock_workers(text[]) to ${role};
  `);
}
