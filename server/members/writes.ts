import { Forbidden, NotFound } from '@/server/domain-errors';
import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { members, type Subscription } from '@/db/tenant/schema';
import { setValues } from '@/server/custom-fields/values';
import { textableNumber } from '@/server/messaging/phone';
import {
  adminConsentRefusal,
  changeConsent,
  lastConsentOf,
  logConsent,
  OPTED_OUT_LOCK,
  REMEMBERED_OPT_OUT,
} from './consent';
import { fieldError, memberWriteError } from './errors';
import type { createMemberInput, updateMemberInput } from './inputs';
import { CONSENT_NOTE_REQUIRED, EXTENSION_REFUSED } from './rules';

/**
 * Adding, changing and deleting one member. Phone numbers are stored in E.164, read against the church's country.
 * Consent is not an ordinary field: an admin records how someone agreed (a note is required), may record that they
 * asked to stop, and can never re-subscribe someone who opted out — see server/members/consent.ts.
 */

const INVALID_PHONE = 'Enter a valid phone number (include the country code for numbers from other countries)';

type Admin = { id: string };

/** How a member comes to be opted out because their number was (see consent.ts, lastConsentOf). */

function e164(phone: string, country: string): string {
  const number = textableNumber(phone, country);
  if ('e164' in number) return number.e164;
  throw fieldError('phone', number.refused === 'extension' ? EXTENSION_REFUSED : INVALID_PHONE);
}

/** Recording someone as subscribed needs the admin's account of how they agreed. */
function requireNote(state: Subscription | undefined, note: string | undefined) {
  if (state === 'subscribed' && !note) throw fieldError('consentNote', CONSENT_NOTE_REQUIRED);
}

export async function createMember(
  db: TenantDb,
  input: z.output<typeof createMemberInput>,
  country: string,
  by: Admin,
) {
  const phone = e164(input.phone, country);
  const wanted = input.subscription ?? 'not_opted_in';
  requireNote(wanted, input.consentNote);
  // Deleting a member does not reset their STOP: a number whose last word was an opt-out stays opted out.
  const optedOut = (await lastConsentOf(db, phone)) === 'unsubscribed';
  if (optedOut && wanted === 'subscribed') throw new Forbidden(`This number ${OPTED_OUT_LOCK}`);
  const state = optedOut ? 'unsubscribed' : wanted;
  const how =
    optedOut && wanted !== 'unsubscribed'
      ? REMEMBERED_OPT_OUT
      : { source: 'admin' as const, detail: input.consentNote, adminId: by.id };
  return db
    .transaction(async (tx) => {
      const [created] = await tx
        .insert(members)
        .values({
          firstName: input.firstName,
          lastName: input.lastName ?? '',
          phone,
          email: input.email ?? null,
          branchId: input.branchId ?? null,
          tags: input.tags ?? [],
          notes: input.notes ?? null,
          firstVisitOn: input.firstVisitOn ?? null,
          subscription: state,
          subscriptionSource: 'admin',
        })
        .returning({ id: members.id });
      if (state !== 'not_opted_in') await logConsent(tx, { memberId: created!.id, phone, previous: null, state }, how);
      if (input.fields) await setValues(tx, created!.id, input.fields);
      return created!;
    })
    .catch(memberWriteError);
}

/** Only the fields given change. A change of consent follows the rules above and is logged with the admin's id. */
export async function updateMember(
  db: TenantDb,
  input: z.output<typeof updateMemberInput>,
  country: string,
  by: Admin,
) {
  const { id, phone, subscription, consentNote, fields, ...rest } = input;
  return db
    .transaction(async (tx) => {
      const [current] = await tx
        .select({
          id: members.id,
          phone: members.phone,
          firstName: members.firstName,
          subscription: members.subscription,
        })
        .from(members)
        .where(eq(members.id, id))
        .for('update');
      if (!current) throw new NotFound('That member does not exist (they may have been deleted).');
      const newPhone = phone === undefined ? current.phone : e164(phone, country);
      // Moving someone onto a number whose last word was an opt-out brings that opt-out with it.
      const optedOut = newPhone !== current.phone && (await lastConsentOf(tx, newPhone)) === 'unsubscribed';
      if (optedOut && subscription === 'subscribed') throw new Forbidden(`This number ${OPTED_OUT_LOCK}`);
      if (subscription && subscription !== current.subscription) {
        const refusal = adminConsentRefusal(current.subscription, subscription, current.firstName);
        if (refusal) throw new Forbidden(refusal);
        requireNote(subscription, consentNote);
      }
      // Consent first: a tag added in the same save then finds them subscribed, and its sequence enrolls them.
      const member = { ...current, phone: newPhone };
      if (optedOut) await changeConsent(tx, member, 'unsubscribed', REMEMBERED_OPT_OUT);
      else if (subscription)
        await changeConsent(tx, member, subscription, { source: 'admin', detail: consentNote, adminId: by.id });
      const [updated] = await tx
        .update(members)
        .set({ ...rest, phone: newPhone, updatedAt: sql`now()` }) // drizzle skips undefined values: absent fields stay
        .where(eq(members.id, id))
        .returning({ id: members.id });
      if (fields) await setValues(tx, id, fields);
      return { id: updated!.id };
    })
    .catch(memberWriteError);
}

/** Their conversation and its messages go too (foreign keys cascade); their consent log stays, by phone number. */
export async function deleteMember(db: TenantDb, id: string) {
  const [deleted] = await db.delete(members).where(eq(members.id, id)).returning({ id: members.id });
  if (!deleted) throw new NotFound('That member does not exist (they may have been deleted).');
  return { ok: true as const };
}
