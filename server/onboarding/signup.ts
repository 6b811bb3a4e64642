import { randomUUID } from 'node:crypto';
import { Conflict, NotFound } from '@/server/domain-errors';
import { and, eq, isNotNull } from 'drizzle-orm';
import { adminEmailIndex, churches, provisioningJobs, tenants } from '@/db/registry/schema';
import { placeChurch } from '@/server/fleet/servers';
import { log } from '@/server/log';
import { hashPassword } from '@/server/auth/password';
import { requireTimeZone } from '@/server/church/timezones';
import { isDatabaseOutage, RegistryUnavailableError, withDeadline } from '@/server/registry';
import { addJobInTransaction, PROVISION_TASK, provisionJobKey } from '@/server/jobs/queue';
import { isUniqueViolation } from '@/server/errors';
import type { Services } from '@/server/services';
import { initialSteps } from '@/server/tenancy/provisioner';
import { encryptSecret } from '@/server/tenancy/secrets';
import { randomToken, sha256 } from '@/server/tokens';

import type { SignupInput } from '@/server/inputs';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'config' | 'naming' | 'registry'>;

const EMAIL_TAKEN = 'An account with this email already exists. Sign in instead, or use another email.';

type Details = {
  churchName: string;
  timezone: string;
  size?: string | null;
  adminName: string;
  email: string;
  passwordHash: string;
};

/** Public signup: hash the password (the queue never sees it), then start provisioning. */
export async function signup(services: Deps, input: SignupInput): Promise<{ ticket: string }> {
  await requireTimeZone(services.registry, input.timezone);
  const passwordHash = await hashPassword(input.password);
  return startProvisioning(services, { ...input, passwordHash });
}

/**
 * "Try again" after a failed signup: a new attempt with the same details, including the password hash kept on the
 * failed job, which moves to the new one. Only a failed job can be retried, and only once.
 */
export async function retrySignup(services: Deps, ticket: string): Promise<{ ticket: string }> {
  const retryable = and(
    eq(provisioningJobs.ticketHash, sha256(ticket)),
    eq(provisioningJobs.state, 'failed'),
    isNotNull(provisioningJobs.adminPasswordHash),
  );
  const [failed] = await services.registry.db.select().from(provisioningJobs).where(retryable);
  // Claim it (once): RETURNING shows the row after the update, so the hash must come from the select above.
  const claimed = failed
    ? await services.registry.db
        .update(provisioningJobs)
        .set({ adminPasswordHash: null })
        .where(and(eq(provisioningJobs.id, failed.id), retryable))
        .returning({ id: provisioningJobs.id })
    : [];
  if (!failed || !claimed.length) throw new NotFound('This signup cannot be retried. Please start again.');
  const [church] = await services.registry.db.select().from(churches).where(eq(churches.tenantId, failed.tenantId));
  return startProvisioning(services, {
    churchName: church!.name,
    timezone: church!.timezone,
    size: church!.size,
    adminName: failed.adminName,
    email: failed.adminEmail,
    passwordHash: failed.adminPasswordHash!,
  });
}

/**
 * Reserve the email, record the church and its provisioning job, and enqueue the job — all in one registry
 * transaction, so either everything exists or nothing does. Returns at once with an opaque ticket to poll.
 */
async function startProvisioning(services: Deps, input: Details): Promise<{ ticket: string }> {
  const { registry, naming, config } = services;
  const tenantId = randomUUID();
  const jobId = randomUUID();
  const ticket = randomToken();

  try {
    await registry.db.transaction(async (db) => {
      const server = await placeChurch(db, config.PLACEMENT_SERVER);
      if (!server)
        throw new Error(
          config.PLACEMENT_SERVER
            ? `PLACEMENT_SERVER ${config.PLACEMENT_SERVER} is not a registered database server`
            : 'no database server is accepting new churches',
        );
      if (server.room <= 0)
        log.warn('database server over capacity; placing the church there anyway', {
          server: server.name,
          room: server.room,
        });
      await db.insert(tenants).values({
        id: tenantId,
        slug: `${slugify(input.churchName)}-${tenantId.slice(0, 6)}`,
        dbServerId: server.id,
        dbName: naming.database(tenantId),
        dbRole: naming.role(tenantId),
        dbSecret: encryptSecret(randomToken(24), config.STEEPLE_SECRET_KEY),
      });
      await db
        .insert(churches)
        .values({ tenantId, name: input.churchName, timezone: input.timezone, size: input.size ?? null });
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
        adminPasswordHash: input.passwordHash,
      });
      await addJobInTransaction(
        db,
        PROVISION_TASK,
        { jobId },
        { jobKey: provisionJobKey(tenantId, jobId), maxAttempts: config.PROVISION_MAX_ATTEMPTS },
      );
    });
  } catch (err) {
    if (isUniqueViolation(err, 'admin_email_index_pkey')) throw new Conflict(EMAIL_TAKEN);
    if (isDatabaseOutage(err)) throw new RegistryUnavailableError(err);
    throw err;
  }
  return { ticket };
}

/** What the onboarding page shows: the job's state and each step's, for this ticket only. */
export async function provisioningStatus(services: Deps, ticket: string) {
  const query = services.registry.db
    .select({ state: provisioningJobs.state, steps: provisioningJobs.steps })
    .from(provisioningJobs)
    .where(eq(provisioningJobs.ticketHash, sha256(ticket)));
  const [job] = await withDeadline(query, services.config.REGISTRY_TIMEOUT_MS);
  if (!job) throw new NotFound('We could not find that signup. Please start again.');
  return {
    state: job.state,
    steps: job.steps.map(({ name, state }) => ({ name, state })),
    message: job.state === 'failed' ? 'We could not finish setting up your workspace. Please try again.' : null,
  };
}

function slugify(name: string) {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'church'
  );
}
