import { asc, eq } from 'drizzle-orm';
import { churches } from '@/db/registry/schema';
import { admins } from '@/db/tenant/schema';
import { roleProcedure, router, tenantProcedure } from '@/server/trpc';

export const churchRouter = router({
  /** The signed-in church's profile, read by the session's church id only. */
  profile: tenantProcedure.query(async ({ ctx }) => {
    const [church] = await ctx.services.registry.db
      .select({ name: churches.name, timezone: churches.timezone })
      .from(churches)
      .where(eq(churches.tenantId, ctx.tenantId));
    const [me] = await ctx.db.select({ name: admins.name, email: admins.email, role: admins.role }).from(admins).where(eq(admins.id, ctx.session.adminId));
    return { church: church ?? null, me: me ?? null };
  }),
  /** Everyone who can sign in to this church; from the church's own database. */
  admins: roleProcedure('admin').query(({ ctx }) =>
    ctx.db.select({ id: admins.id, name: admins.name, email: admins.email, role: admins.role }).from(admins).orderBy(asc(admins.createdAt)),
  ),
});
