import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { churchNumbers, orderNumber, releaseNumber, searchNumbers } from '@/server/numbers/ownership';
import { permittedProcedure, router } from '@/server/trpc';

// US numbers only (local and toll-free), as the search offers them: US carriers' rules are the ones followed here.
const e164 = z
  .string()
  .trim()
  .regex(/^\+1[2-9]\d{2}[2-9]\d{6}$/, 'Choose a number from the search results');

/** The church and who acts, as buying and releasing need them (the activity log names the person). */
const scopeOf = (ctx: { db: TenantDb; tenantId: string; admin: { id: string } }) => ({
  db: ctx.db,
  tenantId: ctx.tenantId,
  adminId: ctx.admin.id,
});

// Owner only: numbers cost money and route texts (server/numbers/ownership.ts).
export const phoneNumbersRouter = router({
  list: permittedProcedure('numbers.manage').query(({ ctx }) => churchNumbers(ctx.services, ctx.tenantId)),

  search: permittedProcedure('numbers.manage')
    .input(
      z.object({
        areaCode: z
          .string()
          .trim()
          .regex(/^[2-9]\d\d$/, 'An area code is three digits, like 615')
          .optional(),
        city: z.string().trim().max(60, 'Keep the city under 60 characters').optional(),
        state: z
          .string()
          .trim()
          .regex(/^[A-Za-z]{2}$/, 'Use the two-letter state code, like TN')
          .optional(),
        tollFree: z.boolean().optional(),
      }),
    )
    .query(({ ctx, input }) => searchNumbers(ctx.services, ctx.tenantId, input)),

  order: permittedProcedure('numbers.manage')
    .input(z.object({ phoneNumber: e164 }))
    .mutation(({ ctx, input }) => orderNumber(ctx.services, scopeOf(ctx), input.phoneNumber)),

  release: permittedProcedure('numbers.manage')
    .input(
      z.object({
        number: e164,
        confirmation: z.string().trim().min(1, 'Type the number to confirm').max(32),
      }),
    )
    .mutation(({ ctx, input }) => releaseNumber(ctx.services, scopeOf(ctx), input.number, input.confirmation)),
});
