import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { TenantDb } from '@/db/tenant';
import {
  broadcasts,
  connectCard,
  customFields,
  keywords,
  memberFieldValues,
  segments,
  sequences,
  sequenceSteps,
  templates,
} from '@/db/tenant/schema';
import { Conflict, Invalid, LimitReached, NotFound } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import type { CreateFieldInput, UpdateFieldInput } from './inputs';
import { MAX_CUSTOM_FIELDS, RESERVED_KEYS } from './rules';

/**
 * Defining a church's custom fields (Settings). A field's key is its merge field and CSV column, so it is fixed at
 * creation, and a field still used by a template, keyword reply, connect-card welcome, segment or broadcast waiting
 * to send cannot be deleted: the admin is told where it is used.
 */

const GONE = 'That field does not exist.';

/** In the order they were added: how the member form and the CSV lay them out. */
export function listFields(db: TenantDb) {
  return db.select().from(customFields).orderBy(asc(customFields.createdAt), asc(customFields.id));
}

export async function createField(db: TenantDb, input: CreateFieldInput) {
  const bare = (k: string) => k.replace(/_/g, '');
  if (RESERVED_KEYS.some((k) => bare(k) === bare(input.key))) {
    throw new Invalid(`“${input.label}” is one of Steeple's own fields. Choose another name.`, 'label');
  }
  const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(customFields)) as [{ n: number }];
  if (n >= MAX_CUSTOM_FIELDS) throw new LimitReached(`A church can have up to ${MAX_CUSTOM_FIELDS} custom fields.`);
  // Two labels can make one key ("Baptism date", "Baptism-date"; or two in another alphabet, both "field"): the
  // later field gets the next free one, `baptism_date_2`.
  for (let n = 1; ; n++) {
    try {
      const key = n === 1 ? input.key : `${input.key}_${n}`;
      const [row] = await db
        .insert(customFields)
        .values({ ...input, key })
        .returning();
      return row!;
    } catch (err) {
      if (isUniqueViolation(err, 'custom_fields_label_unique'))
        throw new Conflict(`You already have a field called “${input.label}”.`);
      if (!isUniqueViolation(err, 'custom_fields_key_unique') || n >= MAX_CUSTOM_FIELDS) throw err;
    }
  }
}

export async function updateField(db: TenantDb, input: UpdateFieldInput) {
  const [field] = await db.select().from(customFields).where(eq(customFields.id, input.id));
  if (!field) throw new NotFound(GONE);
  if (input.options && field.type === 'choice') await requireOptionsKept(db, field.id, input.options);
  try {
    const [row] = await db
      .update(customFields)
      .set({
        label: input.label,
        options: field.type === 'choice' ? input.options : undefined,
        updatedAt: sql`now()`,
      })
      .where(eq(customFields.id, input.id))
      .returning();
    return row!;
  } catch (err) {
    if (isUniqueViolation(err, 'custom_fields_label_unique')) {
      throw new Conflict(`You already have a field called “${input.label}”.`);
    }
    throw err;
  }
}

/** A choice some members have cannot be taken off the list: their value would mean nothing. */
async function requireOptionsKept(db: TenantDb, fieldId: string, options: string[]) {
  if (options.length < 2) throw new Invalid('Give at least two choices', 'options');
  const kept = options.map((o) => o.toLowerCase());
  const rows = await db
    .select({ value: memberFieldValues.textValue, n: sql<number>`count(*)::int` })
    .from(memberFieldValues)
    .where(eq(memberFieldValues.fieldId, fieldId))
    .groupBy(memberFieldValues.textValue);
  const dropped = rows.filter((r) => r.value && !kept.includes(r.value.toLowerCase()));
  if (dropped.length === 0) return;
  const [first] = dropped;
  throw new Invalid(
    `${first!.n.toLocaleString('en-US')} member${first!.n === 1 ? ' has' : 's have'} “${first!.value}”. ` +
      'Change their value first, or keep the choice.',
    'options',
  );
}

export async function deleteField(db: TenantDb, id: string) {
  const [field] = await db.select().from(customFields).where(eq(customFields.id, id));
  if (!field) throw new NotFound(GONE);
  const usedIn = await usesOf(db, field);
  if (usedIn.length > 0) {
    throw new Conflict(`“${field.label}” is still used by ${usedIn.join(', ')}. Change those first.`);
  }
  await db.delete(customFields).where(eq(customFields.id, id)); // its values go with it (cascade)
  return { ok: true as const };
}

/** Where a field is used, named for the admin ("the template “Welcome”", "the segment “Youth”"). */
async function usesOf(db: TenantDb, field: { id: string; key: string }) {
  // `{key}`, `{ key }` and `{key|fallback}`, in any case: as merge-fields.ts reads them (keys are [a-z0-9_]).
  const merge = `\\{\\s*${field.key}\\s*[|}]`;
  const uses = (column: AnyPgColumn) => sql`${column} ~* ${merge}`;
  const [t, k, c, s, b, q] = await Promise.all([
    db.select({ name: templates.name }).from(templates).where(uses(templates.body)),
    db.select({ word: keywords.word }).from(keywords).where(uses(keywords.reply)),
    db.select({ id: connectCard.id }).from(connectCard).where(uses(connectCard.welcomeText)),
    db
      .select({ name: segments.name })
      .from(segments)
      .where(sql`${segments.filter}->'fields' @> ${JSON.stringify([{ fieldId: field.id }])}::jsonb`),
    db
      .select({ id: broadcasts.id })
      .from(broadcasts)
      .where(
        and(
          inArray(broadcasts.state, ['scheduled', 'sending']),
          or(
            uses(broadcasts.body),
            sql`${broadcasts.filter}->'fields' @> ${JSON.stringify([{ fieldId: field.id }])}::jsonb`,
          ),
        ),
      ),
    // A sequence whose trigger is the date, or whose steps merge it.
    db
      .selectDistinct({ name: sequences.name })
      .from(sequences)
      .leftJoin(sequenceSteps, eq(sequenceSteps.sequenceId, sequences.id))
      .where(or(eq(sequences.fieldId, field.id), uses(sequenceSteps.body))),
  ]);
  return [
    ...t.map((r) => `the template “${r.name}”`),
    ...k.map((r) => `the keyword ${r.word}`),
    ...c.map(() => "the connect card's welcome text"),
    ...s.map((r) => `the segment “${r.name}”`),
    ...(b.length ? [`${b.length} broadcast${b.length === 1 ? '' : 's'} not yet sent`] : []),
    ...q.map((r) => `the sequence “${r.name}”`),
  ];
}
