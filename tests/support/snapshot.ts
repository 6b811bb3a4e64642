import type postgres from 'postgres';

/**
 * Whole-database snapshots for tests that must prove "nothing changed here": every ordinary table is discovered from
 * pg_catalog (so a table added later is covered without anyone listing it), and read in one round trip. Use a
 * privileged connection: the queue's tables have row-level security, which a superuser bypasses.
 */

export type Table = { name: string; columns: string[] };
/** A connection, or a transaction on one (a test may look inside its own uncommitted transaction). */
export type Queryable = postgres.Sql | postgres.TransactionSql;
/** Table (schema-qualified) → its rows as JSON text, sorted: equal snapshots mean equal contents. */
export type Snapshot = Record<string, string[]>;
/** How much of a table a snapshot keeps: every row, only rows mentioning one of the given strings, or nothing. */
export type Scope = 'all' | 'mentioning' | 'none';

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

/** Every ordinary and partitioned table outside the system schemas, with its columns. */
export async function tablesOf(sql: Queryable): Promise<Table[]> {
  const rows = await sql<{ name: string; columns: string[] }[]>`
    select format('%I.%I', n.nspname, c.relname) as name,
           array(select a.attname::text from pg_attribute a
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname <> all(${SYSTEM_SCHEMAS}) and n.nspname not like 'pg\\_temp\\_%'
    order by 1`;
  return rows;
}

/** One select per table, all in one statement; `$1` is the list of strings a 'mentioning' table's rows must contain. */
function snapshotQuery(tables: { name: string; scope: Exclude<Scope, 'none'> }[]) {
  return tables
    .map(({ name, scope }) => {
      const filter =
        scope === 'mentioning'
          ? 'where exists (select 1 from unnest($1::text[]) m where strpos(row_to_json(x)::text, m) > 0)'
          : '';
      const rows = `select row_to_json(x)::text as r from ${name} x ${filter}`;
      return (
        `select ${quoteLiteral(name)} as t, ` +
        `coalesce((select json_agg(r order by r) from (${rows}) q), '[]') as rows`
      );
    })
    .join(' union all ');
}

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A snapshot of every table, each kept as `scopeOf` says (every row unless told otherwise). */
export async function snapshotDatabase(
  sql: Queryable,
  opts: { scopeOf?: (t: Table) => Scope; mentioning?: string[] } = {},
): Promise<Snapshot> {
  const tables = (await tablesOf(sql))
    .map((t) => ({ name: t.name, scope: opts.scopeOf?.(t) ?? 'all' }))
    .filter((t): t is { name: string; scope: Exclude<Scope, 'none'> } => t.scope !== 'none');
  const params = tables.some((t) => t.scope === 'mentioning') ? [opts.mentioning ?? []] : []; // $1 only when used
  const rows = await sql.unsafe<{ t: string; rows: string[] }[]>(snapshotQuery(tables), params);
  return Object.fromEntries(rows.map((r) => [r.t, r.rows]));
}

/**
 * Put a database back to a full snapshot (every table with scope 'all'): emptied and refilled in one transaction,
 * with triggers and foreign-key checks off (replica role, superuser only) so the order of tables does not matter.
 */
export async function restoreDatabase(sql: postgres.Sql, snapshot: Snapshot) {
  const tables = Object.keys(snapshot);
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx.unsafe(`truncate ${tables.join(', ')}`);
    for (const table of tables) {
      if (snapshot[table]!.length === 0) continue;
      // $1 is text: sent as is.
      await tx.unsafe(
        `insert into ${table} overriding system value ` +
          `select * from json_populate_recordset(null::${table}, $1::text::json)`,
        [`[${snapshot[table]!.join(',')}]`],
      );
    }
  });
}
