import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServerReady } from '@/server/tenancy/setup';
import { moveChurch, type MoveFault } from '@/server/fleet/move';
import { hostPortOf, withDatabase } from '@/server/tenancy/urls';
import { errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, serverUrl, until, type TestRegistry } from './support/harness';

const second = process.env.SECOND_TEST_DATABASE_URL;

/** Churches move between two separate PostgreSQL servers: the test server ('default') and the second one. */
// Each move drops databases, and PostgreSQL checkpoints on every drop: slow on a busy machine.
describe('moving a church between database servers', { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  let dir: string;
  let church: Church;
  let owner: SignedInClient;
  let secondAdmin: postgres.Sql;
  const urlEnv = `STEEPLE_TEST_SECOND_${randomBytes(4).toString('hex').toUpperCase()}`;
  const offlineEnv = `${urlEnv}_OFFLINE`;
  const ids: Record<string, number> = {};

  const names = async () => (await owner.caller.members.list({})).items.map((m) => m.firstName).sort();
  const tenantRow = async () =>
    (
      await reg.admin`
        select status, db_server_id, db_name, db_role, schema_version from tenants where id = ${church.tenantId}`
    )[0]!;
  /** Where the church's database and role exist, by server. */
  async function presence(sql: postgres.Sql) {
    const { db_name, db_role } = await tenantRow();
    const [row] = await sql`
      select exists (select 1 from pg_database where datname = ${db_name}) as db,
             exists (select 1 from pg_roles where rolname = ${db_role}) as role`;
    return { db: row!.db as boolean, role: row!.role as boolean };
  }
  const onDefault = () => presence(reg.admin);
  const onSecond = () => presence(secondAdmin);

  beforeAll(async () => {
    if (!second) throw new Error('SECOND_TEST_DATABASE_URL is not set: run the suite with `npm test`');
    dir = await mkdtemp(path.join(os.tmpdir(), 'steeple-move-'));
    process.env[urlEnv] = second!; // ClusterAdmin reads a server's URL from the env var its row names
    process.env[offlineEnv] = 'postgres://postgres@127.0.0.1:1/postgres';
    reg = await createTestRegistry({ BACKUP_DIR: dir });
    secondAdmin = postgres(second!, { max: 2, onnotice: () => {} });
    await ensureServerReady(secondAdmin, second!, reg.services.naming);
    const { host, port } = hostPortOf(second!);
    await reg.admin`
      insert into db_servers (name, host, port, admin_url_env)
      values ('second', ${host}, ${port}, ${urlEnv}), ('offline', '127.0.0.1', 1, ${offlineEnv})`;
    for (const r of await reg.admin`select id, name from db_servers`) ids[r.name] = r.id;
    church = await provisionChurch(reg.services, { churchName: 'Moving Chapel' });
    owner = await signIn(reg.services, church.email, church.password);
    await owner.caller.members.create({ firstName: 'Before', phone: '202-555-0111' });
  });
  afterAll(async () => {
    if (reg) await dropOnSecond(reg.services.naming.prefix);
    await secondAdmin?.end({ timeout: 5 });
    await reg?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
    delete process.env[urlEnv];
    delete process.env[offlineEnv];
  });

  /** The harness cleans the test server; the second server's databases and roles of this registry go here. */
  async function dropOnSecond(prefix: string) {
    const dbs = await secondAdmin`select datname from pg_database where datname like ${prefix + '\\_%'}`;
    for (const { datname } of dbs) {
      await secondAdmin.unsafe(`alter database "${datname}" is_template false`);
      await secondAdmin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    const roles = await secondAdmin`select rolname from pg_roles where rolname like ${prefix + '\\_%'}`;
    for (const { rolname } of roles) await secondAdmin.unsafe(`drop role if exists "${rolname}"`);
  }

  it('moves to the second server and back: data intact, served where the registry says, nothing left', async () => {
    const there = await moveChurch(reg.services, church.tenantId, 'second');
    expect(there).toMatchObject({ from: 'default', to: 'second' });
    expect(there.bytes).toBeGreaterThan(0);
    expect(there.tools?.pgDump.path).toMatch(/pg_dump$/);
    expect(await tenantRow()).toMatchObject({ status: 'active', db_server_id: ids.second });
    expect(await onDefault()).toEqual({ db: false, role: false });
    expect(await onSecond()).toEqual({ db: true, role: true });

    expect(await names()).toEqual(['Before']);
    await owner.caller.members.create({ firstName: 'There', phone: '202-555-0112' });
    const { db_name, db_role } = await tenantRow();
    const db = postgres(withDatabase(second!, db_name), { max: 1, onnotice: () => {} });
    try {
      expect((await db`select first_name from members order by first_name`).map((r) => r.first_name)).toEqual([
        'Before',
        'There',
      ]);
      const [acl] = await db`select has_database_privilege(${db_role}, current_database(), 'connect') as church,
                                    has_database_privilege('public', current_database(), 'connect') as anyone`;
      expect(acl).toEqual({ church: true, anyone: false });
    } finally {
      await db.end();
    }
    expect(await readdir(dir)).toEqual([]); // the move's dump is gone

    const back = await moveChurch(reg.services, church.tenantId, 'default');
    expect(back).toMatchObject({ from: 'second', to: 'default' });
    expect(await tenantRow()).toMatchObject({ status: 'active', db_server_id: ids.default });
    expect(await onSecond()).toEqual({ db: false, role: false });
    expect(await onDefault()).toEqual({ db: true, role: true });
    expect(await names()).toEqual(['Before', 'There']);
  });

  it('refuses the server it is on, an unknown server and an unreachable one, changing nothing', async () => {
    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'default'))).message).toMatch(/already on default/);
    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'nowhere'))).message).toMatch(
      /unknown database server "nowhere" \(known: default, second, offline\)/,
    );
    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'offline'))).message).toMatch(
      /offline is not reachable/,
    );
    expect(await tenantRow()).toMatchObject({ status: 'active', db_server_id: ids.default });
    expect(await names()).toEqual(['Before', 'There']);
  });

  it('a move failing before its switch leaves the church on the source; running it again completes it', async () => {
    const fail = (at: MoveFault) => (p: MoveFault) => {
      if (p === at) throw new Error(`injected at ${p}`);
    };
    expect(
      (await errorOf(moveChurch(reg.services, church.tenantId, 'second', { faults: fail('after:restore') }))).message,
    ).toBe('injected at after:restore');
    expect(await tenantRow()).toMatchObject({ status: 'active', db_server_id: ids.default });
    expect(await onSecond()).toEqual({ db: false, role: false }); // its copy and the role it created are gone
    expect(await names()).toEqual(['Before', 'There']);
    // The church's role may connect again.
    await owner.caller.members.create({ firstName: 'Still', phone: '202-555-0113' });

    await moveChurch(reg.services, church.tenantId, 'second');
    expect(await tenantRow()).toMatchObject({ status: 'active', db_server_id: ids.second });
    expect(await names()).toEqual(['Before', 'Still', 'There']);
  });

  it('a move whose process died is finished by running it again, keeping the status the church had', async () => {
    await reg.admin`update tenants set status = 'suspended' where id = ${church.tenantId}`;
    // The process "dies" at the fault: the move never continues, and closing its services ends its connections
    // and lock.
    const doomed = reg.servicesWith({});
    let reached!: () => void;
    const atFault = new Promise<void>((r) => (reached = r));
    void moveChurch(doomed, church.tenantId, 'default', {
      faults: (p) => (p === 'after:restore' ? (reached(), new Promise<void>(() => {})) : undefined),
    }).catch(() => {});
    await atFault;
    expect(await tenantRow()).toMatchObject({ status: 'moving', db_server_id: ids.second });
    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'default'))).message).toMatch(
      /another restore or move/,
    );
    await doomed.close();
    // Its registry session ends a moment after its socket does; only then is its lock released.
    await until(
      async () =>
        (
          await reg.admin`
            select 1 from pg_locks
             where locktype = 'advisory'
               and database = (select oid from pg_database where datname = current_database())`
        ).length === 0,
    );

    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'offline'))).message).toMatch(
      /unfinished move to database server #\d+: run that move again/,
    );
    const done = await moveChurch(reg.services, church.tenantId, 'default');
    expect(done).toMatchObject({ from: 'second', to: 'default' });
    expect(await tenantRow()).toMatchObject({ status: 'suspended', db_server_id: ids.default });
    expect(await onSecond()).toEqual({ db: false, role: false });
    await reg.admin`update tenants set status = 'active' where id = ${church.tenantId}`;
    reg.services.resolver.invalidate(church.tenantId);
    expect(await names()).toEqual(['Before', 'Still', 'There']);
  });

  it('a move stopped after its switch is served from the target at once; a re-run removes the old copy', async () => {
    const err = await errorOf(
      moveChurch(reg.services, church.tenantId, 'second', {
        faults: (p) => {
          if (p === 'after:switch') throw new Error('crash');
        },
      }),
    );
    expect(err.message).toBe('crash');
    expect(await tenantRow()).toMatchObject({ status: 'active', db_server_id: ids.second });
    expect(await names()).toEqual(['Before', 'Still', 'There']);
    expect(await onDefault()).toEqual({ db: true, role: true }); // the old copy, not yet removed
    // Its marker says where the old copy is: another move must not lose it.
    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'default'))).message).toMatch(
      /has not removed its old copy yet: run `move .* second` again/,
    );

    const finished = await moveChurch(reg.services, church.tenantId, 'second');
    expect(finished).toMatchObject({ from: 'default', to: 'second', bytes: 0 });
    expect(await onDefault()).toEqual({ db: false, role: false });
    expect((await errorOf(moveChurch(reg.services, church.tenantId, 'second'))).message).toMatch(/already on second/);
    expect(serverUrl()).not.toBe(second); // two servers really were involved
  });
});
