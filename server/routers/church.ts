import { TRPCError } from '@trpc/server';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { churches } from '@/db/registry/schema';
import { admins } from '@/db/tenant/schema';
import { requireTimeZone } from '@/server/church/timezones';
import { churchStep } from '@/server/inputs';
import { normalisePhone } from '@/server/messaging/phone';
import { withDeadline } from '@/server/registry';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

const profileInput = churchStep.pick({ churchName: true, timezone: true }).extend({
  country: z
    .string()
    .max(8, 'Choose a country')
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'Choose a country'),
  contactPhone: z.string().trim().max(32).nullish(),
  contactEmail: z
    .string()
    .trim()
    .max(254)
    .pipe(z.union([z.literal(''), z.email('Enter a valid email address')]))
    .nullish(),
});

export const churchRouter = router({
  /** The signed-in church's profile, read by the session's church id only. */
  profile: tenantProcedure.query(async ({ ctx }) => {
    const profile = await ctx.services.profiles.get(ctx.tenantId);
    const [me] = await ctx.db
      .select({ name: admins.name, email: admins.email, role: admins.role })
      .from(admins)
      .where(eq(admins.id, ctx.session.adminId));
    return { church: profile, me: me ?? null };
  }),

  /** Name, timezone, country (how members' numbers are read) and the contact given in HELP replies. */
  updateProfile: permittedProcedure('church.edit')
    .input(profileInput)
    .mutation(async ({ ctx, input }) => {
      const contactPhone = input.contactPhone ? normalisePhone(input.contactPhone, input.country) : null;
      if (input.contactPhone && !contactPhone)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'The contact phone is not a valid number.' });
      await requireTimeZone(ctx.services.registry, input.timezone);
      const { registry } = ctx.services;
      const changes = {
        name: input.churchName,
        timezone: input.timezone,
        country: input.country,
        contactPhone,
        contactEmail: input.contactEmail || null,
        updatedAt: new Date(),
      };
      await withDeadline(
        registry.db.update(churches).set(changes).where(eq(churches.tenantId, ctx.tenantId)),
        registry.timeoutMs,
      );
      ctx.services.profiles.forget(ctx.tenantId);
      return ctx.services.profiles.get(ctx.tenantId);
    }),

  /** Everyone who can sign in to this church; from the church's own database. */
  admins: permittedProcedure('team.view').query(({ ctx }) =>
    ctx.db
      .select({ id: admins.id, name: admins.name, email: admins.email, role: admins.role })
      .from(admins)
      .orderBy(asc(admins.createdAt)),
  ),
});
