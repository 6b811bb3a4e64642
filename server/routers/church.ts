import { formatPhone } from '@/server/messaging/phone';
import { updateChurchProfile, type ChurchProfile } from '@/server/church/profile';
import { saveQuietHours } from '@/server/church/quiet-hours';
import { cardUrl } from '@/server/connect-card/church';
import { churchProfileInput } from '@/server/inputs';
import { quietHoursInput } from '@/server/messaging/inputs';
import { quietHoursOf } from '@/server/messaging/quiet-hours';
import { teammates } from '@/server/team/roster';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/** The contact phone as the church reads phone numbers (the settings form shows it so; it is stored in E.164). */
const withContactDisplay = <C extends ChurchProfile>(church: C) => ({
  ...church,
  contactPhoneDisplay: church.contactPhone ? formatPhone(church.contactPhone, church.country) : null,
});

export const churchRouter = router({
  /** The signed-in church's profile (by the session's church id only) with its connect card's address; who asks. */
  profile: tenantProcedure.query(async ({ ctx }) => {
    const { name, email, role } = ctx.admin;
    const church = withContactDisplay(await ctx.services.profiles.get(ctx.tenantId));
    return { church: { ...church, connectCardUrl: cardUrl(ctx.services, church.slug) }, me: { name, email, role } };
  }),

  /** Name, timezone, country (how members' numbers are read) and the contact given in HELP replies. */
  updateProfile: permittedProcedure('church.edit')
    .input(churchProfileInput)
    .mutation(async ({ ctx, input }) =>
      withContactDisplay(
        await updateChurchProfile(ctx.services, { db: ctx.db, tenantId: ctx.tenantId, adminId: ctx.admin.id }, input),
      ),
    ),

  /** When the church does not text people, in each member's own timezone (server/messaging/quiet-hours.ts). */
  quietHours: tenantProcedure.query(({ ctx }) => quietHoursOf(ctx.db)),

  updateQuietHours: permittedProcedure('church.edit')
    .input(quietHoursInput)
    .mutation(({ ctx, input }) => saveQuietHours(ctx.db, ctx.admin.id, input)),

  /** Everyone who can sign in to this church; from the church's own database. */
  admins: permittedProcedure('team.view').query(({ ctx }) => teammates(ctx.db)),
});
