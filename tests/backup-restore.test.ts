import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupChurch, restoreChurch } from '@/server/fleet/backup';
import { findPgTools } from '@/server/fleet/pg-tools';
import { latestTenantVersion, migrateTenantDatabase, tenantMigrations } from '@/server/tenancy/migrator';
import { withDatabase } from '@/server/tenancy/urls';
import { errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, serverUrl, type TestRegistry } from './support/harness';

/** Backups are pg_dump archives; a restore swaps a church's database for the archive's contents, and nothing else. */
// A restore drops a database, and PostgreSQL checkpoints on every drop: slow on a busy machine.
describe('backup and restore', { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  let dir: string;
  let church: Church;
  let owner: SignedInClient;
  const latest = latestTenantVersion();

  const names = async (who = owner) => (await who.caller.members.list({})).items.map((m) => m.firstName).sort();
  const tenantRow = async (id = church.tenantId) =>
    (await reg.admin`select status, schema_version, db_name, db_role from tenants where id = ${id}`)[0]!;
  /** Databases of this registry on the test server, to prove nothing is left behind. */
  const databases = async () =>
    (await reg.admin`select datname from pg_database where datname like ${reg.services.naming.prefix + '\\_%'}`).map(
      (r) => r.datname as string,
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'steeple-backups-'));
    reg = await createTestRegistry({ BACKUP_DIR: path.join(dir, 'backups') });
    church = await provisionChurch(reg.services, { churchName: 'Backup Chapel' });
    owner = await signIn(reg.services, church.email, church.password);
  });
  afterAll(async () => {
    await reg?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('backs up to a private, complete file; a restore brings back exactly that, writable by the church', async () => {
    await owner.caller.members.create({ firstName: 'Early', phone: '202-555-0101' });
    const backup = await backupChurch(reg.services, church.tenantId);
    const backups = path.join(dir, 'backups');
    expect(path.dirname(backup.file)).toBe(backups);
    expect(path.basename(backup.file)).toMatch(new RegExp(`^[a-z0-9_-]+-\\d{8}T\\d{6}\\.\\d{3}Z-v${latest}\\.dump$`));
    expect((await stat(backups)).mode & 0o777).toBe(0o700);
    expect((await stat(backup.file)).mode & 0o777).toBe(0o600);
    expect(backup.bytes).toBe((await stat(backup.file)).size);
    expect(await readdir(backups)).toEqual([path.basename(backup.file)]); // no temporary file left beside it
    expect((await readFile(backup.file)).subarray(0, 5).toString()).toBe('PGDMP');
    expect(backup.tool.path).toMatch(/pg_dump$/);
    expect(backup.tool.major).toBeGreaterThanOrEqual(
      Math.floor(Number((await reg.admin`show server_version_num`)[0]!.server_version_num) / 10_000),
    );

    await owner.caller.members.create({ firstName: 'Late', phone: '202-555-0102' });
    expect(await names()).toEqual(['Early', 'Late']);
    const restored = await restoreChurch(reg.services, church.tenantId, backup.file);
    expect(restored.schemaVersion).toBe(latest);
    expect(restored.ms).toBeGreaterThan(0);

    // The same signed-in owner is served from the restored database, through the church's own role.
    expect(await names()).toEqual(['Early']);
    await owner.caller.members.create({ firstName: 'After', phone: '202-555-0103' });
    expect(await names()).toEqual(['After', 'Early']);
    expect(await tenantRow()).toMatchObject({ status: 'active', schema_version: latest });

    // Least privilege as provisioning leaves it: only the church's role may connect; table rights via the group.
    const { db_name, db_role } = await tenantRow();
    const [acl] = await reg.admin`
      select has_database_privilege(${db_role}, ${db_name}, 'connect') as church,
             (select datacl::text from pg_database where datname = ${db_name}) as acl`;
    expect(acl!.church).toBe(true);
    expect(acl!.acl).not.toMatch(/(^|[{,])=/); // no entry for PUBLIC
    const db = postgres(withDatabase(serverUrl(), db_name), { max: 1, onnotice: () => {} });
    try {
      const [rights] = await db`
        select has_table_privilege(
                 ${reg.services.naming.tenantGroup}, 'members', 'select, insert, update, delete'
               ) as rw,
               (select obj_description(oid, 'pg_database')
                  from pg_database where datname = current_database()) as marker`;
      expect(rights).toEqual({ rw: true, marker: null });
      // Default privileges are not restored from the dump (they name the dumping user) but set again by the migrator.
      const [defaults] = await db`
        select count(*)::int as n from pg_default_acl
         where defaclacl::text like ${'%' + reg.services.naming.tenantGroup + '%'}`;
      expect(defaults!.n).toBe(2);
    } finally {
      await db.end();
    }
    // The spare was renamed, not left behind.
    expect(await databases()).not.toContainEqual(expect.stringMatching(/_x_/));
  });

  it('finds pg_dump and pg_restore at least as new as the server, and says where it looked when none is', async () => {
    const tools = await findPgTools(undefined, 150000);
    expect(tools.pgDump).toMatchObject({ path: expect.stringMatching(/\/pg_dump$/), major: expect.any(Number) });
    expect(tools.pgRestore.major).toBeGreaterThanOrEqual(15);
    const err = await errorOf(findPgTools('/nonexistent/bin', 990000));
    expect(err.message).toMatch(
      new RegExp(
        String.raw`PostgreSQL 99 or newer.*PG_BIN_DIR \(/nonexistent/bin\), ` +
          String.raw`PATH and /usr/lib/postgresql/\*/bin; found: .*pg_dump \d+`,
      ),
    );
  });

  it('refuses a file that is not a dump, and another church’s dump, leaving the church untouched', async () => {
    const before = await names();
    const junk = path.join(dir, 'not-a-dump.dump');
    await writeFile(junk, 'PGDMX this is not an archive');
    const err = await errorOf(restoreChurch(reg.services, church.tenantId, junk));
    expect(err.message).toMatch(/is not a pg_dump custom-format archive/);
    expect(
      (await errorOf(restoreChurch(reg.services, church.tenantId, path.join(dir, 'missing.dump')))).message,
    ).toMatch(/not a pg_dump/);

    const other = await provisionChurch(reg.services, { churchName: 'Other Chapel' });
    const theirs = await backupChurch(reg.services, other.tenantId);
    expect((await errorOf(restoreChurch(reg.services, church.tenantId, theirs.file))).message).toMatch(
      /not of .*another church/,
    );

    expect(await tenantRow()).toMatchObject({ status: 'active' });
    expect(await names()).toEqual(before);
    expect(await databases()).not.toContainEqual(expect.stringMatching(/_x_/));
  });

  it('a restore failing before its swap changes nothing; one stopped mid-swap is finished by a re-run', async () => {
    const backup = await backupChurch(reg.services, church.tenantId);
    await owner.caller.members.create({ firstName: 'Doomed', phone: '202-555-0104' });
    const before = await names();

    const early = await errorOf(
      restoreChurch(reg.services, church.tenantId, backup.file, {
        faults: (p) => {
          if (p === 'before:swap') throw new Error('injected');
        },
      }),
    );
    expect(early.message).toBe('injected');
    expect(await tenantRow()).toMatchObject({ status: 'active' });
    expect(await names()).toEqual(before);
    expect(await databases()).not.toContainEqual(expect.stringMatching(/_x_/));

    const mid = await errorOf(
      restoreChurch(reg.services, church.tenantId, backup.file, {
        faults: (p) => {
          if (p === 'after:drop') throw new Error('crash');
        },
      }),
    );
    expect(mid.message).toMatch(/stopped mid-swap.*run it again/);
    expect(await tenantRow()).toMatchObject({ status: 'moving' });
    await expect(owner.caller.members.list({})).rejects.toThrow(); // maintenance while it is half done

    const again = await restoreChurch(reg.services, church.tenantId, backup.file);
    expect(again.schemaVersion).toBe(latest);
    expect(await tenantRow()).toMatchObject({ status: 'active', schema_version: latest });
    expect(await names()).toEqual(before.filter((n) => n !== 'Doomed'));
  });

  it('keeps a suspended church suspended, and brings an older dump up to the latest schema', async () => {
    const old = await provisionChurch(reg.services, { churchName: 'Old Chapel' });
    const { db_name } = await tenantRow(old.tenantId);
    // Rebuild its database at schema version 2 (the migration journal cut short), then back that up.
    const folder = path.join(dir, 'old-migrations');
    await cp(tenantMigrations.migrationsFolder, folder, { recursive: true });
    const journal = JSON.parse(await readFile(path.join(folder, 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.slice(0, 2);
    await writeFile(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
    await reg.admin.unsafe(`drop database "${db_name}" with (force)`);
    await reg.admin.unsafe(`create database "${db_name}" template template0`);
    expect(await migrateTenantDatabase(reg.url, db_name, reg.services.naming.tenantGroup, folder)).toBe(2);
    await reg.admin`update tenants set schema_version = 2, status = 'suspended' where id = ${old.tenantId}`;
    const backup = await backupChurch(reg.services, old.tenantId);
    expect(backup.file).toMatch(/-v2\.dump$/);

    const restored = await restoreChurch(reg.services, old.tenantId, backup.file);
    expect(restored.schemaVersion).toBe(latest);
    expect(await tenantRow(old.tenantId)).toMatchObject({ status: 'suspended', schema_version: latest });
    const db = postgres(withDatabase(serverUrl(), db_name), { max: 1, onnotice: () => {} });
    try {
      // members: a table of migration 3.
      const [row] = await db`select has_table_privilege(${reg.services.naming.tenantGroup}, 'members', 'insert') as ok`;
      expect(row!.ok).toBe(true);
    } finally {
      await db.end();
    }
  });
});
