import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { members, messages } from '@/db/tenant/schema';
import { moveChurch } from '@/server/fleet/move';
import { resumeChurch, suspendChurch } from '@/server/fleet/lifecycle';
import { health } from '@/server/health';
import { maintain } from '@/server/jobs/maintenance';
import { startWorker } from '@/server/jobs/worker';
import { drain } from '@/server/messaging/inbound-delivery';
import { sendOne, NOT_SUBSCRIBED } from '@/server/messaging/sender';
import { DRAIN_TASK } from '@/server/messaging/inbound-queue';
import { ensureServerReady } from '@/server/tenancy/setup';
import { anyStatus } from '@/server/tenancy/availability';
import { hostPortOf } from '@/server/tenancy/urls';
import { provisionChurch, type Church } from './support/accounts';
import { createTestRegistry, until, type TestRegistry } from './support/harness';
import { FakeProvider, queuedJobs } from './support/messaging';
import { routeNumberTo, personNumber, postSigned, received } from './support/webhooks';

const second = process.env.SECOND_TEST_DATABASE_URL;

/**
 * Inbound texts are kept in the registry the moment their signature checks out and answered 200; a church that cannot
 * take them now (being moved, upgraded, down) gets them later from its drain job: each once, in order per sender.
 */
describe('inbound texts survive any church outage', () => {
  let reg: TestRegistry;
  const fake = new FakeProvider();
  let people = 700;
  const nextPerson = () => personNumber(++people);

  // Read as the test sees fit whatever the church's status (the users' gate would refuse a suspended one).
  const threadOf = (tenantId: string, phone: string) =>
    reg.services.connections.withTenant(
      tenantId,
      (db) =>
        db
          .select({
            body: messages.body,
            direction: messages.direction,
            kind: messages.kind,
            providerMessageId: messages.providerMessageId,
            createdAt: messages.createdAt,
          })
          .from(messages)
          .innerJoin(members, eq(members.phone, messages.fromNumber))
          .where(eq(members.phone, phone))
          .orderBy(messages.createdAt, messages.id),
      anyStatus,
    );
  const memberOf = (tenantId: string, phone: string) =>
    reg.services.connections.withTenant(
      tenantId,
      async (db) => (await db.select().from(members).where(eq(members.phone, phone)))[0],
      anyStatus,
    );
  const pending = async () => (await reg.services.messaging.inbound.stats()).pending;

  beforeAll(async () => {
    reg = await createTestRegistry({}, { provider: fake });
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  describe.skipIf(!second)('a suspended church, then a moved one', { timeout: 180_000 }, () => {
    let church: Church;
    let number: string;
    let dir: string;
    let secondAdmin: postgres.Sql;
    const urlEnv = `STEEPLE_TEST_INBOUND_${randomBytes(4).toString('hex').toUpperCase()}`;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'steeple-inbound-'));
      process.env[urlEnv] = second!;
      secondAdmin = postgres(second!, { max: 2, onnotice: () => {} });
      await ensureServerReady(secondAdmin, second!, reg.services.naming);
      church = await provisionChurch(reg.services, { churchName: 'Wandering Chapel' });
      number = await routeNumberTo(reg.services, church.tenantId);
      // Not accepting new churches: only this one is moved there, every other stays on the test server.
      const { host, port } = hostPortOf(second!);
      await reg.admin`
        insert into db_servers (name, host, port, admin_url_env, accepting)
        values ('second', ${host}, ${port}, ${urlEnv}, false)`;
    });
    afterAll(async () => {
      const prefix = reg.services.naming.prefix;
      for (const {
        datname,
      } of await secondAdmin`select datname from pg_database where datname like ${prefix + '\\_%'}`) {
        await secondAdmin.unsafe(`alter database "${datname}" is_template false`);
        await secondAdmin.unsafe(`drop database if exists "${datname}" with (force)`);
      }
      for (const { rolname } of await secondAdmin`select rolname from pg_roles where rolname like ${prefix + '\\_%'}`)
        await secondAdmin.unsafe(`drop role if exists "${rolname}"`);
      await secondAdmin?.end({ timeout: 5 });
      await rm(dir, { recursive: true, force: true });
      delete process.env[urlEnv];
    }, 180_000); // each DROP DATABASE waits for a checkpoint, slow when the other server is busy (CI runs both)

    it('receives each text (STOP too) once, in order: at once if suspended, after the move if moving', async () => {
      const person = nextPerson();
      const send = async (text: string) => {
        const m = received(person, number, text);
        const res = await postSigned(reg.services, m.body);
        const again = await postSigned(reg.services, m.body); // Telnyx delivering the same event twice
        return {
          id: m.id,
          text,
          status: res.status,
          outcome: ((await res.json()) as { outcome: string }).outcome,
          again: again.status,
        };
      };

      // Suspended (maintenance): its users see a maintenance page, but texts still go straight into its database.
      await suspendChurch(reg.services, church.tenantId);
      const whileSuspended = [await send('hello'), await send('START'), await send('STOP')];
      expect(whileSuspended.map((s) => [s.status, s.outcome, s.again])).toEqual(Array(3).fill([200, 'stored', 200]));
      expect(await memberOf(church.tenantId, person)).toMatchObject({ subscription: 'unsubscribed' });
      await resumeChurch(reg.services, church.tenantId);

      // Moving: its database is locked and copied. Texts are answered 200 at once and wait in the registry.
      let release!: () => void;
      const paused = new Promise<void>((r) => (release = r));
      let reached!: () => void;
      const atRestore = new Promise<void>((r) => (reached = r));
      const move = moveChurch(reg.services, church.tenantId, 'second', {
        faults: async (point) => {
          if (point !== 'after:restore') return;
          reached();
          await paused;
        },
      });
      await atRestore;
      expect((await reg.admin`select status from tenants where id = ${church.tenantId}`)[0]).toEqual({
        status: 'moving',
      });
      const whileMoving = [
        await send('one'),
        await send('START'),
        await send('two'),
        await send('STOP'),
        await send('three'),
      ];
      expect(whileMoving.map((s) => [s.status, s.outcome, s.again])).toEqual(Array(5).fill([200, 'queued', 200]));
      expect(await pending()).toBe(5);
      expect(await reg.services.messaging.inbound.optOutPending(church.tenantId, person)).toBe(true);
      const report = await health(reg.services);
      expect(report.inbound).toMatchObject({ pending: 5, oldestPendingSeconds: expect.any(Number) });

      // The move finishes; the worker's drain delivers what waited, in order, to the church's new home.
      const worker = await startWorker(reg.services);
      try {
        release();
        expect(await move).toMatchObject({ from: 'default', to: 'second' });
        await until(async () => (await pending()) === 0, { timeoutMs: 30_000, everyMs: 100 });
      } finally {
        await worker.stop();
      }
      const thread = (await threadOf(church.tenantId, person)).filter((m) => m.direction === 'inbound');
      expect(thread.map((m) => m.body)).toEqual(['hello', 'START', 'STOP', 'one', 'START', 'two', 'STOP', 'three']);
      expect(new Set(thread.map((m) => m.providerMessageId)).size).toBe(8);
      // Their consent followed their words, in the order they sent them; the last was STOP.
      const member = (await memberOf(church.tenantId, person))!;
      expect(member.subscription).toBe('unsubscribed');
      const log = await reg.services.connections.withTenant(
        church.tenantId,
        (db) =>
          db.$client<{ state: string; provider_message_id: string }[]>`
            select state, provider_message_id from consent_events
             where member_id = ${member.id} order by created_at, id`,
      );
      const idOf = (list: typeof whileMoving, i: number) => list[i]!.id;
      expect(log).toEqual([
        { state: 'subscribed', provider_message_id: idOf(whileSuspended, 1) },
        { state: 'unsubscribed', provider_message_id: idOf(whileSuspended, 2) },
        { state: 'subscribed', provider_message_id: idOf(whileMoving, 1) },
        { state: 'unsubscribed', provider_message_id: idOf(whileMoving, 3) },
      ]);
      // Delivered events leave the registry, words and all.
      expect(await reg.admin`select 1 from inbound_events where tenant_id = ${church.tenantId}`).toHaveLength(0);
      expect(await reg.services.messaging.inbound.optOutPending(church.tenantId, person)).toBe(false);
    });
  });

  describe('an active church', () => {
    let church: Church;
    let number: string;
    beforeAll(async () => {
      church = await provisionChurch(reg.services, { churchName: 'Steady Chapel' });
      number = await routeNumberTo(reg.services, church.tenantId);
    });

    it('a send never overtakes a STOP still waiting in the registry', async () => {
      const person = nextPerson();
      await postSigned(reg.services, received(person, number, 'START').body);
      const member = (await memberOf(church.tenantId, person))!;
      expect(member.subscription).toBe('subscribed');
      // The STOP is kept but not yet in the church's database (its delivery has not happened yet).
      const stopId = `msg-${randomUUID()}`;
      await reg.services.messaging.inbound.record({
        tenantId: church.tenantId,
        kind: 'received',
        key: `received:${stopId}`,
        sender: person,
        optOut: true,
        payload: { providerMessageId: stopId, from: person, to: number, text: 'STOP' },
      });
      const messageId = await reg.services.connections.withTenant(church.tenantId, async (db) => {
        const [c] = await db.$client<{ id: string }[]>`select id from conversations where member_id = ${member.id}`;
        const [m] = await db.$client<{ id: string }[]>`
          insert into messages (conversation_id, direction, kind, body, segments, status, to_number)
          values (${c!.id}, 'outbound', 'conversation', 'Lunch?', 1, 'queued', ${person})
          returning id`;
        return m!.id;
      });
      const before = fake.to(person).length;
      const outcome = await reg.services.connections.withTenant(church.tenantId, (db) =>
        sendOne(reg.services.messaging, db, church.tenantId, messageId, { finalAttempt: false }),
      );
      expect(outcome).toBe('failed');
      expect(fake.to(person).length).toBe(before);
      const [row] = await reg.services.connections.withTenant(church.tenantId, (db) =>
        db.select({ status: messages.status, error: messages.error }).from(messages).where(eq(messages.id, messageId)),
      );
      expect(row).toEqual({ status: 'failed', error: NOT_SUBSCRIBED });
      // Delivered, the STOP takes effect as usual.
      expect(await drain(reg.services, church.tenantId)).toBeNull();
      expect(await memberOf(church.tenantId, person)).toMatchObject({ subscription: 'unsubscribed' });
    });

    it('a text from someone whose older text still waits is not delivered ahead of it', async () => {
      const person = nextPerson();
      const first = `msg-${randomUUID()}`;
      await reg.services.messaging.inbound.record({
        tenantId: church.tenantId,
        kind: 'received',
        key: `received:${first}`,
        sender: person,
        optOut: false,
        payload: { providerMessageId: first, from: person, to: number, text: 'first' },
      });
      const second = received(person, number, 'second');
      const res = await postSigned(reg.services, second.body);
      expect(await res.json()).toEqual({ outcome: 'queued' }); // waits its turn
      expect(await threadOf(church.tenantId, person)).toEqual([]);
      expect(await drain(reg.services, church.tenantId)).toBeNull();
      expect((await threadOf(church.tenantId, person)).map((m) => m.body)).toEqual(['first', 'second']);
    });

    it('an event failing for its own reason is set aside (kept) after 20 failures; later texts arrive', async () => {
      const person = nextPerson();
      const bad = `msg-${randomUUID()}`;
      // A payload no church database can store (no sender): not an outage, so it is retried, then set aside.
      const { event } = await reg.services.messaging.inbound.record({
        tenantId: church.tenantId,
        kind: 'received',
        key: `received:${bad}`,
        sender: person,
        optOut: false,
        payload: { providerMessageId: bad, to: number, text: 'broken' } as never,
      });
      const good = received(person, number, 'after the broken one');
      expect(await (await postSigned(reg.services, good.body)).json()).toEqual({ outcome: 'queued' });
      expect(await drain(reg.services, church.tenantId)).toBeGreaterThan(0); // retried later
      expect((await reg.admin`select attempts, failures from inbound_events where id = ${event.id}`)[0]).toEqual({
        attempts: 1,
        failures: 1,
      });
      // Many tries while its church was unreachable do not count towards setting it aside; its own failures do.
      await reg.admin`update inbound_events set attempts = 500, failures = 19 where id = ${event.id}`;
      expect(await drain(reg.services, church.tenantId)).toBeNull();
      // Set aside, with its words, for an operator to look at.
      const [kept] = await reg.admin`
        select outcome, payload is not null as words, delivered_at is not null as done
          from inbound_events where id = ${event.id}`;
      expect(kept).toEqual({ outcome: 'failed', words: true, done: true });
      expect((await threadOf(church.tenantId, person)).map((m) => m.body)).toEqual(['after the broken one']);
      // The health details and metrics count it for an operator; it is not "pending".
      expect(await reg.services.messaging.inbound.stats()).toMatchObject({ setAside: 1 });
    });

    it('maintenance requeues a lost drain, deletes old failed events and expired limiter rows', async () => {
      const person = nextPerson();
      const id = `msg-${randomUUID()}`;
      const { event } = await reg.services.messaging.inbound.record({
        tenantId: church.tenantId,
        kind: 'received',
        key: `received:${id}`,
        sender: person,
        optOut: false,
        payload: { providerMessageId: id, from: person, to: number, text: 'lost job' },
      });
      await reg.admin`delete from graphile_worker._private_jobs where key = ${'inbound:' + church.tenantId}`;
      await reg.admin`update inbound_events set received_at = now() - interval '2 minutes' where id = ${event.id}`;
      await reg.admin`
        insert into inbound_events (tenant_id, kind, event_key, delivered_at, outcome)
        values (${church.tenantId}, 'received', ${'received:old-' + id}, now() - interval '31 days', 'failed')`;
      await reg.admin`
        insert into rate_limits (key, points, expire)
        values (${'signin_ip:old-' + id}, 3, ${Date.now() - 1000}),
               (${'signin_ip:live-' + id}, 3, ${Date.now() + 600_000})`;

      await maintain(reg.services);
      expect(
        (await queuedJobs(reg.admin, DRAIN_TASK)).filter((j) => j.key === `inbound:${church.tenantId}`),
      ).toHaveLength(1);
      expect(await reg.admin`select 1 from inbound_events where event_key = ${'received:old-' + id}`).toHaveLength(0);
      expect(
        (await reg.admin`select key from rate_limits where key like ${'signin_ip:%-' + id}`).map((r) => r.key),
      ).toEqual([`signin_ip:live-${id}`]);
      expect(await drain(reg.services, church.tenantId)).toBeNull();
    });
  });
});
