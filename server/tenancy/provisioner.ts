import { and, eq, sql as dsql } from 'drizzle-orm';
import { enqueueVerificationMail } from '@/server/auth/email-verification';
import { admins } from '@/db/tenant/schema';
import { dbServers, provisioningJobs, tenants, type ProvisioningJob, type StepProgress } from '@/db/registry/schema';
import { ensureAccount } from '@/server/billing/accounts';
import { enqueueCustomer } from '@/server/billing/customer-job';
import type { Billing } from '@/server/billing/stripe';
import { log } from '@/server/log';
import { timeProvisioning } from '@/server/observability/metrics';
import type { Registry } from '@/server/registry';
import { ClusterAdmin, cloneDatabase, ensureLoginRole } from './cluster';
import { anyStatus } from './availability';
import type { ConnectionManager } from './connection-manager';
import type { Naming } from './naming';
import { decryptSecret } from './secrets';
import { teardownTenant } from './teardown';

/**
 * The provisioning pipeline: named, idempotent steps. Each step's completion is recorded in the registry, so a job
 * that crashed anywhere resumes at the first unfinished step, and re-running a finished step changes nothing.
 */
export const STEPS = ['create_database', 'create_role', 'create_admin', 'start_trial', 'activate'] as const;
/** A job written before a step was renamed resumes under the new name. */
const RENAMED: Record<string, StepName> = { create_billing_customer: 'start_trial' };
export type StepName = (typeof STEPS)[number];

export type ProvisionDeps = {
  registry: Registry;
  cluster: ClusterAdmin;
  connections: ConnectionManager;
  naming: Naming;
  secretKey: string;
  tenantSchemaVersion: number;
  /** Stripe, when billing is configured; every church gets its trial either way. */
  billing: Billing | null;
  trialDays: number;
  /** Test seam: called before and after each step's effect, to simulate a crash at that point. */
  faults?: (point: `${'before' | 'after'}:${StepName}`) => void | Promise<void>;
};

export const initialSteps = (): StepProgress[] => STEPS.map((name) => ({ name, state: 'pending', attempts: 0 }));

type Context = {
  deps: ProvisionDeps;
  job: ProvisioningJob;
  tenant: typeof tenants.$inferSelect;
  server: typeof dbServers.$inferSelect;
};

const steps: Record<StepName, (c: Context) => Promise<void>> = {
  async create_database({ deps, tenant, server }) {
    await cloneDatabase(deps.cluster.sql(server), tenant.dbName, deps.naming.template);
  },
  async create_role({ deps, tenant, server }) {
    const password = decryptSecret(tenant.dbSecret, deps.secretKey);
    await ensureLoginRole(deps.cluster.sql(server), tenant.dbRole, password, tenant.dbName, deps.naming.tenantGroup);
  },
  async create_admin({ deps, job, tenant }) {
    if (!job.adminPasswordHash) {
      // The hash is cleared only when this step is recorded done: without it the owner must already exist.
      const [owner] = await deps.connections.withTenant(
        tenant.id,
        (db) => db.select({ id: admins.id }).from(admins).where(eq(admins.id, job.adminId)),
        anyStatus,
      );
      if (!owner) throw new Error('no password hash and no owner: cannot create the first admin');
      return;
    }
    // Written through the church's own login role: proves the role can reach its database before we activate.
    await deps.connections.withTenant(
      tenant.id,
      (db) =>
        db
          .insert(admins)
          .values({
            id: job.adminId,
            name: job.adminName,
            email: job.adminEmail,
            passwordHash: job.adminPasswordHash!,
            role: 'owner',
          })
          .onConflictDoNothing({ target: admins.id }),
      anyStatus,
    );
  },
  async start_trial({ deps, tenant }) {
    // The trial is ours alone; the Stripe customer is a job queued on activation (billing/customer-job.ts).
    await ensureAccount(deps.registry, tenant.id, deps.trialDays);
  },
  async activate({ deps, job, tenant }) {
    // The version the clone really has: a fleet migration may have moved the template on since this build started.
    const schemaVersion = await deps.connections.withTenant(
      tenant.id,
      async (db) => {
        const rows = await db.execute<{ n: number }>(dsql`select count(*)::int as n from drizzle.__tenant_migrations`);
        return rows[0]!.n;
      },
      anyStatus,
    );
    await deps.registry.db.transaction(async (tx) => {
      const [activated] = await tx
        .update(tenants)
        .set({ status: 'active', activatedAt: new Date(), updatedAt: new Date(), schemaVersion })
        .where(and(eq(tenants.id, tenant.id), eq(tenants.status, 'provisioning')))
        .returning({ id: tenants.id });
      if (!activated) return; // a re-run: its jobs were queued with the activation, once
      await enqueueVerificationMail(tx, tenant.id, job.adminId); // the owner's email check
      if (deps.billing) await enqueueCustomer(tx, tenant.id); // the Stripe customer, off the signup's path
    });
  },
};

export type ProvisionOutcome = 'ready' | 'failed' | 'retry';

/** Run (or resume) one provisioning job. `finalAttempt` decides whether a failure is retried or torn down. */
export function runProvisioning(
  deps: ProvisionDeps,
  jobId: string,
  opts: { finalAttempt: boolean },
): Promise<ProvisionOutcome> {
  return timeProvisioning(() => provision(deps, jobId, opts)); // duration and failures by outcome, for /api/metrics
}

async function provision(
  deps: ProvisionDeps,
  jobId: string,
  opts: { finalAttempt: boolean },
): Promise<ProvisionOutcome> {
  const loaded = await load(deps.registry, jobId);
  if (!loaded) return 'failed';
  let { job } = loaded;
  job.steps = job.steps.map((s) => ({ ...s, name: RENAMED[s.name] ?? s.name }));
  if (job.state === 'ready' || job.state === 'failed') return job.state;
  job = await update(deps.registry, jobId, { state: 'provisioning', attempts: job.attempts + 1 });

  for (const name of STEPS) {
    const progress = job.steps.find((s) => s.name === name)!;
    if (progress.state === 'done') continue;
    job = await markStep(deps.registry, job, name, 'running');
    try {
      await deps.faults?.(`before:${name}`);
      await withQuickRetries(() => steps[name]({ ...loaded, job, deps }));
      await deps.faults?.(`after:${name}`);
    } catch (err) {
      log.error('provisioning step failed', {
        jobId,
        tenantId: job.tenantId,
        step: name,
        finalAttempt: opts.finalAttempt,
        err,
      });
      job = await markStep(deps.registry, job, name, opts.finalAttempt ? 'failed' : 'pending', {
        lastError: String(err),
      });
      if (!opts.finalAttempt) return 'retry';
      // Only a church still being provisioned (or a failed teardown's leftovers) is torn down; an active one never.
      if (
        !(await teardownTenant(deps, job.tenantId, {
          from: ['provisioning', 'failed', 'deleting'],
          finalStatus: 'failed',
        }))
      ) {
        // Refused because the church is active (this was a late duplicate of a job that finished): its job stays
        // ready, as its owner already saw it, instead of being left "provisioning" with a failed step.
        const now = await load(deps.registry, jobId);
        if (now?.tenant.status !== 'active') return 'failed';
        await markStep(deps.registry, job, name, 'done', {
          state: 'ready',
          finishedAt: now.job.finishedAt ?? new Date(),
        });
        return 'ready';
      }
      // The password hash stays on the failed job: "Try again" moves it to the new attempt.
      await update(deps.registry, jobId, { state: 'failed', finishedAt: new Date() });
      return 'failed';
    }
    const extra =
      name === 'create_admin'
        ? { adminPasswordHash: null }
        : name === 'activate'
          ? { state: 'ready' as const, finishedAt: new Date() }
          : {};
    job = await markStep(deps.registry, job, name, 'done', extra);
  }
  log.info('church provisioned', { tenantId: job.tenantId, attempts: job.attempts });
  return 'ready';
}

async function load(registry: Registry, jobId: string) {
  const [row] = await registry.db
    .select({ job: provisioningJobs, tenant: tenants, server: dbServers })
    .from(provisioningJobs)
    .innerJoin(tenants, eq(tenants.id, provisioningJobs.tenantId))
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .where(eq(provisioningJobs.id, jobId));
  return row;
}

type JobPatch = Partial<Pick<ProvisioningJob, 'state' | 'attempts' | 'adminPasswordHash' | 'lastError' | 'finishedAt'>>;

async function update(registry: Registry, jobId: string, patch: JobPatch & { steps?: StepProgress[] }) {
  const [job] = await registry.db
    .update(provisioningJobs)
    .set({ ...patch, heartbeatAt: dsql`now()`, updatedAt: dsql`now()` })
    .where(eq(provisioningJobs.id, jobId))
    .returning();
  return job!;
}

function markStep(
  registry: Registry,
  job: ProvisioningJob,
  name: StepName,
  state: StepProgress['state'],
  extra: JobPatch = {},
) {
  const steps = job.steps.map((s) =>
    s.name !== name ? s : { ...s, state, attempts: s.attempts + (state === 'running' ? 1 : 0) },
  );
  return update(registry, job.id, { ...extra, steps });
}

/** Transient failures (a template briefly busy, a dropped connection) are retried at once, a few times. */
async function withQuickRetries(fn: () => Promise<void>, delays = [50, 200, 800]) {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= delays.length || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, delays[i]));
    }
  }
}

const transientCodes = new Set(['55006', '57P01', '57P03', '53300', '40001', '40P01', 'ECONNRESET', 'ECONNREFUSED']);
const isTransient = (err: unknown) => transientCodes.has((err as { code?: string })?.code ?? '');
