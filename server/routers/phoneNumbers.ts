import { z } from 'zod';
import { assignNumber, churchNumbers, releaseNumber } from '@/server/messaging/church-numbers';
import { permittedProcedure, router } from '@/server/trpc';

const number = z.object({ number: z.string().trim().min(3, 'Enter a phone number').max(32) });

// Owner only: numbers cost money and route texts (server/messaging/church-numbers.ts).
export const phoneNumbersRouter = router({
  list: permittedProcedure('numbers.manage').query(({ ctx }) => churchNumbers(ctx.services, ctx.tenantId)),

  assign: permittedProcedure('numbers.manage')
    .input(number)
    .mutation(({ ctx, input }) => assignNumber(ctx.services, ctx.tenantId, input.number)),

  release: permittedProcedure('numbers.manage')
    .input(number)
    .mutation(({ ctx, input }) => releaseNumber(ctx.services, ctx.tenantId, input.number)),
});
