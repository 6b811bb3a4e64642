import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { conversations, members, messages } from '@/db/tenant/schema';
import { requireAllowance } from '@/server/billing/allowance';
import { log } from '@/server/log';
import { messageBody } from '@/server/messaging/inputs';
import { enqueueSend, writeThenRun } from '@/server/messaging/jobs';
import { countSegments } from '@/server/messaging/segments';
import { simulateInbound } from '@/server/messaging/simulate';
import { tenantProcedure, router, type TenantContext } from '@/server/trpc';

export const messagesRouter = router({
  /** Text one member. The message is stored as queued and sent by the job queue (retried, rate limited, once). */
  send: tenantProcedure
    .input(z.object({ memberId: z.string().uuid(), body: messageBody }))
    .mutation(async ({ ctx, input }) => {
      const [member] = await ctx.db.select().from(members).where(eq(members.id, input.memberId));
      if (!member) throw new TRPCError({ code: 'NOT_FOUND', message: 'That member does not exist.' });
      // Someone not opted in (say they texted in first) may be answered one to one; someone who opted out may not.
      if (member.subscription === 'unsubscribed') {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: `${member.firstName} has unsubscribed (replied STOP), so Steeple will not text them.`,
        });
      }
      await requireSendingNumber(ctx);
      const segments = countSegments(input.body).segments;
      const conversationId = await conversationOf(ctx, member.id);
      const id = randomUUID();
      const message = await writeThenRun(
        (runAt) => enqueueSend(ctx.services.registry, ctx.tenantId, id, runAt),
        new Date(),
        () =>
          ctx.db.transaction(async (tx) => {
            await requireAllowance(ctx.services, tx, ctx.tenantId, segments); // a trial's daily allowance
            const [m] = await tx
              .insert(messages)
              .values({
                id,
                conversationId,
                direction: 'outbound',
                kind: 'conversation',
                body: input.body,
                segments,
                status: 'queued',
                toNumber: member.phone,
                sentBy: ctx.admin.id,
              })
              .returning();
            await tx
              .update(conversations)
              .set({ lastMessageAt: sql`now()`, lastMessagePreview: input.body.slice(0, 140), unreadCount: 0 })
              .where(eq(conversations.id, conversationId));
            return m!;
          }),
      );
      return { ...message, conversationId };
    }),

  /** Local outbox only: pretend the member texted back, through the real signed webhook. */
  simulateReply: tenantProcedure
    .input(z.object({ conversationId: z.string().uuid(), body: messageBody }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.services.messaging.signingKey)
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: 'Simulated replies are only available without a Telnyx account.',
        });
      const [thread] = await ctx.db
        .select({ phone: members.phone, churchNumber: conversations.churchNumber })
        .from(conversations)
        .innerJoin(members, eq(members.id, conversations.memberId))
        .where(eq(conversations.id, input.conversationId));
      if (!thread) throw new TRPCError({ code: 'NOT_FOUND', message: 'That conversation does not exist.' });
      const to = thread.churchNumber ?? (await requireSendingNumber(ctx));
      const status = await simulateInbound(ctx.services, { from: thread.phone, to, text: input.body });
      if (status !== 200) {
        log.warn('simulated reply was not accepted by the webhook', { status });
        throw new TRPCError({
          code: 'SERVICE_UNAVAILABLE',
          message: 'The reply could not be delivered. Please try again.',
        });
      }
      return { ok: true };
    }),
});

async function requireSendingNumber(ctx: TenantContext) {
  const [number] = await ctx.services.messaging.numbers.numbersOf(ctx.tenantId);
  if (!number)
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'Add a sending phone number in Settings before texting.',
    });
  return number;
}

/** A member's conversation, started on first use. */
async function conversationOf(ctx: TenantContext, memberId: string) {
  await ctx.db.insert(conversations).values({ memberId }).onConflictDoNothing({ target: conversations.memberId });
  const [c] = await ctx.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.memberId, memberId));
  return c!.id;
}
