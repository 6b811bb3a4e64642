import type { Task } from 'graphile-worker';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { RegistryDb } from '@/db/registry';
import type { TenantDb } from '@/db/tenant';
import { admins } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { appUrl } from '@/server/config';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import { deliverMail } from '@/server/mail';
import type { Services } from '@/server/services';
import { adminOfLink, createLink, liveLink, spendLink } from './account-links';

/**
 * The owner's email is verified by a link. Until it is, the church texts only its own team (messaging/team-only.ts):
 * a signup with someone else's address cannot text strangers. The mail is a durable job, queued when provisioning
 * activates the church and again on "Resend", so a mail server that is down delays it rather than losing it.
 */
type Deps = Pick<Services, 'config' | 'connections' | 'registry'>;

export const VERIFY_MAIL_TASK = 'email_verification_mail';
const LINK_HOURS = 72;
const LINK_GONE = 'This link has expired or was already used. Sign in and ask for a new one from the banner.';
const payload = z.object({ tenantId: z.string().uuid(), adminId: z.string().uuid() });

/** In the caller's registry transaction: mail `adminId` a verification link (a newer ask replaces a waiting one). */
export function enqueueVerificationMail(tx: Pick<RegistryDb, 'execute'>, tenantId: string, adminId: string) {
  return addJobInTransaction(
    tx,
    VERIFY_MAIL_TASK,
    { tenantId, adminId },
    { jobKey: `verify-mail:${tenantId}:${adminId}`, maxAttempts: 10 },
  );
}

export function verificationMailTask(services: Deps): Task {
  return async (raw) => {
    const owner = payload.parse(raw);
    const [admin] = await services.connections.withTenant(owner.tenantId, (db) =>
      db.select().from(admins).where(eq(admins.id, owner.adminId)),
    );
    if (!admin || admin.emailVerifiedAt) return; // left the team, or verified since it was asked for
    const token = await createLink(services, 'verify_email', owner, LINK_HOURS * 60);
    const link = `${appUrl(services.config)}/verify-email/${token}`;
    await deliverMail(services.config, {
      to: admin.email,
      subject: 'Verify your email for Steeple',
      text:
        `Hello ${admin.name},\n\nPlease confirm that ${admin.email} is yours: ${link}\n\n` +
        `Until you do, your church can text only your own team's phones. The link works once and expires in ` +
        `${LINK_HOURS / 24} days. If you did not sign up for Steeple, ignore this email.`,
      links: [link],
    });
  };
}

/** "Resend the email", for the signed-in admin's own address (at most a few an hour). */
export async function resendVerification(
  services: Deps & Pick<Services, 'throttle'>,
  scope: { db: TenantDb; tenantId: string; adminId: string },
) {
  const [admin] = await scope.db.select().from(admins).where(eq(admins.id, scope.adminId));
  if (admin?.emailVerifiedAt) return { alreadyVerified: true, email: admin.email };
  await services.throttle.verificationMail(scope.tenantId, scope.adminId);
  await services.registry.db.transaction((tx) => enqueueVerificationMail(tx, scope.tenantId, scope.adminId));
  return { alreadyVerified: false, email: admin!.email };
}

/** The emailed link, followed: the admin's address is verified, and every other link of theirs stops working. */
export async function verifyEmail(services: Deps, token: string) {
  const link = await liveLink(services, 'verify_email', token, LINK_GONE);
  const admin = await adminOfLink(services, link, LINK_GONE);
  await spendLink(services, link, LINK_GONE);
  await services.connections.withTenant(link.tenantId, (db) =>
    db.transaction(async (tx) => {
      const [changed] = await tx
        .update(admins)
        .set({ emailVerifiedAt: sql`now()`, updatedAt: new Date() })
        .where(and(eq(admins.id, admin.id), isNull(admins.emailVerifiedAt)))
        .returning({ id: admins.id });
      if (changed)
        await record(tx, { action: 'security.email_verified', by: { adminId: admin.id }, subject: admin.email });
    }),
  );
  log.info('email verified through an emailed link', { tenantId: link.tenantId });
  return { email: admin.email };
}
