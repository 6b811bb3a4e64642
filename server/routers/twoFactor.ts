import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { setTeamRequirement } from '@/server/auth/team-security';
import {
  beginEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  newRecoveryCodes,
  twoFactorStatus,
} from '@/server/auth/two-factor';
import { passwordConfirmation, twoFactorCode } from '@/server/inputs';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/** Reachable while the church requires two-factor sign-in and the caller has not set it up yet (server/trpc.ts). */
const setupProcedure = tenantProcedure.meta({ readOnlyOk: true, twoFactorSetupOk: true });

/** The caller's own two-factor sign-in, and the owner's rule for the whole team. */
export const twoFactorRouter = router({
  status: setupProcedure.query(({ ctx }) => twoFactorStatus(ctx.db, ctx.admin.id)),

  /** A new secret: its QR code and typed key. Nothing changes at sign-in until `confirm`. */
  begin: setupProcedure.mutation(({ ctx }) => beginEnrolment(ctx.services.config, me(ctx))),

  /** The app's first code turns it on; the ten recovery codes are returned once. */
  confirm: setupProcedure
    .input(z.object({ code: twoFactorCode }))
    .mutation(({ ctx, input }) => confirmEnrolment(ctx.services.config, me(ctx), input.code)),

  disable: setupProcedure.input(passwordConfirmation).mutation(async ({ ctx, input }) => {
    await disableTwoFactor(me(ctx), { throttle: ctx.services.throttle, password: input.password });
    return { enabled: false as const };
  }),

  newRecoveryCodes: setupProcedure
    .input(passwordConfirmation)
    .mutation(({ ctx, input }) =>
      newRecoveryCodes(me(ctx), { throttle: ctx.services.throttle, password: input.password }),
    ),

  /** Owner only: everyone must use two-factor sign-in (teammates without it are sent to set it up). */
  requireForTeam: permittedProcedure('team.manage')
    .meta({ readOnlyOk: true })
    .input(z.object({ required: z.boolean() }))
    .mutation(({ ctx, input }) => setTeamRequirement(ctx.db, ctx.admin.id, input.required)),
});

const me = (ctx: { db: TenantDb; tenantId: string; admin: { id: string; email: string } }) => ({
  db: ctx.db,
  tenantId: ctx.tenantId,
  adminId: ctx.admin.id,
  email: ctx.admin.email,
});
