import { runMigrations as runQueueMigrations } from 'graphile-worker';
import { queueLogger } from '@/server/jobs/queue';
import postgres from 'postgres';
import { log } from '@/server/log';
import { databaseExists, ensureRole } from './cluster';
import { latestTenantVersion, migrateRegistryDatabase, migrateTenantDatabase, tenantMigrations } from './migrator';
import { ident, namingFor, type Naming } from './naming';
import { ensureRegistryAppRole } from './registry-role';
import { databaseOf, hostPortOf, withDatabase } from './urls';

/**
 * Everything the server needs before it serves: the registry database and its migrations, the queue's tables,
 * the default database server row, and a template database at the latest tenant migration. Safe to run from
 * several processes at once (an advisory lock serialises them) and on every start.
 */
export async function prepareDatabases(
  adminUrl: string,
  opts: { secretKey?: string; tenantMigrationsFolder?: string } = {},
) {
  const secretKey = opts.secretKey ?? process.env.STEEPLE_SECRET_KEY;
  if (!secretKey) throw new Error('STEEPLE_SECRET_KEY is required to prepare the databases');
  const registryName = databaseOf(adminUrl);
  const naming = namingFor(registryName);
  await ensureRegistryDatabase(adminUrl, registryName);

  const sql = postgres(adminUrl, { max: 2, onnotice: () => {} });
  const lock = await sql.reserve();
  try {
    await lock`select pg_advisory_lock(hashtext(${naming.prefix + ':setup'}))`;
    await migrateRegistryDatabase(adminUrl);
    await runQueueMigrations({ connectionString: adminUrl, logger: queueLogger });
    await ensureRegistryAppRole(sql, registryName, naming, secretKey);
    const { host, port } = hostPortOf(adminUrl);
    await sql`insert into db_servers (name, host, port, admin_url_env)
              values ('default', ${host}, ${port}, 'DATABASE_URL')
              on conflict (name) do update set host = excluded.host, port = excluded.port`;
    const folder = opts.tenantMigrationsFolder ?? tenantMigrations.migrationsFolder;
    const version = await ensureServerReady(sql, adminUrl, naming, folder);
    if (version !== latestTenantVersion(folder))
      throw new Error('template version does not match the tenant migration journal');
    // Churches themselves are migrated by the fleet migrator (server/fleet/migrate.ts), with bounded concurrency.
    log.info('databases ready', { registry: registryName, tenantSchemaVersion: version });
    return { naming, tenantSchemaVersion: version };
  } finally {
    await lock`select pg_advisory_unlock(hashtext(${naming.prefix + ':setup'}))`.catch(() => {});
    lock.release();
    await sql.end({ timeout: 5 });
  }
}

async function ensureRegistryDatabase(adminUrl: string, name: string) {
  const maintenance = postgres(withDatabase(adminUrl, 'postgres'), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await checkPrivileges(maintenance);
    if (!(await databaseExists(maintenance, name))) {
      await maintenance.unsafe(`create database ${ident(name)} template template0 encoding 'UTF8'`).catch((err) => {
        if (err.code !== '42P04') throw err;
      });
    }
    // Church login roles must not reach the registry: only its owner (and superusers) may connect.
    await maintenance.unsafe(`revoke all on database ${ident(name)} from public`);
  } finally {
    await maintenance.end({ timeout: 5 });
  }
}

/** Churches get their own database and login role, so the privileged user must be able to create both. */
export async function checkPrivileges(sql: postgres.Sql, what = 'DATABASE_URL user') {
  const [me] = await sql`select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user`;
  if (!me?.rolsuper && !(me?.rolcreatedb && me?.rolcreaterole)) {
    throw new Error(`${what} needs CREATEDB and CREATEROLE (each church gets its own database and login role)`);
  }
}

/** Make a server able to hold churches: the tenant group role and a template at the latest tenant migration. */
export async function ensureServerReady(sql: postgres.Sql, adminUrl: string, naming: Naming, folder?: string) {
  await ensureRole(sql, naming.tenantGroup, 'nologin');
  return ensureTemplate(sql, adminUrl, naming.template, naming.tenantGroup, folder);
}

/** New churches are cloned from this database, so it is kept at the latest tenant migration. */
async function ensureTemplate(
  sql: postgres.Sql,
  adminUrl: string,
  template: string,
  group: string,
  folder = tenantMigrations.migrationsFolder,
) {
  const [row] = await sql`select datistemplate from pg_database where datname = ${template}`;
  // From template0, the pristine one: whatever someone added to template1 on this server is not copied to churches.
  if (!row) await sql.unsafe(`create database ${ident(template)} template template0 encoding 'UTF8'`);
  else if (row.datistemplate) await sql.unsafe(`alter database ${ident(template)} is_template false`);
  const version = await migrateTenantDatabase(adminUrl, template, group, folder);
  await sql.unsafe(`revoke all on database ${ident(template)} from public`);
  await sql.unsafe(`alter database ${ident(template)} is_template true`);
  return version;
}
