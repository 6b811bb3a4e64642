import { asc, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { templates } from '@/db/tenant/schema';
import { Conflict, NotFound } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import type { CreateTemplateInput, UpdateTemplateInput } from './inputs';
import { requireKnownFields } from '@/server/custom-fields/merge';

/** A church's message library: saved texts anyone on the team can insert; admins keep it. */

const GONE = 'That template does not exist.';
const taken = (name: string) => `You already have a template called “${name}”.`;

/** Alphabetically, ignoring case: the order the menus show them in. */
export function listTemplates(db: TenantDb) {
  return db
    .select()
    .from(templates)
    .orderBy(asc(sql`lower(${templates.name})`));
}

export async function createTemplate(db: TenantDb, input: CreateTemplateInput, adminId: string) {
  await requireKnownFields(db, input.body);
  try {
    const [row] = await db
      .insert(templates)
      .values({ name: input.name, body: input.body, createdBy: adminId })
      .returning();
    return row!;
  } catch (err) {
    if (isUniqueViolation(err, 'templates_name_unique')) throw new Conflict(taken(input.name));
    throw err;
  }
}

export async function updateTemplate(db: TenantDb, input: UpdateTemplateInput) {
  await requireKnownFields(db, input.body);
  try {
    const [row] = await db
      .update(templates)
      .set({ name: input.name, body: input.body, updatedAt: sql`now()` })
      .where(eq(templates.id, input.id))
      .returning();
    if (!row) throw new NotFound(GONE);
    return row;
  } catch (err) {
    if (isUniqueViolation(err, 'templates_name_unique')) throw new Conflict(taken(input.name!));
    throw err;
  }
}

/** Messages already sent from it keep their words: a template is copied into the text, never linked. */
export async function deleteTemplate(db: TenantDb, id: string) {
  const [row] = await db.delete(templates).where(eq(templates.id, id)).returning({ id: templates.id });
  if (!row) throw new NotFound(GONE);
  return { ok: true };
}
