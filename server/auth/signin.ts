import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { adminEmailIndex, provisioningJobs } from '@/db/registry/schema';
import { admins } from '@/db/tenant/schema';
import { errorKind } from '@/server/errors';
import type { Services } from '@/server/services';
import { email } from '@/server/inputs';
import { sha256 } from '@/server/tokens';
import { withDeadline } from '@/server/registry';
import { hashPassword, verifyPassword } from './password';
import { UNAVAILABLE_MESSAGES, unavailableReason } from '@/server/tenancy/availability';
import { TooManyAttemptsError } from './throttle';
import { CODE_NEEDED, CODE_WRONG, SIGNIN_REFUSED } from './signin-messages';
import { checkSecondFactor } from './two-factor';
import { log } from '@/server/log';
import { record, type ActivityEntry } from '@/server/activity/record';
import { setTimeout as delay } from 'node:timers/promises';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'config' | 'connections' | 'registry' | 'resolver' | 'sessions' | 'throttle'>;

/** What a successful sign-in puts in the session token. */
export type SignedIn = {
  tenantId: string;
  adminId: string;
  sessionId: string;
  sessionExpiresAt: number;
  name: string;
  email: string;
};

/** A refusal whose message is safe to show as it is. */
export class SigninError extends errorKind('Signin') {}

const GENERIC = SIGNIN_REFUSED;
const signinInput = z.object({
  email,
  password: z.string().min(1).max(128),
  // The second factor, sent with the password again once the form has asked for it (see CODE_NEEDED).
  code: z.string().max(32).optional(),
});

// A wrong email verifies against this, so it costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
// And every refusal is answered no sooner than this after the request began: a wrong email skips the church
// database's lookup (a connection, perhaps a new one), which would otherwise tell it apart from a wrong password.
const REFUSAL_FLOOR_MS = 300;

/**
 * Email → church through the registry's admin email index, then the admin and password hash from that church's
 * own database. Wrong email and wrong password get the same message after the same work.
 */
export async function signInWithPassword(services: Deps, raw: unknown, ip: string): Promise<SignedIn> {
  const parsed = signinInput.safeParse(raw);
  if (!parsed.success) throw new SigninError(GENERIC);
  const { email, password, code } = parsed.data;
  const started = performance.now();
  // Counted before the password is looked at: twenty guesses sent at once still get only the limit's worth of checks.
  try {
    await services.throttle.beginSignin(email, ip);
  } catch (err) {
    if (TooManyAttemptsError.is(err)) {
      log.warn('sign-in refused: too many attempts', { ip });
      throw new SigninError(err.message);
    }
    throw err;
  }

  const [entry] = await withDeadline(
    services.registry.db.select().from(adminEmailIndex).where(eq(adminEmailIndex.email, email)),
    services.config.REGISTRY_TIMEOUT_MS,
  );
  const admin = entry ? await findAdmin(services, entry.tenantId, entry.adminId) : undefined;

  dummyHash ??= hashPassword('steeple-timing-equaliser');
  const valid = await verifyPassword(admin?.passwordHash ?? (await dummyHash), password);
  if (!admin || !valid) {
    // An email with no account has no church to log it in: the server log's warning above is all there is.
    if (admin) await logSignin(services, entry!.tenantId, admin, ip, 'signin.failed', { reason: 'password' });
    await delay(REFUSAL_FLOOR_MS - (performance.now() - started));
    throw new SigninError(GENERIC); // the attempt is already counted
  }
  if (admin.totpEnabledAt) await requireSecondFactor(services, { email, ip, tenantId: entry!.tenantId, admin, code });
  await services.throttle.signinSucceeded(email, ip);
  const signed = await openSession(services, entry!.tenantId, admin);
  await logSignin(services, entry!.tenantId, admin, ip, 'signin.succeeded', { method: 'password' });
  return signed;
}

/** A sign-in, or a refused one, in the church's activity log: a statement of its own (nothing else is written). */
function logSignin(
  services: Deps,
  tenantId: string,
  admin: { id: string; email: string },
  ip: string,
  action: 'signin.succeeded' | 'signin.failed',
  details: ActivityEntry['details'],
) {
  return services.connections.withTenant(tenantId, (db) =>
    record(db, { action, by: { adminId: admin.id }, subject: admin.email, details, ip }),
  );
}

/**
 * The password was right; the code must be too. Asking for it gives the attempt back (the person did nothing wrong);
 * a wrong code keeps it, so codes are guessed no faster than passwords and the same lockouts end the guessing.
 */
async function requireSecondFactor(
  services: Deps,
  who: { email: string; ip: string; tenantId: string; admin: Parameters<typeof checkSecondFactor>[2]; code?: string },
) {
  if (!who.code?.trim()) {
    await services.throttle.secondStepAsked(who.email, who.ip);
    throw new SigninError(CODE_NEEDED);
  }
  const passed = await services.connections.withTenant(who.tenantId, (db) =>
    checkSecondFactor(services.config, db, who.admin, who.code!),
  );
  if (!passed) {
    const admin = { id: who.admin.id, email: who.email };
    await logSignin(services, who.tenantId, admin, who.ip, 'signin.failed', { reason: 'code' });
    throw new SigninError(CODE_WRONG);
  }
}

/** The signup ticket, exchanged once within 15 minutes of the workspace being ready, signs the new owner in. */
export async function signInWithTicket(services: Deps, ticket: unknown, ip = 'unknown'): Promise<SignedIn> {
  if (typeof ticket !== 'string' || ticket.length < 20 || ticket.length > 100)
    throw new SigninError('This sign-in link is not valid.');
  const used = services.registry.db
    .update(provisioningJobs)
    .set({ signinUsedAt: sql`now()` })
    .where(
      and(
        eq(provisioningJobs.ticketHash, sha256(ticket)),
        eq(provisioningJobs.state, 'ready'),
        isNull(provisioningJobs.signinUsedAt),
        gt(provisioningJobs.finishedAt, sql`now() - interval '15 minutes'`),
      ),
    )
    .returning({ tenantId: provisioningJobs.tenantId, adminId: provisioningJobs.adminId });
  const [job] = await withDeadline(used, services.registry.timeoutMs);
  if (!job) throw new SigninError('This sign-in link has expired. Please sign in with your email and password.');
  const admin = await findAdmin(services, job.tenantId, job.adminId);
  if (!admin) throw new SigninError('This sign-in link has expired. Please sign in with your email and password.');
  const signed = await openSession(services, job.tenantId, admin);
  await logSignin(services, job.tenantId, admin, ip, 'signin.succeeded', { method: 'signup' });
  return signed;
}

/**
 * The admin row, from the church's own database. Where the church stands is read afresh, not from the route cache: a
 * church closed or suspended a moment ago is not signed into (a session already open notices within the cache's TTL).
 */
async function findAdmin(services: Deps, tenantId: string, adminId: string) {
  services.resolver.invalidate(tenantId);
  try {
    return await services.connections.withTenant(
      tenantId,
      async (db) => (await db.select().from(admins).where(eq(admins.id, adminId)))[0],
    );
  } catch (err) {
    // Said before the password is checked: signup already tells anyone whether an email has an account.
    const reason = unavailableReason(err);
    if (reason === 'gone') return undefined;
    if (reason) throw new SigninError(UNAVAILABLE_MESSAGES[reason]);
    throw err;
  }
}

/** Record a revocable session for a verified admin and describe it for the token. */
async function openSession(
  services: Deps,
  tenantId: string,
  admin: { id: string; name: string; email: string },
): Promise<SignedIn> {
  const session = await services.sessions.create(tenantId, admin.id);
  return {
    tenantId,
    adminId: admin.id,
    sessionId: session.id,
    sessionExpiresAt: session.expiresAt.getTime(),
    name: admin.name,
    email: admin.email,
  };
}
