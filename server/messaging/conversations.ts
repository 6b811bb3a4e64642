import { and, desc, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { TenantDb } from '@/db/tenant';
import { admins, branches, conversations, keywordUses, members, messages } from '@/db/tenant/schema';
import { decodeCursorAs, encodeCursor, exactTime, exactTimeKey } from '@/server/cursor';
import { Conflict, Invalid, NotFound } from '@/server/domain-errors';
import type { Config } from '@/server/config';
import { picturesOf } from '@/server/media/pictures';
import { carrierOutcome } from './carrier-outcomes';
import { notesBetween } from './conversation-notes';
import type { cursorInput } from './inputs';
import { withPhoneDisplay } from './phone';

/**
 * The shared inbox: one conversation per member, started by their first text or ours. Threads list unread first,
 * then by latest message; each thread pages back through its messages. Both use keyset cursors (server/cursor.ts).
 */

const hasUnread = sql<boolean>`(${conversations.unreadCount} > 0)`;
const lastAt = exactTime(conversations.lastMessageAt); // text keeps microseconds for exact cursors
const listKey = z.tuple([z.boolean(), exactTimeKey, z.string().uuid()]);
const threadKey = z.tuple([exactTimeKey, z.string().uuid()]);
const GONE = 'That conversation does not exist.';
/** Threads with something unread in the whole inbox, whatever the list's filter. */
const unreadThreadsCount = sql<number>`(
  select count(*)::int from ${conversations} u where u.unread_count > 0 and u.closed_at is null)`;

/** The inbox's views: whose threads (everyone's, the caller's, no one's yet) and whether open or closed. */
export const ASSIGNED_FILTERS = ['all', 'mine', 'unassigned'] as const;
export const THREAD_STATES = ['open', 'closed'] as const;

type ListInput = z.output<typeof cursorInput> & {
  unreadOnly: boolean;
  assigned: (typeof ASSIGNED_FILTERS)[number];
  state: (typeof THREAD_STATES)[number];
};

const whoseThreads = (assigned: ListInput['assigned'], adminId: string) =>
  assigned === 'mine'
    ? eq(conversations.assignedAdminId, adminId)
    : assigned === 'unassigned'
      ? isNull(conversations.assignedAdminId)
      : undefined;

/**
 * Threads appear once a message is in them. `unreadThreads` counts the whole inbox, whatever the filter. Numbers come
 * formatted for the church's `country`.
 */
export async function listConversations(db: TenantDb, input: ListInput, adminId: string, country: string) {
  const after = decodeCursorAs(listKey, input.cursor);
  const rows = await db
    .select({ ...threadSummary, sortUnread: hasUnread, sortAt: lastAt, unreadThreads: unreadThreadsCount })
    .from(conversations)
    .innerJoin(members, eq(members.id, conversations.memberId))
    .where(
      and(
        isNotNull(conversations.lastMessageAt),
        input.unreadOnly ? hasUnread : undefined,
        whoseThreads(input.assigned, adminId),
        input.state === 'closed' ? isNotNull(conversations.closedAt) : isNull(conversations.closedAt),
        after
          ? sql`(${hasUnread}, ${conversations.lastMessageAt}, ${conversations.id}) < ${listPosition(after)}`
          : undefined,
      ),
    )
    .orderBy(desc(hasUnread), desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  // The inbox's count rides along on every row (PostgreSQL runs the subquery once); an empty page asks for it alone.
  const unreadThreads =
    rows[0]?.unreadThreads ?? (await db.execute<{ n: number }>(sql`select ${unreadThreadsCount} as n`))[0]!.n;
  return {
    items: page.map(({ sortUnread: _u, sortAt: _a, unreadThreads: _n, ...item }) => withPhoneDisplay(item, country)),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.sortUnread, last.sortAt, last.id]) : null,
    unreadThreads,
  };
}

/** One thread with its latest messages (oldest first); `before` pages further back. */
export async function getConversation(
  db: TenantDb,
  input: { id: string; before?: string | null; limit: number },
  country: string,
  config: Pick<Config, 'STEEPLE_SECRET_KEY'>,
) {
  const [thread] = await db
    .select({ conversation: conversations, member: memberSummary })
    .from(conversations)
    .innerJoin(members, eq(members.id, conversations.memberId))
    .leftJoin(branches, eq(branches.id, members.branchId))
    .where(eq(conversations.id, input.id));
  if (!thread) throw new NotFound(GONE);
  const before = decodeCursorAs(threadKey, input.before);
  const rows = await db
    .select({
      message: messages,
      sortAt: exactTime(messages.createdAt),
      keyword: { word: keywordUses.word, outcome: keywordUses.outcome },
    })
    .from(messages)
    .leftJoin(keywordUses, eq(keywordUses.messageId, messages.id)) // "joined via JOIN" beside the text
    .where(and(eq(messages.conversationId, input.id), before ? sentBefore(before) : undefined))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const oldest = page.at(-1);
  const hasOlder = rows.length > input.limit && !!oldest;
  // The notes written in the same stretch of time as this page of messages, to show among them.
  const [notes, pictures] = await Promise.all([
    notesBetween(db, input.id, hasOlder ? oldest.sortAt : null, before?.[0] ?? null),
    picturesOf(
      db,
      config,
      page.map((r) => r.message.id),
    ),
  ]);
  return {
    conversation: thread.conversation,
    member: withPhoneDisplay(thread.member, country),
    messages: page
      .map((r) => ({
        ...r.message,
        keyword: r.keyword,
        failure: failureOf(r.message),
        pictures: pictures.get(r.message.id) ?? [],
      }))
      .reverse(),
    notes,
    olderCursor: hasOlder ? encodeCursor([oldest.sortAt, oldest.message.id]) : null,
  };
}

export async function markRead(db: TenantDb, id: string) {
  await updateConversation(db, id, { unreadCount: 0 });
  return { ok: true };
}

/**
 * Back to bold in everyone's list (and open again), for whoever should look at it again: unread is the team's, not
 * one person's.
 */
export async function markUnread(db: TenantDb, id: string) {
  await updateConversation(db, id, { unreadCount: sql`greatest(${conversations.unreadCount}, 1)`, closedAt: null });
  return { ok: true };
}

/**
 * Closing a thread says it is done: it leaves the open inbox, read. It opens again when the member texts or someone
 * on the team texts them (the inbound and send paths clear `closed_at`). `seenLastMessageAt`, the latest message the
 * closer was shown: a text that came in after it stops the close (CONFLICT), so nobody closes away a text unseen.
 */
export async function setClosed(db: TenantDb, id: string, closed: boolean, seenLastMessageAt?: Date | null) {
  if (!closed) {
    await updateConversation(db, id, { closedAt: null });
    return { ok: true };
  }
  const [row] = await db
    .update(conversations)
    .set({ closedAt: sql`now()`, unreadCount: 0 })
    .where(
      and(
        eq(conversations.id, id),
        seenLastMessageAt
          ? sql`(${conversations.lastMessageAt} is null
                 or ${conversations.lastMessageAt} < ${seenLastMessageAt.toISOString()}::timestamptz + interval '1 ms')`
          : undefined,
      ),
    )
    .returning({ id: conversations.id });
  if (row) return { ok: true };
  if (!(await conversationExists(db, id))) throw new NotFound(GONE);
  throw new Conflict('A new message just came in. Read it before closing the conversation.');
}

/** Give a thread to one admin to answer (or back to everyone with null); they must be on this church's team. */
export async function assignConversation(db: TenantDb, id: string, adminId: string | null) {
  if (adminId) {
    const [admin] = await db.select({ id: admins.id }).from(admins).where(eq(admins.id, adminId));
    if (!admin) throw new Invalid('That person is not on your team.');
  }
  await updateConversation(db, id, { assignedAdminId: adminId });
  return { ok: true };
}

/** A member's thread, if they have one (a broadcast or a first text starts it). */
export async function conversationForMember(db: TenantDb, memberId: string) {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.memberId, memberId));
  return row ?? null;
}

/** A member's conversation, started on first use. */
export async function startConversation(db: TenantDb, memberId: string) {
  await db.insert(conversations).values({ memberId }).onConflictDoNothing({ target: conversations.memberId });
  return (await conversationForMember(db, memberId))!.id;
}

async function conversationExists(db: TenantDb, id: string) {
  const [row] = await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, id));
  return !!row;
}

async function updateConversation(db: TenantDb, id: string, set: PgUpdateSetSource<typeof conversations>) {
  const [row] = await db
    .update(conversations)
    .set(set)
    .where(eq(conversations.id, id))
    .returning({ id: conversations.id });
  if (!row) throw new NotFound(GONE);
}

const memberSummary = {
  id: members.id,
  firstName: members.firstName,
  lastName: members.lastName,
  branchName: branches.name, // for the reply box's merge-field preview
  phone: members.phone,
  subscription: members.subscription,
  subscriptionSource: members.subscriptionSource, // how they unsubscribed, for the reply box's notice
};

const threadSummary = {
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
  closedAt: conversations.closedAt,
};

const listPosition = ([unread, at, id]: [boolean, string, string]) => sql`(${unread}, ${at}::timestamptz, ${id}::uuid)`;

const sentBefore = ([at, id]: [string, string]) =>
  or(
    lt(messages.createdAt, sql`${at}::timestamptz`),
    and(eq(messages.createdAt, sql`${at}::timestamptz`), lt(messages.id, id)),
  );

/** A failed outbound text's reason in plain words, and whether sending it again could work. */
const failureOf = (m: { status: string; direction: string; errorCode: string | null; error: string | null }) =>
  m.status === 'failed' && m.direction === 'outbound' ? carrierOutcome(m.errorCode, m.error) : null;
