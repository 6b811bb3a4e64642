import { readFileSync } from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { ident } from './naming';
import { withDatabase } from './urls';

/**
 * Runs the two migration sets. Each has its own migrations table: drizzle only compares the latest applied
 * timestamp, so sharing one table would silently skip migrations of the other set.
 */
const folder = (set: string) => path.join(process.cwd(), 'drizzle', set);
const registryMigrations = {
  migrationsFolder: folder('registry'),
  migrationsTable: '__registry_migrations',
  migrationsSchema: 'drizzle',
};
export const tenantMigrations = {
  migrationsFolder: folder('tenant'),
  migrationsTable: '__tenant_migrations',
  migrationsSchema: 'drizzle',
};

/** The tenant schema version is the number of tenant migrations; a database at this version is current. */
export function latestTenantVersion(folder = tenantMigrations.migrationsFolder): number {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8'));
  return journal.entries.length;
}

export async function migrateRegistryDatabase(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), registryMigrations);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Bring one tenant (or the template) database to the latest schema, and grant the tenant group its table rights. */
export async function migrateTenantDatabase(
  adminUrl: string,
  database: string,
  group: string,
  folder = tenantMigrations.migrationsFolder,
) {
  const sql = postgres(withDatabase(adminUrl, database), { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { ...tenantMigrations, migrationsFolder: folder });
    const g = ident(group);
    await sql.unsafe(`
      revoke all on schema public from public;
      grant usage on schema public to ${g};
      grant select, insert, update, delete on all tables in schema public to ${g};
      grant usage, select on all sequences in schema public to ${g};
      alter default privileges in schema public grant select, insert, update, delete on tables to ${g};
      alter default privileges in schema public grant usage, select on sequences to ${g};
      grant usage on schema drizzle to ${g};
      grant select on drizzle.__tenant_migrations to ${g};
      -- The consent log is a record: the app may add to it, never rewrite it.
      do $$ begin
        if to_regclass('public.consent_events') is not null then
          revoke update, delete, truncate on public.consent_events from ${g};
        end if;
      end $$;
    `);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__tenant_migrations`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 5 }); // a template must have no open sessions before it can be cloned
  }
}
