import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { admins, conversationNotes, conversations } from '@/db/tenant/schema';
import { can, type Role } from '@/server/auth/permissions';
import { Forbidden, NotFound } from '@/server/domain-errors';

/**
 * Internal notes: what the team writes in a thread for each other ("called her back, she's coming Sunday"). They sit
 * among the messages but are never sent: nothing in the sending paths reads this table.
 */

export const noteBody = z.string().trim().min(1, 'Write a note').max(2000, 'Keep a note under 2,000 characters');

/** Most notes shown with one window of messages; a thread with more shows the latest. */
const NOTES_PER_WINDOW = 200;

const noteFields = {
  id: conversationNotes.id,
  conversationId: conversationNotes.conversationId,
  body: conversationNotes.body,
  createdAt: conversationNotes.createdAt,
  adminId: conversationNotes.adminId,
  author: admins.name, // null once its author has left the team
};

/** One statement: the thread is looked for and the note written together (a thread deleted meanwhile: NOT_FOUND). */
export async function addNote(db: TenantDb, conversationId: string, adminId: string, body: string) {
  const [note] = await db
    .insert(conversationNotes)
    .select(
      db
        .select({
          id: sql`gen_random_uuid()`.as('id'),
          conversationId: conversations.id,
          adminId: sql`${adminId}::uuid`.as('admin_id'),
          body: sql`${body}`.as('body'),
          createdAt: sql`now()`.as('created_at'),
        })
        .from(conversations)
        .where(eq(conversations.id, conversationId)),
    )
    .returning();
  if (!note) throw new NotFound('That conversation does not exist.');
  return note;
}

/** Its author may delete a note, and so may an admin (a note said something it should not). */
export async function deleteNote(db: TenantDb, id: string, caller: { id: string; role: Role }) {
  const [note] = await db
    .select({ adminId: conversationNotes.adminId })
    .from(conversationNotes)
    .where(eq(conversationNotes.id, id));
  if (!note) throw new NotFound('That note does not exist.');
  if (note.adminId !== caller.id && !can(caller.role, 'inboxNotes.deleteAny'))
    throw new Forbidden('Only its author or an admin can delete a note.');
  await db.delete(conversationNotes).where(eq(conversationNotes.id, id));
  return { ok: true };
}

/** A thread's notes from `from` (null: its start) to `to` (null: now), oldest first. Times are exact (cursor text). */
export async function notesBetween(db: TenantDb, conversationId: string, from: string | null, to: string | null) {
  const rows = await db
    .select(noteFields)
    .from(conversationNotes)
    .leftJoin(admins, eq(admins.id, conversationNotes.adminId))
    .where(
      and(
        eq(conversationNotes.conversationId, conversationId),
        from ? gte(conversationNotes.createdAt, sql`${from}::timestamptz`) : undefined,
        to ? lt(conversationNotes.createdAt, sql`${to}::timestamptz`) : undefined,
      ),
    )
    .orderBy(desc(conversationNotes.createdAt))
    .limit(NOTES_PER_WINDOW);
  return rows.reverse();
}
