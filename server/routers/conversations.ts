import { z } from 'zod';
import {
  assignConversation,
  conversationForMember,
  getConversation,
  listConversations,
  markRead,
} from '@/server/messaging/conversations';
import { cursorInput } from '@/server/messaging/inputs';
import { router, tenantProcedure } from '@/server/trpc';

const id = z.object({ id: z.string().uuid() });

export const conversationsRouter = router({
  /** The shared inbox: unread threads first, then by latest message. Threads appear once a message is in them. */
  list: tenantProcedure
    .input(cursorInput.extend({ unreadOnly: z.boolean().default(false), assignedToMe: z.boolean().default(false) }))
    .query(async ({ ctx, input }) =>
      listConversations(ctx.db, input, ctx.admin.id, await ctx.services.profiles.country(ctx.tenantId)),
    ),

  /** One thread with its latest messages (oldest first); `before` pages further back. */
  get: tenantProcedure
    .input(id.extend({ before: z.string().max(500).nullish(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(async ({ ctx, input }) => getConversation(ctx.db, input, await ctx.services.profiles.country(ctx.tenantId))),

  markRead: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(id)
    .mutation(({ ctx, input }) => markRead(ctx.db, input.id)),

  /** Give a thread to one admin to answer (or back to everyone with null); they must be on this church's team. */
  assign: tenantProcedure
    .input(id.extend({ adminId: z.string().uuid().nullable() }))
    .mutation(({ ctx, input }) => assignConversation(ctx.db, input.id, input.adminId)),

  /** A member's thread, if they have one (a broadcast or a first text starts it): how /inbox?member= opens it. */
  forMember: tenantProcedure
    .input(z.object({ memberId: z.string().uuid() }))
    .query(({ ctx, input }) => conversationForMember(ctx.db, input.memberId)),
});
