import { rmSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/server/config';
import { startWorker } from '@/server/jobs/worker';
import { migrateFleet } from '@/server/fleet/migrate';
import { latestTenantVersion } from '@/server/tenancy/migrator';
import { registryAppUrl } from '@/server/tenancy/registry-role';
import { prepareDatabases } from '@/server/tenancy/setup';
import { decryptSecret } from '@/server/tenancy/secrets';
import { withDatabase } from '@/server/tenancy/urls';
import { createContext } from '@/server/trpc';
import { createTestRegistry, serverUrl, testSecretKey, until, type TestRegistry } from './support/harness';
import { appendMigration, tenantMigrationsCopy } from './support/migrations';
import { createCaller } from './support/accounts';

describe('tenant migrations reach existing churches', () => {
  let reg: TestRegistry;
  let folder: string;

  beforeAll(async () => {
    reg = await createTestRegistry();
    folder = tenantMigrationsCopy();
  });
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await reg?.cleanup();
  });

  it('migrates the template and every active church, and the church role can use the new column', async () => {
    const worker = await startWorker(reg.services);
    const anonymous = createCaller(createContext({ session: null, services: reg.services }));
    const { ticket } = await anonymous.onboarding.signup({
      churchName: 'Old Church',
      timezone: 'UTC',
      adminName: 'Old Admin',
      email: 'old@example.org',
      password: 'long enough pw',
    });
    await until(async () => (await anonymous.onboarding.status({ ticket })).state === 'ready');
    await worker.stop();
    const [before] = await reg.services.registry.sql`select * from tenants`;
    const current = latestTenantVersion();
    expect(before!.schema_version).toBe(current);

    // A new tenant migration appears (as `npm run db:generate` would write it) and the server restarts.
    appendMigration(folder, 'admin_pronouns', 'ALTER TABLE "admins" ADD COLUMN "pronouns" text;');
    const result = await prepareDatabases(reg.url, { secretKey: testSecretKey, tenantMigrationsFolder: folder });
    expect(result.tenantSchemaVersion).toBe(current + 1);
    const fleet = await migrateFleet(reg.services, { folder });
    expect(fleet).toMatchObject({ version: current + 1, migrated: 1, failed: 0, stopped: null });

    const [after] = await reg.services.registry.sql`select * from tenants where id = ${before!.id}`;
    expect(after!.schema_version).toBe(current + 1);
    const church = postgres({
      ...hostPort(),
      database: after!.db_name,
      username: after!.db_role,
      password: decryptSecret(after!.db_secret, testSecretKey),
      max: 1,
    });
    try {
      await church`update admins set pronouns = 'she/her' where email = 'old@example.org'`;
      const [row] = await church`select pronouns from admins`;
      expect(row!.pronouns).toBe('she/her');
    } finally {
      await church.end();
    }
    const template = postgres(withDatabase(serverUrl(), reg.services.naming.template), { max: 1 });
    // The template must accept this one connection for the check, and be left with none.
    try {
      const cols = await template`
        select column_name from information_schema.columns where table_name = 'admins' and column_name = 'pronouns'`;
      expect(cols).toHaveLength(1);
    } finally {
      await template.end();
    }
  });
});

describe('startup checks', () => {
  it('explains each missing or bad setting on its own line', () => {
    let error: unknown;
    try {
      loadConfig({ CONNECTION_BUDGET: 'lots', STEEPLE_SECRET_KEY: 'c2hvcnQ=' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^DATABASE_URL is required/m);
    expect(problems).toMatch(/^STEEPLE_SECRET_KEY must be 32 bytes/m);
    expect(problems).toMatch(/^CONNECTION_BUDGET /m);
    expect(problems).toMatch(/^NEXTAUTH_SECRET is required/m);
  });

  it('asks for the rest of a Telnyx account when its API key is set', () => {
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', NEXTAUTH_SECRET: 'n'.repeat(32), ...env });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    const secret = Buffer.alloc(32, 1).toString('base64');
    const problems = problemsOf({
      STEEPLE_SECRET_KEY: secret,
      TELNYX_API_KEY: 'KEY0123456789',
      NUMBERS_PER_CHURCH: '-1',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TELNYX_PUBLIC_KEY is required when TELNYX_API_KEY is set/),
        expect.stringMatching(/^TELNYX_MESSAGING_PROFILE_ID is required when TELNYX_API_KEY is set/),
        expect.stringMatching(/^NUMBERS_PER_CHURCH /),
      ]),
    );
    expect(problemsOf({ STEEPLE_SECRET_KEY: secret })).toEqual([]); // no account: the simulated inventory
  });

  it('says in one line when the database user cannot create databases and roles', async () => {
    const admin = postgres(withDatabase(serverUrl(), 'postgres'), { max: 1, onnotice: () => {} });
    const role = `stp_limited_${Date.now().toString(36)}`;
    await admin.unsafe(`create role ${role} login password 'limited-pw'`);
    try {
      const u = new URL(withDatabase(serverUrl(), 'stp_never_created'));
      u.username = role;
      u.password = 'limited-pw';
      await expect(prepareDatabases(u.toString(), { secretKey: testSecretKey })).rejects.toThrow(
        'DATABASE_URL user needs CREATEDB and CREATEROLE',
      );
    } finally {
      await admin.unsafe(`drop role ${role}`);
      await admin.end();
    }
  });
});

function hostPort() {
  const u = new URL(serverUrl());
  return { host: u.hostname, port: Number(u.port || 5432) };
}

describe('the registry role request traffic uses', () => {
  it('reads and writes registry rows; cannot change schema, enqueue directly or reach a church database', async () => {
    const reg = await createTestRegistry();
    try {
      const sql = reg.services.registry.sql;
      await expect(sql`select count(*) from tenants`).resolves.toBeDefined();
      await expect(sql.unsafe('create table intruder (id int)')).rejects.toMatchObject({ code: '42501' });
      await expect(sql.unsafe('drop table tenants')).rejects.toMatchObject({ code: '42501' });
      await expect(sql`insert into graphile_worker._private_jobs (task_id) values (1)`).rejects.toMatchObject({
        code: '42501',
      });
      const [me] = await sql<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }[]>`
        select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user`;
      expect(me).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
      const appUrl = registryAppUrl(reg.services.config.DATABASE_URL, reg.services.naming, testSecretKey);
      const u = new URL(withDatabase(appUrl, reg.services.naming.template));
      const other = postgres(u.toString(), { max: 1, onnotice: () => {} });
      await expect(other`select 1`).rejects.toMatchObject({ code: '42501' });
      await other.end();
    } finally {
      await reg.cleanup();
    }
  });
});
