import { TRPCError } from '@trpc/server';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { phoneNumberIndex } from '@/db/registry/schema';
import { hasCause } from '@/server/errors';
import { normalisePhone } from '@/server/messaging/phone';
import { withDeadline } from '@/server/registry';
import { permittedProcedure, router } from '@/server/trpc';

const number = z.object({ number: z.string().trim().min(3, 'Enter a phone number').max(32) });

// The church's sending numbers live in the registry's phone index: that is how an inbound text finds its church,
// and its primary key makes a number belong to one church only. Owner only: numbers cost money and route texts.
export const phoneNumbersRouter = router({
  list: permittedProcedure('numbers.manage').query(({ ctx }) =>
    withDeadline(
      ctx.services.registry.db
        .select({ number: phoneNumberIndex.e164, assignedAt: phoneNumberIndex.createdAt })
        .from(phoneNumberIndex)
        .where(eq(phoneNumberIndex.tenantId, ctx.tenantId))
        .orderBy(asc(phoneNumberIndex.createdAt), asc(phoneNumberIndex.e164)),
      ctx.services.registry.timeoutMs,
    ),
  ),

  assign: permittedProcedure('numbers.manage')
    .input(number)
    .mutation(async ({ ctx, input }) => {
      const { country } = await ctx.services.profiles.get(ctx.tenantId);
      const e164 = normalisePhone(input.number, country);
      if (!e164) throw new TRPCError({ code: 'BAD_REQUEST', message: 'That is not a valid phone number.' });
      const { registry } = ctx.services;
      try {
        await withDeadline(
          registry.db.insert(phoneNumberIndex).values({ e164, tenantId: ctx.tenantId }),
          registry.timeoutMs,
        );
      } catch (err) {
        if (!hasCause(err, (e) => e.code === '23505')) throw err;
        const ownerOf = registry.db
          .select({ tenantId: phoneNumberIndex.tenantId })
          .from(phoneNumberIndex)
          .where(eq(phoneNumberIndex.e164, e164));
        const [owner] = await withDeadline(ownerOf, registry.timeoutMs);
        const message =
          owner?.tenantId === ctx.tenantId
            ? 'This number is already one of yours.'
            : 'This number is already in use by another account.';
        throw new TRPCError({ code: 'CONFLICT', message });
      }
      ctx.services.messaging.numbers.forget(e164, ctx.tenantId);
      return { number: e164 };
    }),

  release: permittedProcedure('numbers.manage')
    .input(number)
    .mutation(async ({ ctx, input }) => {
      const { country } = await ctx.services.profiles.get(ctx.tenantId);
      const e164 = normalisePhone(input.number, country) ?? input.number;
      const [gone] = await withDeadline(
        ctx.services.registry.db
          .delete(phoneNumberIndex)
          .where(and(eq(phoneNumberIndex.e164, e164), eq(phoneNumberIndex.tenantId, ctx.tenantId)))
          .returning({ e164: phoneNumberIndex.e164 }),
        ctx.services.registry.timeoutMs,
      );
      if (!gone) throw new TRPCError({ code: 'NOT_FOUND', message: 'That number is not one of yours.' });
      ctx.services.messaging.numbers.forget(e164, ctx.tenantId);
      return { ok: true };
    }),
});
