import postgres from 'postgres';
import type { DbServer } from '@/db/registry/schema';
import { ident } from './naming';
import { scramVerifier } from './scram';

export type Sql = postgres.Sql;

/**
 * Privileged access to the database servers tenants live on. Used only by provisioning, teardown and migrations;
 * request traffic never comes through here. The URL is read from the env var the server row names.
 */
export class ClusterAdmin {
  private pools = new Map<number, Sql>();

  /** `env` is read at each first use, so a server added while running is reachable once its env var is set. */
  constructor(
    private registryUrl: string,
    private env: Record<string, string | undefined> = process.env,
  ) {}

  sql(server: Pick<DbServer, 'id' | 'adminUrlEnv'>): Sql {
    let pool = this.pools.get(server.id);
    if (!pool) {
      pool = postgres(this.urlOf(server), { max: 4, idle_timeout: 30, connect_timeout: 10, onnotice: () => {} });
      this.pools.set(server.id, pool);
    }
    return pool;
  }

  /** Close one server's pool (a probe of a server not yet registered, or one being removed). */
  async release(server: Pick<DbServer, 'id'>) {
    const pool = this.pools.get(server.id);
    this.pools.delete(server.id);
    await pool?.end({ timeout: 5 });
  }

  /** The privileged URL of a server, from the env var its row names. */
  urlOf(server: Pick<DbServer, 'id' | 'adminUrlEnv'>): string {
    // The registry's own server is reached with the URL the process was configured with.
    const url = server.adminUrlEnv === 'DATABASE_URL' ? this.registryUrl : this.env[server.adminUrlEnv];
    if (!url) throw new Error(`database server ${server.id}: env var ${server.adminUrlEnv} is not set`);
    return url;
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
      // A concurrent attempt for the same tenant got there first (42P04, or 23505 when both reach the catalog at
      // once): the database exists, which is what we want.
      const code = (err as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw err;
    }
  }
  await sql.unsafe(`revoke all on database ${ident(name)} from public`);
}

/**
 * Create a role if it is missing (also when another process races us), then set its options: idempotent. A password
 * goes to PostgreSQL as a SCRAM verifier computed here (scram.ts), never as the secret itself.
 */
export async function ensureRole(sql: Sql, role: string, options: string, password?: string) {
  await sql.unsafe(`do $$ begin create role ${ident(role)}; exception when duplicate_object then null; end $$`);
  // The verifier (base64 and $) has no quotes to escape.
  const secret = password === undefined ? '' : ` password '${scramVerifier(password)}'`;
  await sql.unsafe(`alter role ${ident(role)} with ${options}${secret}`);
}

/** Create or reset the tenant's login role: member of the tenant group, allowed to connect to its database only. */
export async function ensureLoginRole(sql: Sql, role: string, password: string, database: string, group: string) {
  await ensureRole(
    sql,
    role,
    'login inherit nosuperuser nocreatedb nocreaterole noreplication connection limit 40',
    password,
  );
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
