import { TRPCError } from '@trpc/server';
import { inArray, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, members } from '@/db/tenant/schema';
import { isForeignKeyViolation } from './errors';
import { checkRow, mapColumns, readCsv, rowContext, type CheckedRow } from './csv-rows';

/**
 * The members CSV import. `previewImport` reports what each row would do without writing; `commitImport` checks the
 * file again (the data may have changed since the preview) and writes every good row.
 *
 * A phone number that is already a member's updates that member (one `insert … on conflict (phone) do update`
 * per 500 rows, in one transaction): names are replaced, email, branch and notes only when the file has them,
 * tags are added (never removed), and a member who unsubscribed stays unsubscribed — an import may unsubscribe
 * someone but never re-subscribes them, because their STOP must win over an old spreadsheet.
 */

const BATCH = 500;
const LOOKUP_BATCH = 5_000;

export type RowStatus = 'create' | 'update' | 'duplicate' | 'error';

type Analysed = CheckedRow & { status: RowStatus };

async function analyse(db: TenantDb, csv: string, country: string) {
  const file = readCsv(csv);
  const columns = mapColumns(file.header);
  const ctx = rowContext(country, await db.select({ id: branches.id, name: branches.name }).from(branches));
  const rows: Analysed[] = file.rows.map((r) => ({ ...checkRow(r, columns, ctx), status: 'error' }));

  // The first row with a number wins; later ones are reported and skipped (one member per phone).
  const firstRowOf = new Map<string, number>();
  for (const r of rows) {
    if (!r.member) continue;
    const first = firstRowOf.get(r.member.phone);
    if (first === undefined) {
      firstRowOf.set(r.member.phone, r.row);
      r.status = 'create';
    } else {
      r.status = 'duplicate';
      r.messages.push(`Same phone number as row ${first}`);
    }
  }
  const existing = await existingPhones(db, [...firstRowOf.keys()]);
  for (const r of rows) if (r.status === 'create' && existing.has(r.member!.phone)) r.status = 'update';
  return { columns, rows };
}

async function existingPhones(db: TenantDb, phones: string[]) {
  const found = new Set<string>();
  for (let i = 0; i < phones.length; i += LOOKUP_BATCH) {
    const rows = await db.select({ phone: members.phone }).from(members).where(inArray(members.phone, phones.slice(i, i + LOOKUP_BATCH)));
    for (const r of rows) found.add(r.phone);
  }
  return found;
}

function totalsOf(rows: Analysed[]) {
  const totals = { rows: rows.length, create: 0, update: 0, duplicate: 0, error: 0 };
  for (const r of rows) totals[r.status]++;
  return totals;
}

export async function previewImport(db: TenantDb, csv: string, country: string) {
  const { columns, rows } = await analyse(db, csv, country);
  return {
    columns: { matched: columns.matched, ignored: columns.ignored },
    totals: totalsOf(rows),
    rows: rows.map((r) => ({ row: r.row, status: r.status, messages: r.messages, ...r.shown })),
  };
}

export type ImportPreview = Awaited<ReturnType<typeof previewImport>>;

export async function commitImport(db: TenantDb, csv: string, country: string) {
  const { rows } = await analyse(db, csv, country);
  const good = rows.flatMap((r) => (r.status === 'create' || r.status === 'update' ? [r.member!] : []));
  let created = 0;
  try {
    await db.transaction(async (tx) => {
      for (let i = 0; i < good.length; i += BATCH) {
        const written = await upsert(tx, good.slice(i, i + BATCH));
        created += written.filter((w) => w.inserted).length;
      }
    });
  } catch (err) {
    if (isForeignKeyViolation(err, 'members_branch_id_branches_id_fk')) {
      throw new TRPCError({ code: 'CONFLICT', message: 'A branch was deleted while the file was importing. Nothing was imported; preview the file again.' });
    }
    throw err;
  }
  const skipped = rows.filter((r) => r.status === 'error' || r.status === 'duplicate');
  return { created, updated: good.length - created, skipped: skipped.length, errors: skipped.map((r) => ({ row: r.row, messages: r.messages })) };
}

export type ImportResult = Awaited<ReturnType<typeof commitImport>>;

type Tx = Parameters<Parameters<TenantDb['transaction']>[0]>[0];
type NewMember = NonNullable<CheckedRow['member']>;

const unsubscribing = sql`excluded.subscription = 'unsubscribed' and ${members.subscription} = 'subscribed'`;

/** One multi-row insert; `xmax = 0` tells a freshly inserted row from an updated one. */
function upsert(tx: Tx, batch: NewMember[]) {
  const now = new Date();
  return tx
    .insert(members)
    .values(batch.map((m) => ({ ...m, subscriptionSource: 'import' as const, subscriptionChangedAt: now })))
    .onConflictDoUpdate({
      target: members.phone,
      set: {
        firstName: sql`excluded.first_name`,
        lastName: sql`coalesce(nullif(excluded.last_name, ''), ${members.lastName})`,
        email: sql`coalesce(excluded.email, ${members.email})`,
        branchId: sql`coalesce(excluded.branch_id, ${members.branchId})`,
        notes: sql`coalesce(excluded.notes, ${members.notes})`,
        tags: sql`${members.tags} || array(select t from unnest(excluded.tags) t where not exists (select 1 from unnest(${members.tags}) o where lower(o) = lower(t)))`,
        subscription: sql`case when ${unsubscribing} then 'unsubscribed'::subscription else ${members.subscription} end`,
        subscriptionSource: sql`case when ${unsubscribing} then 'import'::opt_in_source else ${members.subscriptionSource} end`,
        subscriptionChangedAt: sql`case when ${unsubscribing} then now() else ${members.subscriptionChangedAt} end`,
        updatedAt: now,
      },
    })
    .returning({ inserted: sql<boolean>`(xmax = 0)` });
}
