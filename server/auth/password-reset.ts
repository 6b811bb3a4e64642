import { eq } from 'drizzle-orm';
import { adminEmailIndex } from '@/db/registry/schema';
import { admins } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { appUrl } from '@/server/config';
import { Invalid } from '@/server/domain-errors';
import { log } from '@/server/log';
import { deliverMail } from '@/server/mail';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { adminOfLink, createLink, liveLink, spendLink } from './account-links';
import { hashPassword, verifyPassword } from './password';

/**
 * "Forgot password?": a single-use link, emailed, valid for an hour and stored only as its hash (in the registry,
 * because whoever follows it is not signed in). Choosing a new password through it signs out every session.
 * Without SMTP_URL the mail goes to the server log, marked "development mail", so the flow works locally.
 */
type Deps = Pick<Services, 'config' | 'connections' | 'registry' | 'sessions' | 'throttle'>;

const LINK_MINUTES = 60;
const LINK_GONE = 'This reset link has expired or was already used. Ask for a new one.';

/** Email a reset link if the address has an account; the answer is the same either way. */
export async function requestPasswordReset(services: Deps, email: string, ip: string) {
  await services.throttle.resetRequested(email, ip);
  const [entry] = await withDeadline(
    services.registry.db.select().from(adminEmailIndex).where(eq(adminEmailIndex.email, email)),
    services.registry.timeoutMs,
  );
  if (!entry) {
    log.info('password reset asked for an email without an account');
    return;
  }
  const token = await createLink(services, 'password_reset', entry, LINK_MINUTES);
  const link = `${appUrl(services.config)}/reset-password/${token}`;
  await deliverMail(services.config, {
    to: email,
    subject: 'Reset your Steeple password',
    text:
      `Someone (we hope you) asked to reset the password of your Steeple account.\n\n` +
      `Choose a new password: ${link}\n\n` +
      `This link works once and expires in ${LINK_MINUTES} minutes. If you did not ask, ignore this email: ` +
      `your password stays as it is.`,
    links: [link],
  });
}

/** What the reset page shows before the new password is chosen: whose account it is. */
export async function describeResetLink(services: Deps, token: string) {
  const link = await liveLink(services, 'password_reset', token, LINK_GONE);
  return { email: (await adminOfLink(services, link, LINK_GONE)).email };
}

/**
 * The new password, through a live link: used up in the same statement that checks it (two tabs cannot both use it),
 * every other reset link of the admin dies with it, and every session of theirs ends.
 */
export async function resetPassword(services: Deps, token: string, newPassword: string) {
  const link = await liveLink(services, 'password_reset', token, LINK_GONE);
  const admin = await adminOfLink(services, link, LINK_GONE);
  if (await verifyPassword(admin.passwordHash, newPassword))
    throw new Invalid('Choose a new password that is different from your current one.', 'password');
  const passwordHash = await hashPassword(newPassword);
  await spendLink(services, link, LINK_GONE);
  await services.connections.withTenant(link.tenantId, (db) =>
    db.transaction(async (tx) => {
      await tx.update(admins).set({ passwordHash, updatedAt: new Date() }).where(eq(admins.id, link.adminId));
      await record(tx, { action: 'security.password_reset', by: { adminId: link.adminId }, subject: admin.email });
    }),
  );
  const sessionsSignedOut = await services.sessions.revokeAdmin(link.tenantId, link.adminId);
  log.info('password reset through an emailed link', { tenantId: link.tenantId, sessionsSignedOut });
  return { email: admin.email };
}
