import { eq } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { admins } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { Invalid } from '@/server/domain-errors';
import { formatPhone, normalisePhone } from '@/server/messaging/phone';
import type { Services } from '@/server/services';

/**
 * An admin's own mobile number (Account → Your mobile number), optional. A member with that number is on the team:
 * before the owner's email is verified the church may text only such members (messaging/team-only.ts).
 */

/** Their number, stored and as the church reads it (national in its country), or null. */
export const displayedMobile = (phone: string | null, country: string) =>
  phone ? { e164: phone, display: formatPhone(phone, country) } : null;

/** Sets (or, given "", removes) their number, read against the church's country; logged in the activity log. */
export async function setMobile(
  services: Pick<Services, 'profiles'>,
  { db, tenantId, adminId }: { db: TenantDb; tenantId: string; adminId: string },
  typed: string,
) {
  const { country } = await services.profiles.get(tenantId);
  const phone = typed ? normalisePhone(typed, country) : null;
  if (typed && !phone) throw new Invalid('Enter a mobile number we can text, like (615) 555-0142.', 'phone');
  await db.transaction(async (tx) => {
    await tx.update(admins).set({ phone, updatedAt: new Date() }).where(eq(admins.id, adminId));
    await record(tx, {
      action: 'security.phone_changed',
      by: { adminId },
      subject: phone ? formatPhone(phone, country) : '',
    });
  });
  return displayedMobile(phone, country);
}
