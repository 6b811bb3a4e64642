import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '@/server/jobs/worker';
import { recoverOnce } from '@/server/jobs/recovery';
import { appRouter } from '@/server/routers/_app';
import { runProvisioning, STEPS, type StepName } from '@/server/tenancy/provisioner';
import { withDatabase } from '@/server/tenancy/urls';
import { createCallerFactory, createContext } from '@/server/trpc';
import { createTestRegistry, serverUrl, until, type TestRegistry } from './support/harness';

const createCaller = createCallerFactory(appRouter);
type FaultPoint = `${'before' | 'after'}:${StepName}`;

const FAULT_POINTS: FaultPoint[] = STEPS.flatMap((s) => [`before:${s}`, `after:${s}`] as FaultPoint[]);

/** The server-wide admin connection the assertions use (not the registry's own pool). */
let admin: postgres.Sql;

beforeAll(() => {
  admin = postgres(withDatabase(serverUrl(), 'postgres'), { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await admin?.end({ timeout: 5 });
});

let seq = 0;
const signupInput = (email = `crash${++seq}@example.org`) => ({
  churchName: `Crash Chapel ${seq}`,
  timezone: 'Europe/London',
  adminName: 'Crash Tester',
  email,
  password: 'correct horse battery',
});

async function signupJob(reg: TestRegistry, email?: string) {
  const caller = createCaller(createContext({ session: null, services: reg.services }));
  const input = signupInput(email);
  const { ticket } = await caller.onboarding.signup(input);
  const [row] = await reg.services.registry.sql<{ job_id: string; tenant_id: string }[]>`
    select p.id as job_id, p.tenant_id from provisioning_jobs p
    join admin_email_index i on i.tenant_id = p.tenant_id
    where i.email = ${input.email.trim().toLowerCase()}`;
  expect(row).toBeDefined();
  return { ticket, jobId: row!.job_id, tenantId: row!.tenant_id, email: input.email };
}

async function tenantRow(reg: TestRegistry, tenantId: string) {
  const [t] = await reg.services.registry.sql<{ status: string; db_name: string; db_role: string }[]>`
    select status, db_name, db_role from tenants where id = ${tenantId}`;
  return t!;
}

async function jobRow(reg: TestRegistry, jobId: string) {
  const [j] = await reg.services.registry.sql<
    { state: string; steps: { name: string; state: string }[]; admin_password_hash: string | null }[]
  >`
    select state, steps, admin_password_hash from provisioning_jobs where id = ${jobId}`;
  return j!;
}

/** Databases and login roles of this registry's tenants that exist on the server right now. */
async function clusterObjects(reg: TestRegistry) {
  const p = reg.services.naming.prefix;
  const dbs = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${p + '\\_t\\_%'}`;
  const roles = await admin<{ rolname: string }[]>`select rolname from pg_roles where rolname like ${p + '\\_r\\_%'}`;
  return { dbs: dbs.map((r) => r.datname).sort(), roles: roles.map((r) => r.rolname).sort() };
}

/** Every tenant database and role on the server belongs to a tenant row; failed churches own none. */
async function expectNoOrphans(reg: TestRegistry, objects: { dbs: string[]; roles: string[] }) {
  const tenants = await reg.services.registry.sql<
    { db_name: string; db_role: string; status: string }[]
  >`select db_name, db_role, status from tenants`;
  const live = tenants.filter((t) => t.status !== 'failed' && t.status !== 'deleted');
  expect(objects.dbs.filter((d) => !live.some((t) => t.db_name === d))).toEqual([]);
  expect(objects.roles.filter((r) => !live.some((t) => t.db_role === r))).toEqual([]);
}

async function adminRows(dbName: string) {
  const sql = postgres(withDatabase(serverUrl(), dbName), { max: 1, onnotice: () => {} });
  try {
    return await sql<{ id: string; email: string; role: string }[]>`select id, email, role from admins`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe('provisioning resumes after a crash at any point', () => {
  let reg: TestRegistry;
  let armed: FaultPoint | null = null;
  let permanent: FaultPoint | null = null;
  const fired: FaultPoint[] = [];

  beforeAll(async () => {
    reg = await createTestRegistry({}, (point) => {
      if (point === permanent) throw new Error(`injected permanent failure at ${point}`);
      if (point === armed) {
        armed = null; // throws once
        fired.push(point);
        throw new Error(`injected crash at ${point}`);
      }
    });
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  const provisioned: string[] = []; // tenant ids provisioned so far in this registry

  it.each(FAULT_POINTS)(
    'crash at %s: the first run asks for a retry, the second finishes with no duplicates',
    async (point) => {
      const { jobId, tenantId, email } = await signupJob(reg);

      armed = point;
      const first = await runProvisioning(reg.services.provision, jobId, { finalAttempt: false });
      expect(first).toBe('retry');
      expect(fired.at(-1)).toBe(point); // the crash really happened at this point
      expect(armed).toBeNull();

      const afterCrash = await jobRow(reg, jobId);
      expect(afterCrash.state).toBe('provisioning');
      const crashedStep = point.split(':')[1];
      expect(afterCrash.steps.find((s) => s.name === crashedStep)!.state).toBe('pending');
      expect(afterCrash.steps.every((s) => s.state === 'done' || s.state === 'pending')).toBe(true);

      // The crash left exactly the partial work done so far: what ran before it exists, nothing after it does.
      const ran = (step: StepName) =>
        STEPS.indexOf(step) < STEPS.indexOf(crashedStep as StepName) || point === `after:${step}`;
      const partial = await tenantRow(reg, tenantId);
      const midway = await clusterObjects(reg);
      expect(midway.dbs.includes(partial.db_name)).toBe(ran('create_database'));
      expect(midway.roles.includes(partial.db_role)).toBe(ran('create_role'));
      if (ran('create_database')) expect(await adminRows(partial.db_name)).toHaveLength(ran('create_admin') ? 1 : 0);
      expect(partial.status).toBe(ran('activate') ? 'active' : 'provisioning');

      const second = await runProvisioning(reg.services.provision, jobId, { finalAttempt: false });
      expect(second).toBe('ready');
      provisioned.push(tenantId);

      const job = await jobRow(reg, jobId);
      expect(job.state).toBe('ready');
      expect(job.steps.map((s) => s.name)).toEqual([...STEPS]);
      expect(job.steps.every((s) => s.state === 'done')).toBe(true);
      expect(job.admin_password_hash).toBeNull();

      const tenant = await tenantRow(reg, tenantId);
      expect(tenant.status).toBe('active');

      // Exactly one database and one login role for this tenant, and no database or role on the server that no
      // tenant owns (an orphan a crashed attempt left behind under another name).
      const objects = await clusterObjects(reg);
      expect(objects.dbs.filter((d) => d === tenant.db_name)).toHaveLength(1);
      expect(objects.roles.filter((r) => r === tenant.db_role)).toHaveLength(1);
      await expectNoOrphans(reg, objects);
      const ours = await reg.services.registry.sql<{ db_name: string; db_role: string }[]>`
      select db_name, db_role from tenants where id = any(${provisioned}::uuid[])`;
      for (const t of ours) {
        expect(objects.dbs).toContain(t.db_name); // earlier churches are untouched
        expect(objects.roles).toContain(t.db_role);
      }

      const admins = await adminRows(tenant.db_name);
      expect(admins).toHaveLength(1);
      expect(admins[0]).toMatchObject({ email, role: 'owner' });

      // A third run of a finished job changes nothing.
      expect(await runProvisioning(reg.services.provision, jobId, { finalAttempt: false })).toBe('ready');
      expect(await adminRows(tenant.db_name)).toHaveLength(1);
    },
  );

  it('crashed once at every point, before and after each step', () => {
    expect(fired).toEqual(FAULT_POINTS);
    expect(new Set(fired.map((p) => p.split(':')[1]))).toEqual(new Set(STEPS));
  });

  it('a permanent failure on the final attempt tears everything down and frees the email', async () => {
    const email = 'doomed@example.org';
    const { jobId, tenantId, ticket } = await signupJob(reg, email);
    const before = await clusterObjects(reg);

    // Fail after the admin exists: database, role and admin row are all there and must all go.
    permanent = 'after:create_admin';
    try {
      expect(await runProvisioning(reg.services.provision, jobId, { finalAttempt: false })).toBe('retry');
      const tenant = await tenantRow(reg, tenantId);
      const midway = await clusterObjects(reg);
      expect(midway.dbs).toContain(tenant.db_name);
      expect(midway.roles).toContain(tenant.db_role);
      expect(await adminRows(tenant.db_name)).toHaveLength(1);

      expect(await runProvisioning(reg.services.provision, jobId, { finalAttempt: true })).toBe('failed');
    } finally {
      permanent = null;
    }

    const job = await jobRow(reg, jobId);
    expect(job.state).toBe('failed');
    expect(job.admin_password_hash).not.toBeNull(); // kept so "Try again" can start a new attempt with the same details
    expect(job.steps.find((s) => s.name === 'create_admin')!.state).toBe('failed');
    const tenant = await tenantRow(reg, tenantId);
    expect(tenant.status).toBe('failed');

    // No orphans: the cluster holds exactly what it held before this signup.
    const after = await clusterObjects(reg);
    expect(after.dbs).not.toContain(tenant.db_name);
    expect(after.roles).not.toContain(tenant.db_role);
    expect(after).toEqual({
      dbs: before.dbs.filter((d) => d !== tenant.db_name),
      roles: before.roles.filter((r) => r !== tenant.db_role),
    });
    await expectNoOrphans(reg, after);
    const pooled = await admin`select count(*)::int as n from pg_stat_activity where usename = ${tenant.db_role}`;
    expect(pooled[0]!.n).toBe(0);

    // The email is free again.
    const index = await reg.services.registry.sql`select * from admin_email_index where email = ${email}`;
    expect(index).toHaveLength(0);

    // The browser sees a plain failure, without internals.
    const status = await createCaller(createContext({ session: null, services: reg.services })).onboarding.status({
      ticket,
    });
    expect(status.state).toBe('failed');
    expect(status.message).toEqual(expect.any(String));
    expect(status.message!.length).toBeGreaterThan(10);
    const shown = JSON.stringify(status);
    expect(shown).not.toContain(reg.name);
    expect(shown).not.toContain(tenant.db_name);
    expect(shown).not.toContain(tenant.db_role);
    expect(status.message).not.toMatch(
      /stp_|registry|injected|stack|error|\bat \S+:\d+|postgres|database|role|tenant|step/i,
    );
    expect(shown).not.toMatch(/stp_|registry|injected|stack|Error|\bat \S+:\d+|postgres/i);
    expect(Object.keys(status).sort()).toEqual(['message', 'state', 'steps']);
    for (const step of status.steps) expect(Object.keys(step).sort()).toEqual(['name', 'state']);

    // A new signup with the same email succeeds and provisions normally.
    const again = await signupJob(reg, '  DOOMED@example.org ');
    expect(again.tenantId).not.toBe(tenantId);
    expect(await runProvisioning(reg.services.provision, again.jobId, { finalAttempt: false })).toBe('ready');
    expect((await tenantRow(reg, again.tenantId)).status).toBe('active');
    const [idx] = await reg.services.registry.sql`select tenant_id from admin_email_index where email = ${email}`;
    expect(idx!.tenant_id).toBe(again.tenantId);
  });

  it('a permanent failure before anything exists also leaves nothing behind', async () => {
    const { jobId, tenantId } = await signupJob(reg, 'early@example.org');
    const before = await clusterObjects(reg);
    permanent = 'before:create_database';
    try {
      expect(await runProvisioning(reg.services.provision, jobId, { finalAttempt: true })).toBe('failed');
    } finally {
      permanent = null;
    }
    expect((await tenantRow(reg, tenantId)).status).toBe('failed');
    expect((await jobRow(reg, jobId)).state).toBe('failed');
    expect(await clusterObjects(reg)).toEqual(before);
    await expectNoOrphans(reg, before);
    expect(
      await reg.services.registry.sql`select 1 from admin_email_index where email = 'early@example.org'`,
    ).toHaveLength(0);
  });
});

describe('queue recovery', () => {
  let reg: TestRegistry;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  const opts = () => ({ staleSeconds: 30, maxAttempts: reg.services.config.PROVISION_MAX_ATTEMPTS });
  const queueJob = (jobId: string) =>
    reg.admin<{ id: string; locked_by: string | null; locked_at: Date | null }[]>`
      select id, locked_by, locked_at from graphile_worker._private_jobs where key like ${'provision:%:' + jobId}`;
  const status = (ticket: string) =>
    createCaller(createContext({ session: null, services: reg.services })).onboarding.status({ ticket });

  beforeAll(async () => {
    reg = await createTestRegistry();
  });
  afterAll(async () => {
    await worker?.stop();
    await reg?.cleanup();
  });

  it('re-enqueues a provisioning job whose queue job vanished, and a worker then finishes it', async () => {
    const { jobId, ticket, tenantId } = await signupJob(reg, 'orphan@example.org');
    expect(await queueJob(jobId)).toHaveLength(1);

    // A job queued before job keys named the church (provision:<job id>) counts as present.
    await reg.admin`
      update graphile_worker._private_jobs set key = ${'provision:' + jobId} where key like ${'provision:%:' + jobId}`;
    await reg.services.registry
      .sql`update provisioning_jobs set updated_at = now() - interval '5 minutes' where id = ${jobId}`;
    expect(await recoverOnce(reg.services.registry.sql, [], opts())).toEqual({ unlocked: 0, requeued: 0 });
    await reg.admin`
      update graphile_worker._private_jobs set key = ${`provision:${tenantId}:${jobId}`}
       where key = ${'provision:' + jobId}`;
    await reg.services.registry.sql`update provisioning_jobs set updated_at = now() where id = ${jobId}`;

    const deleted =
      await reg.admin`delete from graphile_worker._private_jobs where key like ${'provision:%:' + jobId} returning id`;
    expect(deleted).toHaveLength(1);
    expect(await queueJob(jobId)).toHaveLength(0);

    // A job updated moments ago may still be in flight: it is left alone.
    expect(await recoverOnce(reg.services.registry.sql, [], opts())).toEqual({ unlocked: 0, requeued: 0 });
    expect(await queueJob(jobId)).toHaveLength(0);

    // Once it has been silent longer than staleSeconds it is re-enqueued, once.
    await reg.services.registry
      .sql`update provisioning_jobs set updated_at = now() - interval '5 minutes' where id = ${jobId}`;
    expect(await recoverOnce(reg.services.registry.sql, [], opts())).toEqual({ unlocked: 0, requeued: 1 });
    expect(await queueJob(jobId)).toHaveLength(1);
    expect(await recoverOnce(reg.services.registry.sql, [], opts())).toEqual({ unlocked: 0, requeued: 0 });

    worker = await startWorker(reg.services);
    const done = await until(async () => {
      const s = await status(ticket);
      return s.state === 'ready' || s.state === 'failed' ? s : null;
    });
    expect(done.state).toBe('ready');
    expect((await tenantRow(reg, tenantId)).status).toBe('active');
    await until(async () => (await queueJob(jobId)).length === 0); // completed jobs leave the queue
    await worker.stop();
    worker = undefined;
  });

  it('unlocks jobs held by a worker whose heartbeat went stale, and a live worker then finishes them', async () => {
    const { jobId, ticket, tenantId } = await signupJob(reg, 'stale@example.org');
    const deadWorker = `dead-worker-${Date.now()}`;
    const liveWorker = `live-worker-${Date.now()}`;
    await reg.services.registry.sql`insert into queue_workers (worker_id, host, seen_at) values
      (${deadWorker}, 'gone-host', now() - interval '10 minutes'),
      (${liveWorker}, 'here', now())`;
    const liveJob = await signupJob(reg, 'held@example.org');
    await reg.admin`
      update graphile_worker._private_jobs set locked_by = ${deadWorker}, locked_at = now() - interval '10 minutes'
       where key like ${'provision:%:' + jobId}`;
    await reg.admin`update graphile_worker._private_jobs set locked_by = ${liveWorker}, locked_at = now()
      where key like ${'provision:%:' + liveJob.jobId}`;
    expect((await queueJob(jobId))[0]!.locked_by).toBe(deadWorker);

    const result = await recoverOnce(reg.services.registry.sql, [], opts());
    expect(result.unlocked).toBe(1);
    const [job] = await queueJob(jobId);
    expect(job!.locked_by).toBeNull();
    expect(job!.locked_at).toBeNull();
    // The dead worker is forgotten; the live one (and its job) are untouched.
    const workers = await reg.services.registry.sql<
      { worker_id: string }[]
    >`select worker_id from queue_workers order by worker_id`;
    expect(workers.map((w) => w.worker_id)).toEqual([liveWorker]);
    expect((await queueJob(liveJob.jobId))[0]!.locked_by).toBe(liveWorker);

    // Release the live worker's job too (it is only a stand-in), then let a real worker finish both.
    await reg.admin`
      update graphile_worker._private_jobs set locked_by = null, locked_at = null
       where key like ${'provision:%:' + liveJob.jobId}`;
    await reg.services.registry.sql`delete from queue_workers where worker_id = ${liveWorker}`;
    worker = await startWorker(reg.services);
    for (const [t, id] of [
      [ticket, tenantId],
      [liveJob.ticket, liveJob.tenantId],
    ] as const) {
      const done = await until(async () => {
        const s = await status(t);
        return s.state === 'ready' || s.state === 'failed' ? s : null;
      });
      expect(done.state).toBe('ready');
      expect((await tenantRow(reg, id)).status).toBe('active');
    }
  });
});
