import { z } from 'zod';
import { addNote, deleteNote, noteBody } from '@/server/messaging/conversation-notes';
import { searchConversations } from '@/server/messaging/conversation-search';
import {
  ASSIGNED_FILTERS,
  assignConversation,
  conversationForMember,
  getConversation,
  listConversations,
  markRead,
  markUnread,
  setClosed,
  THREAD_STATES,
} from '@/server/messaging/conversations';
import { cursorInput } from '@/server/messaging/inputs';
import { router, tenantProcedure } from '@/server/trpc';

const id = z.object({ id: z.string().uuid() });

// The team inbox is everyone's: staff answer texts, so every role assigns, closes, notes and searches.

export const conversationsRouter = router({
  /** The shared inbox: unread threads first, then by latest message. Threads appear once a message is in them. */
  list: tenantProcedure
    .input(
      cursorInput.extend({
        unreadOnly: z.boolean().default(false),
        assigned: z.enum(ASSIGNED_FILTERS).default('all'),
        state: z.enum(THREAD_STATES).default('open'),
      }),
    )
    .query(async ({ ctx, input }) =>
      listConversations(ctx.db, input, ctx.admin.id, await ctx.services.profiles.country(ctx.tenantId)),
    ),

  /** One thread with its latest messages (oldest first); `before` pages further back. */
  get: tenantProcedure
    .input(id.extend({ before: z.string().max(500).nullish(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(async ({ ctx, input }) =>
      getConversation(ctx.db, input, await ctx.services.profiles.country(ctx.tenantId), ctx.services.config),
    ),

  markRead: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(id)
    .mutation(({ ctx, input }) => markRead(ctx.db, input.id)),

  /** Bold again in everyone's list: someone should look at it again. */
  markUnread: tenantProcedure.input(id).mutation(({ ctx, input }) => markUnread(ctx.db, input.id)),

  /** Done (out of the open inbox until they text again), or open again. */
  setClosed: tenantProcedure
    .input(id.extend({ closed: z.boolean(), seenLastMessageAt: z.date().nullish() }))
    .mutation(({ ctx, input }) => setClosed(ctx.db, input.id, input.closed, input.seenLastMessageAt)),

  /** A note for the team in the thread; never sent. */
  addNote: tenantProcedure
    .input(id.extend({ body: noteBody }))
    .mutation(({ ctx, input }) => addNote(ctx.db, input.id, ctx.admin.id, input.body)),

  /** Its author, or an admin, deletes a note. */
  deleteNote: tenantProcedure.input(id).mutation(({ ctx, input }) => deleteNote(ctx.db, input.id, ctx.admin)),

  /** Messages and notes whose words start with the words typed, newest first, with their thread. */
  search: tenantProcedure
    .input(cursorInput.extend({ query: z.string().trim().min(2, 'Type at least two letters').max(100) }))
    .query(async ({ ctx, input }) =>
      searchConversations(ctx.db, input, await ctx.services.profiles.country(ctx.tenantId)),
    ),

  /** Give a thread to one admin to answer (or back to everyone with null); they must be on this church's team. */
  assign: tenantProcedure
    .input(id.extend({ adminId: z.string().uuid().nullable() }))
    .mutation(({ ctx, input }) => assignConversation(ctx.db, input.id, input.adminId)),

  /** A member's thread, if they have one (a broadcast or a first text starts it): how /inbox?member= opens it. */
  forMember: tenantProcedure
    .input(z.object({ memberId: z.string().uuid() }))
    .query(({ ctx, input }) => conversationForMember(ctx.db, input.memberId)),
});
