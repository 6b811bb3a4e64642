import { count, eq, notInArray, sql as dsql } from 'drizzle-orm';
import { dbServers, tenants } from '@/db/registry/schema';
import type { Registry } from '@/server/registry';
import type { Services } from '@/server/services';
import { checkPrivileges, ensureServerReady } from '@/server/tenancy/setup';
import { hostPortOf } from '@/server/tenancy/urls';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'cluster' | 'naming' | 'registry'>;

/**
 * Database servers churches live on. Each holds its own template (clones are same-server only) and the tenant group
 * role; new churches go to the accepting server with the most room. Privileged URLs live in env vars the rows name.
 */

/** Joins a server to the churches occupying it (a failed or deleted church has no database left). */
const occupants = dsql`${tenants.dbServerId} = ${dbServers.id}
                       and ${notInArray(tenants.status, ['failed', 'deleted'])}`;

export type ServerInput = { name: string; urlEnv: string; capacity: number };

/**
 * Register a server: its URL must be in the env var named, reachable, and privileged enough to create databases and
 * roles.
 */
export async function addServer(services: Deps, input: ServerInput) {
  const probe = { id: -1, adminUrlEnv: input.urlEnv };
  const url = services.cluster.urlOf(probe);
  const { host, port } = hostPortOf(url);
  const sql = services.cluster.sql(probe);
  try {
    await checkPrivileges(sql);
    const version = await ensureServerReady(sql, url, services.naming);
    const [row] = await services.registry.db
      .insert(dbServers)
      .values({ name: input.name, host, port, adminUrlEnv: input.urlEnv, capacity: input.capacity })
      .onConflictDoUpdate({
        target: dbServers.name,
        set: { host, port, adminUrlEnv: input.urlEnv, capacity: input.capacity },
      })
      .returning();
    return { server: row!, templateVersion: version };
  } finally {
    await services.cluster.release(probe);
  }
}

/** Every server with how many churches it holds and how much room is left. */
export async function listServers(registry: Registry) {
  const rows = await registry.db
    .select({ server: dbServers, churches: count(tenants.id) })
    .from(dbServers)
    .leftJoin(tenants, occupants)
    .groupBy(dbServers.id)
    .orderBy(dbServers.id);
  return rows.map(({ server, churches }) => ({ ...server, churches, room: server.capacity - churches }));
}

/** Stop (or resume) placing new churches on a server (its churches stay until moved). */
export async function setAccepting(registry: Registry, name: string, accepting: boolean) {
  const [row] = await registry.db
    .update(dbServers)
    .set({ accepting })
    .where(eq(dbServers.name, name))
    .returning({ id: dbServers.id });
  if (!row)
    throw new Error(`no database server named ${JSON.stringify(name)} (see \`npm run tenants -- servers list\`)`);
}

type Tx = Pick<Registry['db'], 'select'>;

/**
 * Where a new church goes: the server the operator named, else the accepting server with the most room. Servers
 * over capacity still take churches (a refused signup is worse than a full server); the log says so.
 */
export async function placeChurch(
  db: Tx,
  preferred?: string,
): Promise<{ id: number; name: string; room: number } | undefined> {
  const room = dsql<number>`(${dbServers.capacity} - count(${tenants.id}))::int`;
  const [row] = await db
    .select({ id: dbServers.id, name: dbServers.name, room })
    .from(dbServers)
    .leftJoin(tenants, occupants)
    .where(preferred ? eq(dbServers.name, preferred) : eq(dbServers.accepting, true))
    .groupBy(dbServers.id)
    .orderBy(dsql`${room} desc`, dbServers.id)
    .limit(1);
  return row;
}
