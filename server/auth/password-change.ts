import { eq } from 'drizzle-orm';
import type { ChurchScope } from '@/db/tenant';
import { admins } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { Invalid } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { confirmPassword } from './password-check';
import { hashPassword } from './password';

type Signed = ChurchScope & { adminId: string; sessionId: string };

/** A new password for the signed-in admin; every other session of theirs is signed out, this one stays. */
export async function changePassword(
  { throttle, sessions }: Pick<Services, 'throttle' | 'sessions'>,
  { db, tenantId, adminId, sessionId }: Signed,
  input: { currentPassword: string; newPassword: string },
) {
  await confirmPassword(throttle, { db, tenantId, adminId }, input.currentPassword, {
    message: 'Your current password is not correct.',
  });
  // Only once the current one is proven: otherwise this refusal would confirm a guess at it.
  if (input.newPassword === input.currentPassword)
    throw new Invalid('Choose a new password that is different from your current one.', 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(admins).set({ passwordHash, updatedAt: new Date() }).where(eq(admins.id, adminId));
    await record(tx, { action: 'security.password_changed', by: { adminId } });
  });
  return { otherSessionsSignedOut: await sessions.revokeAdmin(tenantId, adminId, sessionId) };
}
