import { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { members } from '@/db/tenant/schema';
import { normalisePhone } from '@/server/messaging/phone';
import { fieldError, memberWriteError } from './errors';
import type { createMemberInput, updateMemberInput } from './inputs';

/** Adding, changing and deleting one member. Phone numbers are stored in E.164, read against the church's country. */

export const INVALID_PHONE = 'Enter a valid phone number (include the country code for numbers from other countries)';

function e164(phone: string, country: string): string {
  const normalised = normalisePhone(phone, country);
  if (!normalised) throw fieldError('phone', INVALID_PHONE);
  return normalised;
}

export async function createMember(db: TenantDb, input: z.output<typeof createMemberInput>, country: string) {
  const [created] = await db
    .insert(members)
    .values({
      firstName: input.firstName,
      lastName: input.lastName ?? '',
      phone: e164(input.phone, country),
      email: input.email ?? null,
      branchId: input.branchId ?? null,
      tags: input.tags ?? [],
      notes: input.notes ?? null,
      subscription: input.subscription ?? 'subscribed',
      subscriptionSource: 'admin',
    })
    .returning({ id: members.id })
    .catch(memberWriteError);
  return created!;
}

/** Only the fields given change. A changed subscription is recorded as the admin's doing, with the time. */
export async function updateMember(db: TenantDb, input: z.output<typeof updateMemberInput>, country: string) {
  const { id, phone, subscription, ...rest } = input;
  const unchanged = subscription ? sql`${members.subscription} = ${subscription}` : null;
  const [updated] = await db
    .update(members)
    .set({
      ...rest, // drizzle skips undefined values, so absent fields stay as they are
      ...(phone !== undefined && { phone: e164(phone, country) }),
      ...(subscription && unchanged && {
        subscription,
        subscriptionSource: sql`case when ${unchanged} then ${members.subscriptionSource} else 'admin' end`,
        subscriptionChangedAt: sql`case when ${unchanged} then ${members.subscriptionChangedAt} else now() end`,
      }),
      updatedAt: new Date(),
    })
    .where(eq(members.id, id))
    .returning({ id: members.id })
    .catch(memberWriteError);
  if (!updated) throw new TRPCError({ code: 'NOT_FOUND', message: 'That member does not exist (they may have been deleted).' });
  return updated;
}

/** Their conversation and its messages go too (foreign keys cascade). */
export async function deleteMember(db: TenantDb, id: string) {
  const [deleted] = await db.delete(members).where(eq(members.id, id)).returning({ id: members.id });
  if (!deleted) throw new TRPCError({ code: 'NOT_FOUND', message: 'That member does not exist (they may have been deleted).' });
  return { ok: true as const };
}
