import { eq } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { admins } from '@/db/tenant/schema';
import { Invalid } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { verifyPassword } from './password';

/**
 * A signed-in admin proves their password again (changing it, two-factor changes). Counted before it is checked, so a
 * stolen session cannot be used to guess it quickly; `field` names the form field a wrong one is shown beside.
 */
export async function confirmPassword(
  throttle: Services['throttle'],
  { db, tenantId, adminId }: { db: TenantDb; tenantId: string; adminId: string },
  password: string,
  refusal: { message: string; field?: string },
) {
  await throttle.passwordChangeAttempt(tenantId, adminId);
  const [me] = await db.select({ hash: admins.passwordHash }).from(admins).where(eq(admins.id, adminId));
  if (!me || !(await verifyPassword(me.hash, password))) throw new Invalid(refusal.message, refusal.field);
}
