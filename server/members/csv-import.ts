import { Conflict } from '@/server/domain-errors';
import { inArray, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, consentEvents, members, type Subscription } from '@/db/tenant/schema';
import { startingStateWith, type Tx } from './consent';
import { isForeignKeyViolation } from '@/server/errors';
import { listFields } from '@/server/custom-fields/manage';
import { writeValues } from '@/server/custom-fields/values';
import { stopEnrollments } from '@/server/sequences/enroll';
import { checkRow, mapColumns, readCsv, rowContext, type CheckedRow } from './csv-rows';

/**
 * The members CSV import. `previewImport` reports what each row would do without writing; `commitImport` checks the
 * file again (the data may have changed since the preview) and writes every good row.
 *
 * A phone number that is already a member's updates that member (one `insert … on conflict (phone) do update`
 * per 500 rows, in one transaction): names are replaced, email, branch and notes only when the file has them,
 * tags are added (never removed), and a member who unsubscribed stays unsubscribed — an import may unsubscribe
 * someone but never re-subscribes them, because their STOP must win over an old spreadsheet. It subscribes anyone only
 * when the importer confirms the people it marks subscribed agreed to texts. Every consent it sets or changes is in
 * the consent log, with the file's row.
 *
 * Custom-field columns (headed by a field's key or label) set those values once the members' ids are known, in the
 * same transaction; a blank cell leaves a value as it is. A first visit already known is kept.
 */

const BATCH = 500;
const LOOKUP_BATCH = 5_000;

type RowStatus = 'create' | 'update' | 'duplicate' | 'error';

type Analysed = CheckedRow & { status: RowStatus };

/** The church's country (phone numbers), and whether the importer confirmed consent (see csv-rows.ts, stateOf). */
export type ImportOptions = { country: string; consentConfirmed: boolean };

async function analyse(db: TenantDb, csv: string, { country, consentConfirmed }: ImportOptions) {
  const file = readCsv(csv);
  const [fields, branchList] = await Promise.all([
    listFields(db),
    db.select({ id: branches.id, name: branches.name }).from(branches),
  ]);
  const columns = mapColumns(file.header, fields);
  const ctx = rowContext(country, consentConfirmed, branchList);
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
    const rows = await db
      .select({ phone: members.phone })
      .from(members)
      .where(inArray(members.phone, phones.slice(i, i + LOOKUP_BATCH)));
    for (const r of rows) found.add(r.phone);
  }
  return found;
}

function totalsOf(rows: Analysed[]) {
  const totals = { rows: rows.length, create: 0, update: 0, duplicate: 0, error: 0 };
  for (const r of rows) totals[r.status]++;
  return totals;
}

export async function previewImport(db: TenantDb, csv: string, opts: ImportOptions) {
  const { columns, rows } = await analyse(db, csv, opts);
  return {
    columns: { matched: columns.matched, ignored: columns.ignored },
    totals: totalsOf(rows),
    rows: rows.map((r) => ({ row: r.row, status: r.status, messages: r.messages, ...r.shown })),
  };
}

export async function commitImport(db: TenantDb, csv: string, opts: ImportOptions, by: { id: string }) {
  const { rows } = await analyse(db, csv, opts);
  const good = rows.filter((r) => r.status === 'create' || r.status === 'update');
  const valuesOf = new Map(good.map((r) => [r.member!.phone, r.values]));
  let created = 0;
  try {
    await db.transaction(async (tx) => {
      const values: Parameters<typeof writeValues>[1] = [];
      for (let i = 0; i < good.length; i += BATCH) {
        const batch = good.slice(i, i + BATCH).map((r) => ({ ...r.member!, row: r.row }));
        const before = await statesOf(
          tx,
          batch.map((m) => m.phone),
        );
        const written = await upsert(tx, batch);
        created += written.filter((w) => w.inserted).length;
        await logChanges(tx, batch, before, written, { adminId: by.id, confirmed: opts.consentConfirmed });
        // Those the file unsubscribes leave their sequences, as with their own STOP.
        const optedOut = written.filter(
          (w) => w.subscription === 'unsubscribed' && before.get(w.phone) !== 'unsubscribed',
        );
        await stopEnrollments(
          tx,
          optedOut.map((w) => w.id),
          'opted_out',
        );
        for (const w of written) {
          for (const { fieldId, value } of valuesOf.get(w.phone)!) values.push({ memberId: w.id, fieldId, ...value });
        }
      }
      await writeValues(tx, values);
    });
  } catch (err) {
    if (isForeignKeyViolation(err, 'members_branch_id_branches_id_fk')) {
      throw new Conflict(
        'A branch was deleted while the file was importing. Nothing was imported; preview the file again.',
      );
    }
    if (isForeignKeyViolation(err, 'member_field_values_field_id_custom_fields_id_fk')) {
      throw new Conflict(
        'A member field was deleted while the file was importing. Nothing was imported; preview the file again.',
      );
    }
    throw err;
  }
  const skipped = rows.filter((r) => r.status === 'error' || r.status === 'duplicate');
  return {
    created,
    updated: good.length - created,
    skipped: skipped.length,
    errors: skipped.map((r) => ({ row: r.row, messages: r.messages })),
  };
}

type NewMember = NonNullable<CheckedRow['member']> & { row: number };

/**
 * An existing member's consent moves only two ways: to unsubscribed when the file says so, and from "not opted in"
 * to subscribed when the file records that they agreed. Nobody who opted out is ever subscribed again.
 */
const nextState = sql`case
  when excluded.subscription = 'unsubscribed' then 'unsubscribed'::subscription
  when excluded.subscription = 'subscribed' and ${members.subscription} = 'not_opted_in' then 'subscribed'::subscription
  else ${members.subscription} end`;
const changing = sql`(${nextState}) <> ${members.subscription}`;

/** consent.ts's rule for a new member's consent (startingState), over the batch's columns instead of values. */
const startingFromRow = startingStateWith(
  (strings, ...columns) => sql(strings, ...columns.map((c) => sql.raw(c))),
  'r.phone',
  'r.subscription' as Subscription, // a column, as the tag above reads every value
);

/**
 * One insert … select over the batch, sent as one JSON parameter (a VALUES list with a consent look-up per row took
 * longer to build and plan than to run); `xmax = 0` tells a freshly inserted row from an updated one.
 */
async function upsert(tx: Tx, batch: NewMember[]) {
  const json = JSON.stringify(batch.map(({ row: _row, ...m }) => m));
  const rows = await tx.execute<{ id: string; phone: string; subscription: Subscription; inserted: boolean }>(sql`
    insert into ${members} (first_name, last_name, phone, email, branch_id, tags, notes, first_visit_on,
                            subscription, subscription_source, subscription_changed_at)
    -- A new member whose number opted out before (its member since deleted) stays opted out.
    select r."firstName", r."lastName", r.phone, r.email, r."branchId", r.tags, r.notes, r."firstVisitOn",
           ${startingFromRow}, 'import', now()
      from json_to_recordset(${json}::json) as r("firstName" text, "lastName" text, phone text, email text,
                                                "branchId" uuid, tags text[], notes text,
                                                subscription subscription, "firstVisitOn" date)
    on conflict (phone) do update set
      first_name = excluded.first_name,
      last_name = coalesce(nullif(excluded.last_name, ''), ${members.lastName}),
      email = coalesce(excluded.email, ${members.email}),
      branch_id = coalesce(excluded.branch_id, ${members.branchId}),
      notes = coalesce(excluded.notes, ${members.notes}),
      -- The first visit known stays (as with the connect card); the file fills it in where there is none.
      first_visit_on = coalesce(${members.firstVisitOn}, excluded.first_visit_on),
      tags = ${members.tags} || array(select t from unnest(excluded.tags) t
                                      where not exists (select 1 from unnest(${members.tags}) o
                                                         where lower(o) = lower(t))),
      subscription = ${nextState},
      subscription_source = case when ${changing} then 'import'::opt_in_source else ${members.subscriptionSource} end,
      subscription_changed_at = case when ${changing} then now() else ${members.subscriptionChangedAt} end,
      updated_at = now()
    returning id, phone, subscription, (xmax = 0) as inserted`);
  return [...rows];
}

/** Each member's consent before the batch is written (locked, so the log below tells the truth). */
async function statesOf(tx: Tx, phones: string[]) {
  const rows = await tx
    .select({ phone: members.phone, subscription: members.subscription })
    .from(members)
    .where(inArray(members.phone, phones))
    .for('update');
  return new Map(rows.map((r) => [r.phone, r.subscription]));
}

/** The consent log gets one row per member whose consent the import set or changed, naming the file's row. */
async function logChanges(
  tx: Tx,
  batch: { phone: string; row: number }[],
  before: Map<string, Subscription>,
  written: Awaited<ReturnType<typeof upsert>>,
  who: { adminId: string; confirmed: boolean },
) {
  const rowOf = new Map(batch.map((m) => [m.phone, m.row]));
  const changes = written.filter(
    (w) => before.get(w.phone) !== w.subscription && !(w.inserted && w.subscription === 'not_opted_in'),
  );
  if (changes.length === 0) return;
  const events = changes.map((w) => ({
    memberId: w.id,
    phone: w.phone,
    previous: before.get(w.phone) ?? null,
    state: w.subscription,
    detail:
      `CSV import, row ${rowOf.get(w.phone)}` +
      (w.subscription === 'subscribed' && who.confirmed ? ' (consent confirmed by the importer)' : ''),
  }));
  // One JSON parameter, like the upsert: a batch of events is one cheap statement.
  await tx.execute(sql`
    insert into ${consentEvents} (member_id, phone, previous, state, source, detail, admin_id)
    select e."memberId", e.phone, e.previous, e.state, 'import', e.detail, ${who.adminId}::uuid
      from json_to_recordset(${JSON.stringify(events)}::json)
           as e("memberId" uuid, phone text, previous subscription, state subscription, detail text)`);
}
