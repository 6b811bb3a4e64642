import { randomUUID } from 'node:crypto';
import { Conflict, NotFound, TryAgain } from '@/server/domain-errors';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { adminEmailIndex, inviteIndex } from '@/db/registry/schema';
import { admins, invites, type AdminRole } from '@/db/tenant/schema';
import type { TenantDb } from '@/db/tenant';
import { record } from '@/server/activity/record';
import { hashPassword } from '@/server/auth/password';
import { withoutLinks } from '@/server/inputs';
import { sendMail } from '@/server/mail';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { UNAVAILABLE_MESSAGES, unavailableReason } from '@/server/tenancy/availability';
import { randomToken, sha256 } from '@/server/tokens';

const INVITE_DAYS = 7;
const GONE = 'This invitation is no longer valid. Ask your church for a new one.';
const EMAIL_HAS_ACCOUNT = 'This email already has a Steeple account.';

/** Create an invite in the church's database and its route in the registry; email it when SMTP is configured. */
export async function createInvite(
  services: Services,
  db: TenantDb,
  by: { tenantId: string; adminId: string },
  input: { email: string; role: Exclude<AdminRole, 'owner'> },
) {
  const { registry } = services;
  const [taken] = await withDeadline(
    registry.db.select().from(adminEmailIndex).where(eq(adminEmailIndex.email, input.email)),
    registry.timeoutMs,
  );
  if (taken) throw new Conflict(EMAIL_HAS_ACCOUNT);
  const token = randomToken();
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 86_400_000);
  const id = randomUUID();
  // The invite, its log entry and (inside, so a registry failure undoes both) its route in the registry.
  await db.transaction(async (tx) => {
    await tx
      .insert(invites)
      .values({ id, email: input.email, role: input.role, tokenHash: sha256(token), invitedBy: by.adminId, expiresAt });
    await record(tx, {
      action: 'team.invited',
      by: { adminId: by.adminId },
      subject: input.email,
      details: { role: input.role },
    });
    await withDeadline(
      registry.db.insert(inviteIndex).values({ tokenHash: sha256(token), tenantId: by.tenantId, expiresAt }),
      registry.timeoutMs,
    );
  });
  const url = `${services.config.NEXTAUTH_URL ?? 'http://127.0.0.1:3000'}/invite/${token}`;
  // The only words a church chooses in this email are its name (length-limited, links taken out): an invitation
  // cannot carry anyone's message, so it cannot be used to send strangers spam or phishing from our address.
  const name = withoutLinks((await services.profiles.get(by.tenantId)).name).slice(0, 80) || 'a church';
  const emailed = await sendMail(services.config, {
    to: input.email,
    subject: `You're invited to ${name} on Steeple`,
    text:
      `You have been invited to join ${name} on Steeple as ${input.role}.\n\n` +
      `Accept: ${url}\n\n` +
      `This link expires in ${INVITE_DAYS} days.`,
  });
  return { id, url, emailed };
}

/** Find the church an invite token belongs to (registry), then the invite itself (church database). */
async function findInvite<T>(
  services: Services,
  token: string,
  fn: (db: TenantDb, invite: typeof invites.$inferSelect, tenantId: string) => Promise<T>,
) {
  const [route] = await withDeadline(
    services.registry.db
      .select()
      .from(inviteIndex)
      .where(and(eq(inviteIndex.tokenHash, sha256(token)), gt(inviteIndex.expiresAt, new Date()))),
    services.registry.timeoutMs,
  );
  if (!route) throw new NotFound(GONE);
  return services.connections
    .withTenant(route.tenantId, async (db) => {
      const [invite] = await db
        .select()
        .from(invites)
        .where(and(eq(invites.tokenHash, sha256(token)), isNull(invites.acceptedAt)));
      if (!invite || invite.expiresAt < new Date()) throw new NotFound(GONE);
      return fn(db, invite, route.tenantId);
    })
    .catch((err) => {
      // A church under maintenance asks for patience; a closed or failed one has no invitations any more.
      const reason = unavailableReason(err);
      if (reason === 'maintenance' || reason === 'upgrading')
        throw new TryAgain(UNAVAILABLE_MESSAGES[reason], { cause: err });
      if (reason) throw new NotFound(GONE);
      throw err;
    });
}

export function describeInvite(services: Services, token: string) {
  return findInvite(services, token, async (_db, invite, tenantId) => {
    return { churchName: (await services.profiles.get(tenantId)).name, email: invite.email, role: invite.role };
  });
}

/**
 * Accept: reserve the email in the registry, create the admin (id = invite id, so a retried accept is harmless),
 * mark the invite used and drop its route.
 */
export function acceptInvite(services: Services, input: { token: string; name: string; password: string }) {
  return findInvite(services, input.token, async (db, invite, tenantId) => {
    const { registry } = services;
    const reserved = await withDeadline(
      registry.db
        .insert(adminEmailIndex)
        .values({ email: invite.email, tenantId, adminId: invite.id })
        .onConflictDoNothing()
        .returning(),
      registry.timeoutMs,
    );
    if (!reserved.length) {
      const [existing] = await withDeadline(
        registry.db.select().from(adminEmailIndex).where(eq(adminEmailIndex.email, invite.email)),
        registry.timeoutMs,
      );
      if (existing?.adminId !== invite.id) throw new Conflict(EMAIL_HAS_ACCOUNT);
    }
    const passwordHash = await hashPassword(input.password);
    await db.transaction(async (tx) => {
      await tx
        .insert(admins)
        .values({ id: invite.id, name: input.name, email: invite.email, passwordHash, role: invite.role })
        .onConflictDoNothing();
      await tx.update(invites).set({ acceptedAt: new Date() }).where(eq(invites.id, invite.id));
      await record(tx, {
        action: 'team.joined',
        by: { adminId: invite.id },
        subject: invite.email,
        details: { role: invite.role },
      });
    });
    await withDeadline(
      registry.db.delete(inviteIndex).where(eq(inviteIndex.tokenHash, invite.tokenHash)),
      registry.timeoutMs,
    );
    return { email: invite.email };
  });
}

export async function revokeInvite(services: Services, db: TenantDb, id: string, by: string) {
  const invite = await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(invites)
      .where(and(eq(invites.id, id), isNull(invites.acceptedAt)))
      .returning();
    if (!gone) throw new NotFound('That invitation was already used or withdrawn.');
    await record(tx, { action: 'team.invite_revoked', by: { adminId: by }, subject: gone.email });
    return gone;
  });
  await withDeadline(
    services.registry.db.delete(inviteIndex).where(eq(inviteIndex.tokenHash, invite.tokenHash)),
    services.registry.timeoutMs,
  );
}
