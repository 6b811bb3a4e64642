import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { signInWithPassword } from '@/server/auth/signin';
import type { Services } from '@/server/services';
import { sha256 } from '@/server/tokens';
import { caller, freshIp, signIn } from '../support/accounts';
import { testAuthSecret, testSecretKey, until } from '../support/harness';
import {
  chaosRegistry,
  cleanup,
  quietLogs,
  spawnWorker,
  startPrivatePg,
  trackUnhandled,
  type ChaosRegistry,
  type PrivatePg,
  type WorkerProcess,
} from './support';

/**
 * Chaos 3: the real worker process (`npx tsx scripts/worker.ts`) is SIGKILLed in the middle of provisioning a church.
 * The stall is made deterministic with locks held by a privileged connection: an uncommitted CREATE ROLE of the
 * church's role name holds the worker inside `create_role` (the step recorded as running), then a row lock on the
 * provisioning job holds it on its next progress update. The worker dies there; a second worker must finish the
 * church (after dead-worker recovery unlocks the job, ~30 s), with exactly one database and role for it and no
 * orphan database or role on the server.
 */

type JobRow = {
  id: string;
  tenant_id: string;
  state: string;
  attempts: number;
  steps: { name: string; state: string; attempts: number }[];
};

describe('chaos: the worker process killed mid-provisioning', () => {
  let pg: PrivatePg | undefined;
  let reg: ChaosRegistry | undefined;
  let services: Services;
  const spawned: WorkerProcess[] = [];
  const held: postgres.ReservedSql[] = [];
  const unhandled = trackUnhandled();
  let logs: ReturnType<typeof quietLogs> | undefined;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    pg = await startPrivatePg('chaos-worker-pg');
    // This process only signs up; the workers are separate processes.
    reg = await chaosRegistry(pg, { WORKER_MODE: 'off' });
    services = reg.services;
    workerEnv = {
      DATABASE_URL: reg.url,
      STEEPLE_SECRET_KEY: testSecretKey,
      NEXTAUTH_SECRET: testAuthSecret,
      WORKER_MODE: 'external',
      WORKER_CONCURRENCY: '4',
      LOG_LEVEL: 'info',
      REDIS_URL: '', // never the machine's shared Redis
    };
    logs = quietLogs();
  });

  afterAll(async () => {
    logs?.restore();
    unhandled.stop();
    for (const c of held) await c`rollback`.catch(() => {}).finally(() => c.release());
    // A graceful stop first (it forgets its worker id), SIGKILL if it does not go.
    await Promise.all(
      spawned.map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        const stopped = w.kill('SIGTERM');
        const timeout = new Promise((r) => setTimeout(r, 8_000, 'timeout'));
        if ((await Promise.race([stopped, timeout])) === 'timeout') await w.kill('SIGKILL');
      }),
    );
    await cleanup([
      ['services', reg && (() => reg!.close())],
      ['postgres', pg && (() => pg!.destroy())],
    ]);
  });

  const signup = async (n: number) => {
    const input = {
      churchName: `Killed Worker Chapel ${n}`,
      timezone: 'Europe/London',
      adminName: `Owner ${n}`,
      email: `killed${n}-${Date.now()}@example.org`,
      password: 'correct horse battery',
    };
    const { ticket } = await caller(services, null, freshIp()).onboarding.signup(input);
    const [job] = await reg!.registryAdmin<
      JobRow[]
    >`select id, tenant_id, state, attempts, steps from provisioning_jobs where ticket_hash = ${sha256(ticket)}`;
    const [tenant] = await reg!.registryAdmin<
      { db_name: string; db_role: string }[]
    >`select db_name, db_role from tenants where id = ${job!.tenant_id}`;
    return {
      ticket,
      input,
      jobId: job!.id,
      tenantId: job!.tenant_id,
      dbName: tenant!.db_name,
      dbRole: tenant!.db_role,
    };
  };
  const jobOf = async (id: string) =>
    (
      await reg!.registryAdmin<
        JobRow[]
      >`select id, tenant_id, state, attempts, steps from provisioning_jobs where id = ${id}`
    )[0]!;
  const stepState = (job: JobRow, name: string) => job.steps.find((s) => s.name === name)!.state;
  /** Backends waiting on a lock whose statement matches `pattern` (in any database of the server). */
  const waitingOn = async (pattern: string) =>
    (
      await reg!.admin<
        { pid: number }[]
      >`select pid from pg_stat_activity where wait_event_type = 'Lock' and query ilike ${pattern}`
    ).length;

  it('a second worker finishes the church: ready, one database, one role, no orphans', async () => {
    const started = Date.now();
    const victim = await signup(1);

    // Hold the worker inside create_role: our uncommitted CREATE ROLE of the same name makes its CREATE ROLE wait.
    const roleLock = await reg!.admin.reserve();
    held.push(roleLock);
    await roleLock`begin`;
    await roleLock.unsafe(`create role "${victim.dbRole}"`);

    const first = spawnWorker(workerEnv);
    spawned.push(first);
    await until(async () => first.output().includes('queue worker started'), { timeoutMs: 60_000, everyMs: 100 }).catch(
      () => {
        throw new Error(`the first worker did not start:\n${first.output()}`);
      },
    );
    const running = await until(
      async () => {
        const job = await jobOf(victim.jobId);
        return (
          stepState(job, 'create_database') === 'done' &&
          stepState(job, 'create_role') === 'running' &&
          (await waitingOn('%create role%')) > 0 &&
          job
        );
      },
      { timeoutMs: 30_000, everyMs: 50 },
    );
    expect(running.state).toBe('provisioning');
    // Step 1's effect happened.
    expect(await reg!.admin`select 1 from pg_database where datname = ${victim.dbName}`).toHaveLength(1);

    // Now hold the job row, and let the role through: the worker finishes create_role and blocks recording it done.
    const rowLock = await reg!.registryAdmin.reserve();
    held.push(rowLock);
    await rowLock`begin`;
    await rowLock`select id from provisioning_jobs where id = ${victim.jobId} for update`;
    await roleLock`rollback`;
    await until(async () => (await waitingOn('update "provisioning_jobs"%')) > 0, { timeoutMs: 15_000, everyMs: 25 });
    expect(stepState(await jobOf(victim.jobId), 'create_role')).toBe('running');

    // The machine loses the worker.
    await first.kill('SIGKILL');
    expect(first.child.signalCode ?? first.child.exitCode).not.toBeNull();
    const killedAt = Date.now();

    // Two more signups while no worker is alive: queued, not lost.
    const later = [await signup(2), await signup(3)];
    await rowLock`rollback`;
    roleLock.release();
    rowLock.release();
    held.length = 0;

    const second = spawnWorker(workerEnv);
    spawned.push(second);
    const all = [victim, ...later];
    await until(
      async () => {
        const jobs = await Promise.all(all.map((s) => jobOf(s.jobId)));
        return jobs.every((j) => j.state === 'ready' || j.state === 'failed') && jobs;
      },
      { timeoutMs: 90_000, everyMs: 250 },
    ).catch(async () => {
      const jobs = await Promise.all(all.map((s) => jobOf(s.jobId)));
      throw new Error(
        `not finished: ${JSON.stringify(jobs.map((j) => [j.state, j.steps]))}\n` +
          `--- second worker ---\n${second.output().slice(-4_000)}`,
      );
    });
    const recoveredMs = Date.now() - killedAt;

    // Every church ready and usable: its status says so, its owner signs in, a tenant procedure answers.
    for (const s of all) {
      const status = await caller(services, null).onboarding.status({ ticket: s.ticket });
      expect(status.state, s.input.churchName).toBe('ready');
      expect(status.steps.every((step) => step.state === 'done')).toBe(true);
      const [tenant] = await reg!.registryAdmin<
        { status: string }[]
      >`select status from tenants where id = ${s.tenantId}`;
      expect(tenant!.status).toBe('active');
      const owner = await signIn(services, s.input.email, s.input.password);
      expect(await owner.caller.account.me()).toMatchObject({ email: s.input.email, role: 'owner' });
    }
    const resumed = await jobOf(victim.jobId);
    expect(resumed.attempts).toBeGreaterThanOrEqual(2); // resumed by the second worker, not restarted from scratch
    // Done before the crash: not redone.
    expect(resumed.steps.find((s) => s.name === 'create_database')!.attempts).toBe(1);
    expect(
      (await signInWithPassword(services, { email: victim.input.email, password: victim.input.password }, freshIp()))
        .tenantId,
    ).toBe(victim.tenantId);

    // Exactly one database and one login role per church; nothing on the server that no church owns.
    const prefix = services.naming.prefix;
    const tenants = await reg!.registryAdmin<
      { db_name: string; db_role: string; status: string }[]
    >`select db_name, db_role, status from tenants`;
    expect(tenants.map((t) => t.status)).toEqual(['active', 'active', 'active']);
    const dbs = (
      await reg!.admin<
        { datname: string }[]
      >`select datname from pg_database where datname not in ('postgres', 'template0', 'template1') order by 1`
    ).map((r) => r.datname);
    expect(dbs).toEqual([reg!.name, services.naming.template, ...tenants.map((t) => t.db_name)].sort());
    const roles = (
      await reg!.admin<
        { rolname: string }[]
      >`select rolname from pg_roles where rolname like ${prefix + '\\_%'} order by 1`
    ).map((r) => r.rolname);
    expect(roles).toEqual([`${prefix}_app`, services.naming.tenantGroup, ...tenants.map((t) => t.db_role)].sort());
    for (const t of tenants) expect(dbs.filter((d) => d === t.db_name)).toHaveLength(1);

    // The queue is empty (finished jobs are deleted), the dead worker is forgotten, and the second worker said why.
    expect(await reg!.registryAdmin`select 1 from graphile_worker.jobs`).toHaveLength(0);
    expect(second.output()).toMatch(/unlocked jobs of silent queue workers/);

    console.log(
      '[chaos worker]',
      JSON.stringify({
        totalMs: Date.now() - started,
        killToAllReadyMs: recoveredMs,
        victimAttempts: resumed.attempts,
        steps: resumed.steps,
      }),
    );
    expect(unhandled.errors).toEqual([]);
  });
});
