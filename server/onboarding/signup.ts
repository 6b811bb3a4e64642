import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { adminEmailIndex, churches, dbServers, provisioningJobs, tenants } from '@/db/registry/schema';
import { hashPassword } from '@/server/auth/password';
import { isRegistryOutage } from '@/server/registry';
import { RegistryUnavailableError, withDeadline } from '@/server/tenancy/resolver';
import { addJobInTransaction, PROVISION_TASK } from '@/server/jobs/queue';
import type { Services } from '@/server/services';
import { initialSteps } from '@/server/tenancy/provisioner';
import { encryptSecret, randomToken, sha256 } from '@/server/tenancy/secrets';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export const signupInput = z.object({
  churchName: z.string().trim().min(2, 'Enter the church name').max(120, 'Keep the name under 120 characters'),
  timezone: z.string().refine(isTimeZone, 'Choose a valid timezone'),
  adminName: z.string().trim().min(1, 'Enter your full name').max(120, 'Keep the name under 120 characters'),
  email: z.string().trim().max(254).pipe(z.email('Enter a valid email address')).transform(normaliseEmail),
  // The upper bound keeps anyone from making us hash megabytes.
  password: z.string().min(10, 'Use at least 10 characters').max(128, 'Use at most 128 characters'),
});
export type SignupInput = z.infer<typeof signupInput>;

const EMAIL_TAKEN = 'An account with this email already exists. Sign in instead, or use another email.';

/**
 * Reserve the email, record the church and its provisioning job, and enqueue the job — all in one registry
 * transaction, so either everything exists or nothing does. Returns at once with an opaque ticket to poll.
 */
export async function signup(services: Services, input: SignupInput): Promise<{ ticket: string }> {
  const { registry, naming, config } = services;
  const passwordHash = await hashPassword(input.password); // hashed before the job: the queue never sees a password
  const tenantId = randomUUID();
  const jobId = randomUUID();
  const ticket = randomToken();

  try {
    await registry.db.transaction(async (db) => {
      const [server] = await db.select({ id: dbServers.id }).from(dbServers).where(eq(dbServers.accepting, true)).limit(1);
      if (!server) throw new Error('no database server is accepting new churches');
      await db.insert(tenants).values({
        id: tenantId,
        slug: `${slugify(input.churchName)}-${tenantId.slice(0, 6)}`,
        dbServerId: server.id,
        dbName: naming.database(tenantId),
        dbRole: naming.role(tenantId),
        dbSecret: encryptSecret(randomToken(24), config.STEEPLE_SECRET_KEY),
      });
      await db.insert(churches).values({ tenantId, name: input.churchName, timezone: input.timezone });
      const adminId = randomUUID();
      await db.insert(adminEmailIndex).values({ email: input.email, tenantId, adminId });
      await db.insert(provisioningJobs).values({
        id: jobId,
        tenantId,
        ticketHash: sha256(ticket),
        steps: initialSteps(),
        adminId,
        adminName: input.adminName,
        adminEmail: input.email,
        adminPasswordHash: passwordHash,
      });
      await addJobInTransaction(db, PROVISION_TASK, { jobId }, { jobKey: `provision:${jobId}`, maxAttempts: config.PROVISION_MAX_ATTEMPTS });
    });
  } catch (err) {
    if (isUniqueViolation(err, 'admin_email_index_pkey')) throw new TRPCError({ code: 'CONFLICT', message: EMAIL_TAKEN });
    if (isRegistryOutage(err)) throw new RegistryUnavailableError(err);
    throw err;
  }
  return { ticket };
}

export const statusInput = z.object({ ticket: z.string().min(20).max(100) });

/** What the onboarding page shows: the job's state and each step's, for this ticket only. */
export async function provisioningStatus(services: Services, ticket: string) {
  const query = services.registry.db
    .select({ state: provisioningJobs.state, steps: provisioningJobs.steps })
    .from(provisioningJobs)
    .where(eq(provisioningJobs.ticketHash, sha256(ticket)));
  const [job] = await withDeadline(query, services.config.REGISTRY_TIMEOUT_MS);
  if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: 'We could not find that signup. Please start again.' });
  return {
    state: job.state,
    steps: job.steps.map(({ name, state }) => ({ name, state })),
    message: job.state === 'failed' ? 'We could not finish setting up your workspace. Please try again.' : null,
  };
}

function slugify(name: string) {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'church';
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint_name?: string; cause?: unknown };
  if (e?.code === '23505' && e.constraint_name === constraint) return true;
  return e?.cause ? isUniqueViolation(e.cause, constraint) : false;
}
