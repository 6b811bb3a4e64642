import postgres from 'postgres';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '@/server/jobs/worker';
import { appRouter } from '@/server/routers/_app';
import { decryptSecret } from '@/server/tenancy/secrets';
import { hostPortOf, withDatabase } from '@/server/tenancy/urls';
import { createContext, type Session } from '@/server/trpc';
import { createTestRegistry, serverUrl, testSecretKey, until, type TestRegistry } from './support/harness';
import { createCaller } from './support/accounts';

type Church = {
  name: string;
  email: string;
  tenantId: string;
  adminId: string;
  dbName: string;
  dbRole: string;
  password: string;
};

describe('tenant isolation', () => {
  let reg: TestRegistry;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let a: Church;
  let b: Church;
  const opened: postgres.Sql[] = [];
  const { host, port } = hostPortOf(serverUrl());

  /** A connection as a church's own login role (the password is the decrypted one the app would use). */
  const connectAs = (church: Church, database: string) => {
    const sql = postgres({
      host,
      port,
      database,
      username: church.dbRole,
      password: church.password,
      max: 1,
      connect_timeout: 5,
      onnotice: () => {},
    });
    opened.push(sql);
    return sql;
  };
  /** The rejection, or null when the call succeeded. */
  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string },
    );
  const caller = (session: Session | null) => createCaller(createContext({ session, services: reg.services }));

  async function provision(name: string, email: string): Promise<Church> {
    const { ticket } = await caller(null).onboarding.signup({
      churchName: name,
      timezone: 'Europe/Berlin',
      adminName: `${name} Owner`,
      email,
      password: 'correct horse battery',
    });
    const status = await until(async () => {
      const s = await caller(null).onboarding.status({ ticket });
      return s.state === 'ready' || s.state === 'failed' ? s : null;
    });
    expect(status.state).toBe('ready');
    const [row] = await reg.services.registry.sql<
      { tenant_id: string; admin_id: string; db_name: string; db_role: string; db_secret: string }[]
    >`
      select i.tenant_id, i.admin_id, t.db_name, t.db_role, t.db_secret
      from admin_email_index i join tenants t on t.id = i.tenant_id where i.email = ${email}`;
    return {
      name,
      email,
      tenantId: row!.tenant_id,
      adminId: row!.admin_id,
      dbName: row!.db_name,
      dbRole: row!.db_role,
      password: decryptSecret(row!.db_secret, testSecretKey),
    };
  }

  beforeAll(async () => {
    reg = await createTestRegistry();
    worker = await startWorker(reg.services);
    [a, b] = await Promise.all([
      provision('Church Alpha', 'alpha@example.org'),
      provision('Church Beta', 'beta@example.org'),
    ]);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.end({ timeout: 5 }).catch(() => {})));
    await worker?.stop();
    await reg?.cleanup();
  });

  describe('database roles', () => {
    it('gives each church its own database, role and secret', () => {
      expect(a.dbName).not.toBe(b.dbName);
      expect(a.dbRole).not.toBe(b.dbRole);
      expect(a.password).not.toBe(b.password);
      expect(a.password.length).toBeGreaterThanOrEqual(24);
    });

    it("lets a church's role into its own database and read its admins", async () => {
      const rows = await connectAs(a, a.dbName)<{ email: string }[]>`select email from admins`;
      expect(rows.map((r) => r.email)).toEqual([a.email]);
      const [who] = await connectAs(a, a.dbName)<{ user: string }[]>`select current_user as user`;
      expect(who!.user).toBe(a.dbRole);
    });

    it("refuses a church's role another church's database (42501)", async () => {
      const err = await failureOf(connectAs(a, b.dbName)`select 1`);
      expect(err).not.toBeNull();
      expect(err!.code).toBe('42501');
      expect(err!.message).toMatch(/permission denied for database/);
      // And the other way round.
      expect((await failureOf(connectAs(b, a.dbName)`select 1`))?.code).toBe('42501');
      // The owner can still get in with the same route: the refusal is about the role, not the database.
      expect(await connectAs(b, b.dbName)`select 1 as ok`).toEqual([{ ok: 1 }]);
    });

    it("refuses a church's role the template database", async () => {
      const err = await failureOf(connectAs(a, reg.services.naming.template)`select 1`);
      expect(err?.code).toBe('42501');
    });

    it("refuses a church's role the registry database", async () => {
      const sql = connectAs(a, reg.name);
      const err = await failureOf(sql`select 1`);
      if (err === null) {
        // Name the database ACL in the failure: NULL means PUBLIC (every role) may connect.
        const [acl] = await reg.services.registry.sql<
          { datacl: string | null }[]
        >`select datacl::text from pg_database where datname = current_database()`;
        expect.fail(
          `role ${a.dbRole} connected to the registry database ${reg.name} ` +
            `(datacl ${acl?.datacl ?? 'NULL = PUBLIC may CONNECT, TEMP'})`,
        );
      }
      expect(err.code).toBe('42501');
    });

    it('is an ordinary role: no superuser, cannot create databases or roles', async () => {
      const [attrs] = await reg.services.registry.sql`
        select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin
          from pg_roles where rolname = ${a.dbRole}`;
      expect(attrs).toEqual({
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
      });

      const sql = connectAs(a, a.dbName);
      const suffix = Math.random().toString(36).slice(2, 8);
      const createDb = await failureOf(sql.unsafe(`create database ${reg.services.naming.prefix}_evil_${suffix}`));
      expect(createDb?.code).toBe('42501');
      const createRole = await failureOf(sql.unsafe(`create role ${reg.services.naming.prefix}_evil_${suffix}`));
      expect(createRole?.code).toBe('42501');
      const becomeB = await failureOf(sql.unsafe(`set role ${b.dbRole}`));
      expect(becomeB?.code).toBe('42501');
    });
  });

  describe('tRPC', () => {
    const owner = (c: Church): Session => ({
      tenantId: c.tenantId,
      adminId: c.adminId,
      sessionId: 'test-session-owner',
    });

    it("shows a session only its own church's data", async () => {
      for (const [mine, theirs] of [
        [a, b],
        [b, a],
      ] as const) {
        const profile = await caller(owner(mine)).church.profile();
        expect(profile.church).toMatchObject({ name: mine.name, timezone: 'Europe/Berlin' });
        expect(profile.me).toMatchObject({ email: mine.email, role: 'owner' });
        const admins = await caller(owner(mine)).church.admins();
        expect(admins.map((x) => x.email)).toEqual([mine.email]);
        expect(JSON.stringify([profile, admins])).not.toContain(theirs.email);
      }
    });

    it("does not accept another church's admin through one's own church", async () => {
      // Session of church A carrying church B's admin id: looked up in A's database, where it does not exist.
      const err = await failureOf(
        caller({ tenantId: a.tenantId, adminId: b.adminId, sessionId: 'test-session-mixed' }).church.profile(),
      );
      expect(err?.code).toBe('UNAUTHORIZED');
    });

    it('takes no church id from input: extra fields are ignored or refused, never obeyed', async () => {
      const smuggled = {
        tenantId: b.tenantId,
        tenant_id: b.tenantId,
        churchId: b.tenantId,
        database: b.dbName,
      } as never;
      const outcomes = await Promise.all([
        failureOf(caller(owner(a)).church.profile(smuggled)).then(
          async (err) => err ?? caller(owner(a)).church.profile(smuggled),
        ),
        failureOf(caller(owner(a)).church.admins(smuggled)).then(
          async (err) => err ?? caller(owner(a)).church.admins(smuggled),
        ),
      ]);
      const [profile, admins] = outcomes as [unknown, unknown];
      for (const out of [profile, admins]) {
        if (out instanceof TRPCError) expect(out.code).toBe('BAD_REQUEST');
        expect(JSON.stringify(out)).not.toContain(b.email);
        expect(JSON.stringify(out)).not.toContain(b.name);
      }
      if (!(profile instanceof TRPCError)) expect((profile as { church: { name: string } }).church.name).toBe(a.name);
      if (!(admins instanceof TRPCError))
        expect((admins as { email: string }[]).map((x) => x.email)).toEqual([a.email]);
      // The procedures declare no input at all.
      const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>;
      expect(procedures['church.profile']!._def.inputs).toEqual([]);
      expect(procedures['church.admins']!._def.inputs).toEqual([]);
      expect(procedures['onboarding.signup']!._def.inputs).toHaveLength(1); // the probe can see inputs where they exist
    });

    it('takes the role from the church database: staff is refused church.admins, an admin is not', async () => {
      // A staff member added straight to church A's database (the team flow comes with the accounts issue).
      const staffId = crypto.randomUUID();
      const db = postgres(withDatabase(serverUrl(), a.dbName), { max: 1, onnotice: () => {} });
      try {
        await db`
          insert into admins (id, name, email, password_hash, role)
          values (${staffId}, 'Staff', 'staff-a@example.org', 'x', 'staff')`;
        const staff: Session = { tenantId: a.tenantId, adminId: staffId, sessionId: 'test-session-staff' };
        const err = await failureOf(caller(staff).church.admins());
        expect(err).toBeInstanceOf(TRPCError);
        expect(err!.code).toBe('FORBIDDEN');
        expect((await caller(staff).church.profile()).church?.name).toBe(a.name);
        // Promoted in the database: allowed on the very next call, whatever the session said before.
        await db`update admins set role = 'admin' where id = ${staffId}`;
        expect(await caller(staff).church.admins()).toHaveLength(2);
      } finally {
        await db`delete from admins where id = ${staffId}`;
        await db.end();
      }
    });
  });
});
