import postgres from 'postgres';
import type { DbServer } from '@/db/registry/schema';
import { ident } from './naming';

export type Sql = postgres.Sql;

/**
 * Privileged access to the database servers tenants live on. Used only by provisioning, teardown and migrations;
 * request traffic never comes through here. The URL is read from the env var the server row names.
 */
export class ClusterAdmin {
  private pools = new Map<number, Sql>();

  constructor(private env: Record<string, string | undefined> = process.env) {}

  sql(server: Pick<DbServer, 'id' | 'adminUrlEnv'>): Sql {
    let pool = this.pools.get(server.id);
    if (!pool) {
      const url = this.env[server.adminUrlEnv];
      if (!url) throw new Error(`database server ${server.id}: env var ${server.adminUrlEnv} is not set`);
      pool = postgres(url, { max: 4, idle_timeout: 30, connect_timeout: 10, onnotice: () => {} });
      this.pools.set(server.id, pool);
    }
    return pool;
  }

  async close() {
    await Promise.all([...this.pools.values()].map((p) => p.end({ timeout: 5 })));
    this.pools.clear();
  }
}

export async function databaseExists(sql: Sql, name: string): Promise<boolean> {
  const rows = await sql`select 1 from pg_database where datname = ${name}`;
  return rows.length > 0;
}

export async function roleExists(sql: Sql, name: string): Promise<boolean> {
  const rows = await sql`select 1 from pg_roles where rolname = ${name}`;
  return rows.length > 0;
}

/** Clone a database from the template; the clone is closed to everyone until a role is granted CONNECT. */
export async function cloneDatabase(sql: Sql, name: string, template: string) {
  if (!(await databaseExists(sql, name))) {
    try {
      await sql.unsafe(`create database ${ident(name)} template ${ident(template)}`);
    } catch (err) {
      // A concurrent attempt for the same tenant got there first: the database exists, which is what we want.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  }
  await sql.unsafe(`revoke all on database ${ident(name)} from public`);
}

/** Create or reset the tenant's login role: member of the tenant group, allowed to connect to its database only. */
/** Create a role if it is missing (also when another process races us), then set its options: idempotent. */
export async function ensureRole(sql: Sql, role: string, options: string, password?: string) {
  await sql.unsafe(`do $$ begin create role ${ident(role)}; exception when duplicate_object then null; end $$`);
  const secret = password === undefined ? '' : ` password '${password.replace(/'/g, "''")}'`;
  await sql.unsafe(`alter role ${ident(role)} with ${options}${secret}`);
}

export async function ensureLoginRole(sql: Sql, role: string, password: string, database: string, group: string) {
  await ensureRole(sql, role, 'login inherit nosuperuser nocreatedb nocreaterole noreplication connection limit 40', password);
  // Table rights come from the group; which database it may enter is this role's own grant.
  await sql.unsafe(`grant ${ident(group)} to ${ident(role)}`);
  await sql.unsafe(`grant connect, temporary on database ${ident(database)} to ${ident(role)}`);
}

export async function dropDatabase(sql: Sql, name: string) {
  await sql.unsafe(`drop database if exists ${ident(name)} with (force)`);
}

export async function dropRole(sql: Sql, name: string) {
  if (!(await roleExists(sql, name))) return;
  await sql.unsafe(`drop role if exists ${ident(name)}`);
}
