import { TRPCError } from '@trpc/server';
import { and, desc, eq, isNotNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { admins, conversations, members, messages } from '@/db/tenant/schema';
import { cursorInput } from '@/server/messaging/inputs';
import { tenantProcedure, router } from '@/server/trpc';
import { decodeCursorAs, encodeCursor, exactTime, exactTimeKey } from './cursor';

const hasUnread = sql<boolean>`(${conversations.unreadCount} > 0)`;
const lastAt = exactTime(conversations.lastMessageAt); // text keeps microseconds for exact cursors
const listCursor = z.tuple([z.boolean(), exactTimeKey, z.string().uuid()]);
const threadCursor = z.tuple([exactTimeKey, z.string().uuid()]);

export const conversationsRouter = router({
  /** The shared inbox: unread threads first, then by latest message. Threads appear once a message is in them. */
  list: tenantProcedure
    .input(cursorInput.extend({ unreadOnly: z.boolean().default(false), assignedToMe: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => {
      const after = decodeCursorAs(listCursor, input.cursor);
      const rows = await ctx.db
        .select({
          id: conversations.id,
          memberId: members.id,
          firstName: members.firstName,
          lastName: members.lastName,
          phone: members.phone,
          subscription: members.subscription,
          unreadCount: conversations.unreadCount,
          lastMessageAt: conversations.lastMessageAt,
          lastMessagePreview: conversations.lastMessagePreview,
          assignedAdminId: conversations.assignedAdminId,
          sortUnread: hasUnread,
          sortAt: lastAt,
        })
        .from(conversations)
        .innerJoin(members, eq(members.id, conversations.memberId))
        .where(
          and(
            isNotNull(conversations.lastMessageAt),
            input.unreadOnly ? sql`${conversations.unreadCount} > 0` : undefined,
            input.assignedToMe ? eq(conversations.assignedAdminId, ctx.admin.id) : undefined,
            after
              ? sql`(${hasUnread}, ${conversations.lastMessageAt}, ${conversations.id}) < (${after[0]}, ${after[1]}::timestamptz, ${after[2]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(hasUnread), desc(conversations.lastMessageAt), desc(conversations.id))
        .limit(input.limit + 1);
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      const [{ unread }] = (await ctx.db
        .select({ unread: sql<number>`count(*)::int` })
        .from(conversations)
        .where(sql`${conversations.unreadCount} > 0`)) as [{ unread: number }];
      return {
        items: page.map(({ sortUnread, sortAt, ...item }) => item),
        nextCursor: rows.length > input.limit && last ? encodeCursor([last.sortUnread, last.sortAt, last.id]) : null,
        unreadThreads: unread,
      };
    }),

  /** One thread with its latest messages (oldest first); `before` pages further back. */
  get: tenantProcedure
    .input(
      z.object({
        id: z.string().uuid(),
        before: z.string().max(500).nullish(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const [thread] = await ctx.db
        .select({
          conversation: conversations,
          member: {
            id: members.id,
            firstName: members.firstName,
            lastName: members.lastName,
            phone: members.phone,
            subscription: members.subscription,
          },
        })
        .from(conversations)
        .innerJoin(members, eq(members.id, conversations.memberId))
        .where(eq(conversations.id, input.id));
      if (!thread) throw new TRPCError({ code: 'NOT_FOUND', message: 'That conversation does not exist.' });
      const before = decodeCursorAs(threadCursor, input.before);
      const rows = await ctx.db
        .select({ message: messages, sortAt: exactTime(messages.createdAt) })
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, input.id),
            before
              ? or(
                  lt(messages.createdAt, sql`${before[0]}::timestamptz`),
                  and(eq(messages.createdAt, sql`${before[0]}::timestamptz`), lt(messages.id, before[1])),
                )
              : undefined,
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(input.limit + 1);
      const page = rows.slice(0, input.limit);
      const oldest = page.at(-1);
      return {
        conversation: thread.conversation,
        member: thread.member,
        messages: page.map((r) => r.message).reverse(),
        olderCursor: rows.length > input.limit && oldest ? encodeCursor([oldest.sortAt, oldest.message.id]) : null,
      };
    }),

  markRead: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(z.object({ id: z.string().uuid() }))
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db
        .update(conversations)
        .set({ unreadCount: 0 })
        .where(eq(conversations.id, input.id))
        .returning({ id: conversations.id });
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'That conversation does not exist.' });
      return { ok: true };
    }),

  /** Give a thread to one admin to answer (or back to everyone with null); they must be on this church's team. */
  assign: tenantProcedure
    .input(z.object({ id: z.string().uuid(), adminId: z.string().uuid().nullable() }))
    .mutation(async ({ ctx, input }) => {
      if (input.adminId) {
        const [admin] = await ctx.db.select({ id: admins.id }).from(admins).where(eq(admins.id, input.adminId));
        if (!admin) throw new TRPCError({ code: 'BAD_REQUEST', message: 'That person is not on your team.' });
      }
      const [row] = await ctx.db
        .update(conversations)
        .set({ assignedAdminId: input.adminId })
        .where(eq(conversations.id, input.id))
        .returning({ id: conversations.id });
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'That conversation does not exist.' });
      return { ok: true };
    }),

  /** A member's thread, if they have one (a broadcast or a first text starts it): how /inbox?member= opens it. */
  forMember: tenantProcedure.input(z.object({ memberId: z.string().uuid() })).query(async ({ ctx, input }) => {
    const [row] = await ctx.db
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.memberId, input.memberId));
    return row ?? null;
  }),
});
