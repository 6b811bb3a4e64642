import { z } from 'zod';
import { captionBody, messageBody, pictureId } from '@/server/messaging/inputs';
import { retryMessage } from '@/server/messaging/retry';
import { sendToMember } from '@/server/messaging/send';
import { simulateReply } from '@/server/messaging/simulate';
import { router, tenantProcedure } from '@/server/trpc';

export const messagesRouter = router({
  /** Text one member. The message is stored as queued and sent by the job queue (retried, rate limited, once). */
  send: tenantProcedure
    // Inside the member's quiet hours the first try is a CONFLICT whose message asks; `duringQuietHours` confirms.
    .input(
      z.object({
        memberId: z.string().uuid(),
        body: captionBody,
        mediaId: pictureId,
        duringQuietHours: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => sendToMember(ctx.services, ctx, input, ctx.admin.id)),

  /** Send a failed text again, where its failure says that could work (the carrier was busy, not an opt-out). */
  retry: tenantProcedure
    .input(z.object({ id: z.string().uuid(), duringQuietHours: z.boolean().optional() }))
    .mutation(({ ctx, input }) => retryMessage(ctx.services, ctx, input)),

  /** Local outbox only: pretend the member texted back, through the real signed webhook. */
  simulateReply: tenantProcedure
    .input(z.object({ conversationId: z.string().uuid(), body: messageBody }))
    .mutation(({ ctx, input }) => simulateReply(ctx.services, ctx, input.conversationId, input.body)),
});
