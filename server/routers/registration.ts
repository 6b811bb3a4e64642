import { z } from 'zod';
import { REGISTRATION_KINDS } from '@/db/tenant/schema';
import { registrationDetails } from '@/server/registration/inputs';
import { registrationOverview, submitRegistration } from '@/server/registration/submission';
import { permittedProcedure, router } from '@/server/trpc';

// Owner only: registration speaks for the church to carriers, with its EIN (server/registration/).
export const registrationRouter = router({
  get: permittedProcedure('registration.manage').query(({ ctx }) => registrationOverview(ctx.services, ctx, ctx.admin)),

  submit: permittedProcedure('registration.manage')
    .input(z.object({ kind: z.enum(REGISTRATION_KINDS), details: registrationDetails }))
    .mutation(({ ctx, input }) => submitRegistration(ctx.services, ctx, input, ctx.admin.id)),
});
