import type { Tenant } from '@/db/registry/schema';
import type { Sql } from '@/server/tenancy/cluster';
import { ident } from '@/server/tenancy/naming';

/**
 * What an unfinished restore or move needs to resume, kept as the database's COMMENT on the database server itself:
 * it survives a crash and goes wherever the database goes (rename, drop), so the registry needs no extra column.
 * restore/move: on the live database, the status to return to. moved: on a move's copy, where the old one was.
 */
export type Marker =
  | { op: 'restore'; previous: Tenant['status']; file: string }
  | { op: 'move'; previous: Tenant['status']; to: number }
  | { op: 'moved'; from: number };
const MARK = 'steeple-fleet:';

export async function readMarker(sql: Sql, database: string): Promise<Marker | null> {
  const [row] = await sql<
    { c: string | null }[]
  >`select shobj_description(oid, 'pg_database') as c from pg_database where datname = ${database}`;
  return row?.c?.startsWith(MARK) ? (JSON.parse(row.c.slice(MARK.length)) as Marker) : null;
}

export async function writeMarker(sql: Sql, database: string, marker: Marker | null) {
  const text = marker ? `'${(MARK + JSON.stringify(marker)).replace(/'/g, "''")}'` : 'null';
  await sql.unsafe(`comment on database ${ident(database)} is ${text}`);
}

/**
 * A move switched over but has not removed the old copy yet: its marker must not be lost to a restore or another move.
 */
export const unfinishedMove = (slug: string, serverName: string) =>
  `${slug}'s last move has not removed its old copy yet: run \`move ${slug} ${serverName}\` again first`;
