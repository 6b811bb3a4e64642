import { randomBytes, randomUUID } from 'node:crypto';
import type { Task } from 'graphile-worker';
import { rmSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcasts, messages } from '@/db/tenant/schema';
import { loadConfig } from '@/server/config';
import { closeChurch, purgeChurch, purgeDue, resumeChurch, suspendChurch } from '@/server/fleet/lifecycle';
import { migrateFleet, MigrationInProgressError } from '@/server/fleet/migrate';
import { addServer, listServers, setAccepting } from '@/server/fleet/servers';
import { BROADCAST_TASK, messagingTasks, SEND_TASK } from '@/server/messaging/jobs';
import { WORKSPACE_CLOSED } from '@/server/messaging/sender';
import { anyStatus } from '@/server/tenancy/availability';
import { createServices, type Services } from '@/server/services';
import { latestTenantVersion } from '@/server/tenancy/migrator';
import { withDatabase } from '@/server/tenancy/urls';
import { caller, errorOf, provisionChurch, signIn, type Church } from './support/accounts';
import { createTestRegistry, dropRegistry, testSecrets, type TestRegistry } from './support/harness';
import { nextMigrationFolder } from './support/migrations';
import { insertMembers } from './support/messaging';
import { routeNumberTo, personNumber, postSigned, received } from './support/webhooks';

const versionOf = async (reg: TestRegistry, tenantId: string) =>
  (
    await reg.admin<
      { schema_version: number; migration_error: string | null }[]
    >`select schema_version, migration_error from tenants where id = ${tenantId}`
  )[0]!;

describe('migrating every church', () => {
  let reg: TestRegistry;
  let next: ReturnType<typeof nextMigrationFolder>;
  let upgraded: Services; // the new build: needs the new version
  const churches: Church[] = [];

  beforeAll(async () => {
    reg = await createTestRegistry();
    next = nextMigrationFolder();
    for (let i = 0; i < 6; i++) churches.push(await provisionChurch(reg.services));
    upgraded = createServices(loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error' }), {
      tenantSchemaVersion: next.version,
    });
  });
  afterAll(async () => {
    await upgraded?.close();
    rmSync(next.folder, { recursive: true, force: true });
    await reg?.cleanup();
  });

  it('refuses a church behind the version the app needs: a 503 for it alone; its texts are kept and wait', async () => {
    const [behind] = churches;
    const owner = await signIn(upgraded, behind!.email, behind!.password).catch((err) => err);
    expect(String(owner.message)).toContain('being upgraded');
    const session = (await signIn(reg.services, behind!.email, behind!.password)).session;
    const err = await errorOf(caller(upgraded, session).members.list({}));
    expect(err).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Your workspace is being upgraded. Please try again in a few minutes.',
    });
    const number = await routeNumberTo(upgraded, behind!.tenantId);
    // Telnyx is answered at once; the text waits in the registry until the church is migrated.
    const text = await postSigned(upgraded, received(personNumber(1), number, 'hello').body);
    expect(text.status).toBe(200);
    expect(await text.json()).toEqual({ outcome: 'queued' });
    // The old build still serves it: a rolling deploy never locks churches out before the migration reaches them.
    await expect(caller(reg.services, session).members.list({})).resolves.toBeTruthy();
  });

  it('a failing canary stops the run before the others; --skip-failing carries on; a re-run resumes', async () => {
    // The first church's database already has the column the migration adds: its migration fails.
    const [broken, ...rest] = churches;
    const brokenDb = postgres(
      withDatabase(reg.url, (await reg.admin`select db_name from tenants where id = ${broken!.tenantId}`)[0]!.db_name),
      { max: 1, onnotice: () => {} },
    );
    await brokenDb`alter table admins add column pronouns text`;

    const canary = await migrateFleet(reg.services, { folder: next.folder, canary: 1 });
    expect(canary).toMatchObject({ migrated: 0, failed: 1 });
    expect(canary.stopped).toMatch(/canary failed/);
    expect((await versionOf(reg, rest[0]!.tenantId)).schema_version).toBe(next.version - 1);
    expect((await versionOf(reg, broken!.tenantId)).migration_error).toMatch(/pronouns/);

    const stopping = await migrateFleet(reg.services, { folder: next.folder, concurrency: 1 });
    expect(stopping.stopped).toMatch(/failed/); // the broken church comes first, and the run stops there
    expect(stopping.churches).toHaveLength(1);

    const skipping = await migrateFleet(reg.services, { folder: next.folder, skipFailing: true, concurrency: 3 });
    expect(skipping).toMatchObject({ migrated: rest.length, failed: 1, stopped: null });
    for (const c of rest)
      expect(await versionOf(reg, c.tenantId)).toEqual({ schema_version: next.version, migration_error: null });

    // Fixed by hand; the next run takes only what is left.
    await brokenDb`alter table admins drop column pronouns`;
    await brokenDb.end();
    const resumed = await migrateFleet(reg.services, { folder: next.folder });
    expect(resumed.churches.map((c) => c.tenantId)).toEqual([broken!.tenantId]);
    expect(resumed).toMatchObject({ migrated: 1, failed: 0 });
    expect(resumed.templates.every((t) => t.ok && t.version === next.version)).toBe(true);

    // Now the new build serves every church.
    const owner = await signIn(upgraded, broken!.email, broken!.password);
    await expect(owner.caller.members.list({})).resolves.toBeTruthy();
  });

  it('two runs never collide: the second finds the fleet lock taken', async () => {
    const results = await Promise.allSettled([
      migrateFleet(reg.services, { folder: next.folder }),
      migrateFleet(reg.services, { folder: next.folder }),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(MigrationInProgressError.is((refused[0] as PromiseRejectedResult).reason)).toBe(true);
  });
});

describe('suspending, closing and deleting a church', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await createTestRegistry();
  });
  afterAll(async () => reg?.cleanup());

  it('suspended: a maintenance answer for its users, texts still stored; resume brings it back', async () => {
    const church = await provisionChurch(reg.services);
    const other = await provisionChurch(reg.services);
    const owner = await signIn(reg.services, church.email, church.password);
    const number = await routeNumberTo(reg.services, church.tenantId);
    expect(await suspendChurch(reg.services, church.tenantId, 'database maintenance')).toEqual({
      changed: true,
      status: 'suspended',
    });
    expect(await suspendChurch(reg.services, church.tenantId)).toEqual({ changed: false, status: 'suspended' });

    expect(await errorOf(owner.caller.members.list({}))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('maintenance'),
    });
    await expect(signIn(reg.services, church.email, church.password)).rejects.toThrow(/maintenance/);
    const text = received(personNumber(7), number, 'still there?');
    expect((await postSigned(reg.services, text.body)).status).toBe(200);
    // Nobody else is affected.
    await expect(
      (await signIn(reg.services, other.email, other.password)).caller.members.list({}),
    ).resolves.toBeTruthy();

    await resumeChurch(reg.services, church.tenantId);
    const threads = await owner.caller.conversations.list({});
    expect(threads.items.map((t) => t.lastMessagePreview)).toContain('still there?');
  });

  it('a text for a suspended church waits (checked again in a minute) instead of using up its attempts', async () => {
    const church = await provisionChurch(reg.services);
    await suspendChurch(reg.services, church.tenantId);
    const messageId = randomUUID();
    const helpers = { job: { attempts: 1, max_attempts: 8 } } as unknown as Parameters<Task>[1];
    await messagingTasks(reg.services)[SEND_TASK]!({ tenantId: church.tenantId, messageId }, helpers);
    const [job] = await reg.admin`
      select run_at > now() + interval '30 seconds' as later
        from graphile_worker.jobs where key = ${`send:${church.tenantId}:${messageId}`}`;
    expect(job).toEqual({ later: true });
    await resumeChurch(reg.services, church.tenantId);
  });

  it('a text or broadcast for a closed church is failed (not retried); once purged, its jobs just end', async () => {
    const church = await provisionChurch(reg.services);
    const owner = await signIn(reg.services, church.email, church.password);
    await routeNumberTo(reg.services, church.tenantId);
    const [ada] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Ada' }]);
    const text = await owner.caller.messages.send({ memberId: ada!.id, body: 'See you Sunday' });
    const later = await owner.caller.broadcasts.create({
      body: 'Picnic on Saturday',
      audience: { type: 'all' },
      scheduledAt: new Date(Date.now() + 3_600_000),
    });
    await closeChurch(reg.services, church.tenantId, { graceDays: 30 });

    const tasks = messagingTasks(reg.services);
    const helpers = { job: { attempts: 1, max_attempts: 8 } } as unknown as Parameters<Task>[1];
    await tasks[SEND_TASK]!({ tenantId: church.tenantId, messageId: text.id }, helpers); // ends: no throw, so no retry
    await tasks[BROADCAST_TASK]!({ tenantId: church.tenantId, broadcastId: later.id }, helpers);
    const settled = await reg.services.connections.withTenant(
      church.tenantId,
      async (db) => ({
        text: (
          await db
            .select({ status: messages.status, error: messages.error })
            .from(messages)
            .where(eq(messages.id, text.id))
        )[0],
        broadcast: (
          await db.select({ state: broadcasts.state }).from(broadcasts).where(eq(broadcasts.id, later.id))
        )[0],
      }),
      anyStatus,
    );
    expect(settled).toEqual({ text: { status: 'failed', error: WORKSPACE_CLOSED }, broadcast: { state: 'failed' } });
    expect(
      await reg.admin`
        select 1 from graphile_worker.jobs where key = ${`send:${text.id}`} and run_at > now() + interval '30 seconds'`,
    ).toHaveLength(0);

    await purgeChurch(reg.services, church.tenantId);
    await expect(
      tasks[SEND_TASK]!({ tenantId: church.tenantId, messageId: text.id }, helpers),
    ).resolves.toBeUndefined();
  });

  it('deleted: closed at once with sessions ended, restorable during the grace period, purged after it', async () => {
    const church = await provisionChurch(reg.services);
    const owner = await signIn(reg.services, church.email, church.password);
    await closeChurch(reg.services, church.tenantId, { graceDays: 30 });
    expect((await errorOf(owner.caller.members.list({}))).code).toMatch(/UNAUTHORIZED|FORBIDDEN/);
    await expect(signIn(reg.services, church.email, church.password)).rejects.toThrow(/closed/);
    expect(await purgeDue(reg.services)).toBe(0); // still in its grace period

    await resumeChurch(reg.services, church.tenantId);
    await expect(
      (await signIn(reg.services, church.email, church.password)).caller.members.list({}),
    ).resolves.toBeTruthy();

    await closeChurch(reg.services, church.tenantId, { graceDays: 0 });
    await new Promise((r) => setTimeout(r, 5));
    expect(await purgeDue(reg.services)).toBe(1);
    const [row] = await reg.admin`select status, db_name, db_role from tenants where id = ${church.tenantId}`;
    expect(row!.status).toBe('deleted');
    const [gone] = await reg.admin`
      select exists (select 1 from pg_database where datname = ${row!.db_name}) as db,
             exists (select 1 from pg_roles where rolname = ${row!.db_role}) as role`;
    expect(gone).toEqual({ db: false, role: false });
  });

  it('delete --now drops the database even with open sessions, frees the email and the number', async () => {
    const church = await provisionChurch(reg.services);
    const number = await routeNumberTo(reg.services, church.tenantId);
    const owner = await signIn(reg.services, church.email, church.password);
    await owner.caller.members.list({}); // its pool holds open connections to the database
    const [row] = await reg.admin`select db_name from tenants where id = ${church.tenantId}`;
    const squatter = postgres(withDatabase(reg.url, row!.db_name), { max: 1, onnotice: () => {} });
    await squatter`select 1`; // and so does someone else
    expect(await purgeChurch(reg.services, church.tenantId)).toEqual({ purged: true });
    await squatter.end().catch(() => {});
    expect(await reg.admin`select 1 from pg_database where datname = ${row!.db_name}`).toHaveLength(0);
    expect(await reg.admin`select 1 from admin_email_index where tenant_id = ${church.tenantId}`).toHaveLength(0);
    expect(await (await postSigned(reg.services, received(personNumber(3), number, 'hi').body)).json()).toMatchObject({
      ignored: 'unknown number',
    });
    // The email can start a new church.
    const again = await provisionChurch(reg.services, { email: church.email });
    expect(again.tenantId).not.toBe(church.tenantId);
  });
});

const second = process.env.SECOND_TEST_DATABASE_URL;

describe('placing churches on several database servers', () => {
  let reg: TestRegistry;
  const urlEnv = `STEEPLE_TEST_PLACEMENT_${randomBytes(4).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    if (!second) throw new Error('SECOND_TEST_DATABASE_URL is not set: run the suite with `npm test`');
    reg = await createTestRegistry();
    process.env[urlEnv] = withDatabase(second, 'postgres');
  });
  afterAll(async () => {
    await reg?.cleanup();
    if (second && reg) await dropRegistry(reg.name, second);
    delete process.env[urlEnv];
  });

  it('places each new church on the accepting server with the most room, and serves churches on both', async () => {
    const { server, templateVersion } = await addServer(reg.services, { name: 'second', urlEnv, capacity: 50 });
    expect(templateVersion).toBe(latestTenantVersion());
    await reg.admin`update db_servers set capacity = 10 where name = 'default'`;

    // default has room 10, second 50: the second server takes it.
    const onSecond = await provisionChurch(reg.services);
    const placed = async (c: Church) =>
      (
        await reg.admin`
          select s.name from tenants t join db_servers s on s.id = t.db_server_id where t.id = ${c.tenantId}`
      )[0]!.name;
    expect(await placed(onSecond)).toBe('second');

    // Draining the second server sends the next church to the default one.
    await setAccepting(reg.services.registry, 'second', false);
    const onDefault = await provisionChurch(reg.services);
    expect(await placed(onDefault)).toBe('default');
    await setAccepting(reg.services.registry, 'second', true);

    // The operator may pin new churches to a server by name.
    const pinned = reg.servicesWith({ PLACEMENT_SERVER: 'default' });
    expect(await placed(await provisionChurch(pinned))).toBe('default');

    // Both are served, each from its own server.
    for (const c of [onSecond, onDefault]) {
      const owner = await signIn(reg.services, c.email, c.password);
      await owner.caller.members.create({ firstName: 'Ruth', lastName: 'Moab', phone: '+13125550199' });
      expect((await owner.caller.members.list({})).items.map((m) => m.firstName)).toEqual(['Ruth']);
    }
    const secondAdmin = postgres(process.env[urlEnv]!, { max: 1, onnotice: () => {} });
    try {
      const [row] = await reg.admin`select db_name from tenants where id = ${onSecond.tenantId}`;
      expect(await secondAdmin`select 1 from pg_database where datname = ${row!.db_name}`).toHaveLength(1);
    } finally {
      await secondAdmin.end();
    }
    expect((await listServers(reg.services.registry)).map((s) => [s.name, s.churches])).toEqual([
      ['default', 2],
      ['second', 1],
    ]);
    expect(server.name).toBe('second');
  });
});
