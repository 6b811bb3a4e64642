import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { broadcasts, conversations, members, messages, type Message } from '@/db/tenant/schema';
import { startWorker } from '@/server/jobs/worker';
import { enqueueSend, SEND_TASK } from '@/server/messaging/jobs';
import { PermanentSendError, TransientSendError } from '@/server/messaging/provider';
import { NOT_SUBSCRIBED, sendOne } from '@/server/messaging/sender';
import { createTelnyx } from '@/server/messaging/telnyx';
import type { Services } from '@/server/services';
import { caller, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { sleep, until } from './support/harness';
import {
  readyNumber,
  createMessagingRegistry,
  FakeProvider,
  FakeTelnyx,
  telnyxEnv,
  insertMembers,
  messageRow,
  nextPhone,
  queuedJobs,
  queueOutbound,
  setSubscription,
  type MessagingRegistry,
} from './support/messaging';

describe('texting: sending', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();
  let church: Church;
  let owner: SignedInClient;
  let churchNumber: string;

  const withDb = <T>(fn: (db: TenantDb) => Promise<T>, tenantId = church.tenantId, services: Services = reg.services) =>
    services.connections.withTenant(tenantId, fn);

  const queueDirect = (
    memberId: string,
    body: string,
    kind: Message['kind'] = 'conversation',
    tenantId = church.tenantId,
  ) => queueOutbound(reg.services, tenantId, memberId, body, kind);

  const send = (
    messageId: string,
    opts = { finalAttempt: false },
    services: Services = reg.services,
    tenantId = church.tenantId,
  ) => withDb((db) => sendOne(services.messaging, db, tenantId, messageId, opts), tenantId, services);

  async function withWorker<T>(fn: () => Promise<T>, services: Services = reg.services): Promise<T> {
    const worker = await startWorker(services);
    try {
      return await fn();
    } finally {
      await worker.stop();
    }
  }

  const statusOf = async (id: string) => (await messageRow(reg.services, church.tenantId, id)).status;
  const settled = (id: string) =>
    until(async () =>
      (await statusOf(id)) !== 'queued' && (await statusOf(id)) !== 'sending'
        ? messageRow(reg.services, church.tenantId, id)
        : null,
    );

  beforeAll(async () => {
    reg = await createMessagingRegistry({}, fake);
    church = await provisionChurch(reg.services, { churchName: 'Sending Chapel' });
    owner = await signIn(reg.services, church.email, church.password);
    churchNumber = await readyNumber(reg.services, owner);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('messages.send stores the message queued; the worker sends it exactly once, even when queued twice', async () => {
    const [ada] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Ada' }]);
    const sent = await owner.caller.messages.send({ memberId: ada!.id, body: '  See you Sunday!  ' });
    expect(sent).toMatchObject({
      status: 'queued',
      direction: 'outbound',
      kind: 'conversation',
      body: 'See you Sunday!',
      segments: 1,
      sentBy: church.adminId,
      conversationId: expect.any(String),
    });
    expect(await statusOf(sent.id)).toBe('queued');
    expect(fake.to(ada!.phone)).toHaveLength(0); // nothing leaves before the queue runs it

    // Queueing the same message again (a retried request, a replayed webhook) yields one job.
    await enqueueSend(reg.services.registry, church.tenantId, sent.id);
    await enqueueSend(reg.services.registry, church.tenantId, sent.id);
    expect((await queuedJobs(reg.admin, SEND_TASK)).filter((j) => j.key?.endsWith(`:${sent.id}`))).toHaveLength(1);

    await withWorker(async () => {
      const row = await settled(sent.id);
      expect(row).toMatchObject({
        status: 'sent',
        fromNumber: churchNumber,
        toNumber: ada!.phone,
        error: null,
        providerMessageId: expect.stringMatching(/^fake-/),
      });
      // Queued once more after it was sent: the job runs, and the message row says there is nothing to do.
      await enqueueSend(reg.services.registry, church.tenantId, sent.id);
      await until(async () => (await queuedJobs(reg.admin, SEND_TASK)).length === 0);
    });
    expect(fake.to(ada!.phone)).toEqual([
      { from: churchNumber, to: ada!.phone, text: 'See you Sunday!', mediaUrls: [], at: expect.any(Number) },
    ]);

    const thread = await owner.caller.conversations.get({ id: sent.conversationId });
    expect(thread.member).toMatchObject({ id: ada!.id, phone: ada!.phone });
    // Shown as the (American) church reads it: national format, the same digits.
    expect(thread.member.phoneDisplay).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
    expect(thread.member.phoneDisplay.replace(/\D/g, '')).toBe(ada!.phone.slice(2));
    expect(thread.messages.map((m) => [m.body, m.status])).toEqual([['See you Sunday!', 'sent']]);
  });

  it('merge fields are filled in per member when sent; unknown ones are named; segments counted after', async () => {
    const north = await owner.caller.branches.create({ name: 'North Campus' });
    const zoe = await owner.caller.members.create({
      firstName: 'Zoë',
      lastName: 'Ng',
      phone: nextPhone(),
      branchId: north.id,
    });
    const body = `Hi {first_name|friend} {LAST_NAME}, see you at {branch_name} ({church_name}). ${'x'.repeat(100)}`;
    const sent = await owner.caller.messages.send({ memberId: zoe.id, body });
    expect(sent.body).toBe(`Hi Zoë Ng, see you at North Campus (Sending Chapel). ${'x'.repeat(100)}`);
    // "ë" is not GSM-7: the merged text is UCS-2, 153 characters in three parts of 67 (as typed, two GSM-7 parts).
    expect(sent.segments).toBe(3);
    expect((await owner.caller.conversations.get({ id: sent.conversationId })).conversation.lastMessagePreview).toBe(
      sent.body.slice(0, 140),
    );

    // Someone who texted in first has no name yet: the fallback, not "New contact".
    const [stranger] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'New contact', lastName: '' }]);
    const hello = await owner.caller.messages.send({ memberId: stranger!.id, body: 'Welcome, {first_name|friend}!' });
    expect(hello.body).toBe('Welcome, friend!');
    const empty = await errorOf(owner.caller.messages.send({ memberId: stranger!.id, body: '{first_name}' }));
    expect(empty.code).toBe('BAD_REQUEST');
    expect(empty.message).toBe('For New contact the merge fields leave nothing: add a fallback.');

    const unknown = await errorOf(owner.caller.messages.send({ memberId: zoe.id, body: 'Hi {nickname}' }));
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(unknown.message).toContain('Unknown merge field {nickname}');
  });

  it('two sendOne calls racing for one message: one sends, the provider is called once', async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Racer' }]);
    fake.delayMs = 150;
    try {
      for (let round = 0; round < 3; round++) {
        const msg = await queueDirect(m!.id, `race ${round}`);
        const outcomes = await Promise.all([send(msg.id), send(msg.id), send(msg.id)]);
        expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
        expect(await statusOf(msg.id)).toBe('sent');
      }
    } finally {
      fake.delayMs = 0;
    }
    expect(fake.to(m!.phone).map((c) => c.text)).toEqual(['race 0', 'race 1', 'race 2']);
  });

  it('an unsubscribed member is refused by messages.send, and by the sender if unsubscribed once queued', async () => {
    const [gone, later] = await insertMembers(reg.services, church.tenantId, [
      { firstName: 'Gone', subscription: 'unsubscribed' },
      { firstName: 'Later' },
    ]);
    const refused = await errorOf(owner.caller.messages.send({ memberId: gone!.id, body: 'Hello?' }));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(refused.message).toContain('Gone has unsubscribed');
    expect(await withDb((db) => db.select().from(conversations).where(eq(conversations.memberId, gone!.id)))).toEqual(
      [],
    );

    const queued = await owner.caller.messages.send({ memberId: later!.id, body: 'Choir practice moved to 7pm' });
    // A STOP arrives before the queue runs.
    await setSubscription(reg.services, church.tenantId, later!.id, 'unsubscribed');
    await withWorker(async () => {
      const row = await settled(queued.id);
      expect(row).toMatchObject({ status: 'failed', error: NOT_SUBSCRIBED, providerMessageId: null });
    });
    expect(fake.attempts.filter((a) => a.to === later!.phone)).toHaveLength(0);
    // The admin sees why on the thread.
    const thread = await owner.caller.conversations.get({ id: queued.conversationId });
    expect(thread.messages.at(-1)).toMatchObject({ status: 'failed', error: NOT_SUBSCRIBED });
  });

  it('automatic replies (kind auto) do reach unsubscribed members', async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [
      { firstName: 'Stopper', subscription: 'unsubscribed' },
    ]);
    const auto = await queueDirect(m!.id, 'You are unsubscribed. Reply START to resubscribe.', 'auto');
    const convo = await queueDirect(m!.id, 'A normal message', 'conversation');
    expect(await send(auto.id)).toBe('sent');
    expect(await send(convo.id)).toBe('failed');
    expect(fake.to(m!.phone).map((c) => c.text)).toEqual(['You are unsubscribed. Reply START to resubscribe.']);
    expect((await messageRow(reg.services, church.tenantId, convo.id)).error).toBe(NOT_SUBSCRIBED);
  });

  it('no sending number: messages.send is PRECONDITION_FAILED; an already queued message fails with why', async () => {
    const bare = await provisionChurch(reg.services, { churchName: 'Numberless Chapel' });
    const bareOwner = await signIn(reg.services, bare.email, bare.password);
    const [m] = await insertMembers(reg.services, bare.tenantId, [{ firstName: 'Nobody' }]);
    const err = await errorOf(bareOwner.caller.messages.send({ memberId: m!.id, body: 'Hi' }));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(await withDb((db) => db.select().from(messages), bare.tenantId)).toEqual([]);

    const msg = await queueDirect(m!.id, 'Hi', 'conversation', bare.tenantId);
    expect(await send(msg.id, { finalAttempt: false }, reg.services, bare.tenantId)).toBe('failed');
    const row = await messageRow(reg.services, bare.tenantId, msg.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/no sending number/);
    expect(fake.attempts.filter((a) => a.to === m!.phone)).toHaveLength(0);

    expect((await errorOf(bareOwner.caller.messages.send({ memberId: crypto.randomUUID(), body: 'Hi' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('the per-church rate limit spaces sends out: 6 messages at 2 per second take at least ~2 seconds', async () => {
    const slowFake = new FakeProvider();
    const slow = reg.servicesWith({ SENDS_PER_SECOND_PER_CHURCH: '2' }, slowFake);
    const c = await provisionChurch(reg.services, { churchName: 'Rate Chapel' });
    const o = await signIn(reg.services, c.email, c.password);
    await readyNumber(reg.services, o);
    const people = await insertMembers(
      reg.services,
      c.tenantId,
      Array.from({ length: 6 }, (_, i) => ({ firstName: `Rate${i}` })),
    );
    const queued = [];
    for (const p of people) queued.push(await o.caller.messages.send({ memberId: p.id, body: `Hello ${p.firstName}` }));

    const started = Date.now();
    await withWorker(async () => {
      await until(async () => slowFake.calls.length === 6, { timeoutMs: 20_000 });
    }, slow);
    const elapsed = Date.now() - started;
    const span = slowFake.calls.at(-1)!.at - slowFake.calls[0]!.at;
    expect(elapsed).toBeGreaterThanOrEqual(1_800);
    expect(span).toBeGreaterThanOrEqual(1_800); // three one-second windows of two
    expect(new Set(slowFake.calls.map((x) => x.to)).size).toBe(6);
    for (const q of queued) expect((await messageRow(reg.services, c.tenantId, q.id)).status).toBe('sent');
  });

  it('a transient provider failure puts the message back in the queue; the job retries, it is sent once', async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Flaky' }]);
    fake.failFor(m!.phone, 'transient');
    const queued = await owner.caller.messages.send({ memberId: m!.id, body: 'Retry me' });
    await withWorker(async () => {
      // After the first attempt: the job waits with its error, the message is queued again (not failed, not sending).
      const [job] = await until(async () => {
        const jobs = (await queuedJobs(reg.admin, SEND_TASK)).filter(
          (j) => j.key?.endsWith(`:${queued.id}`) && j.attempts === 1 && j.last_error,
        );
        return jobs.length ? jobs : null;
      });
      expect(job!.last_error).toContain('temporarily unavailable');
      expect(await statusOf(queued.id)).toBe('queued');
      const row = await settled(queued.id);
      expect(row.status).toBe('sent');
    });
    expect(fake.attempts.filter((a) => a.to === m!.phone)).toHaveLength(2);
    expect(fake.to(m!.phone)).toHaveLength(1);
  });

  it('a transient failure on the last attempt fails the message instead of leaving it queued', async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Unlucky' }]);
    fake.failFor(m!.phone, 'transient');
    const msg = await queueDirect(m!.id, 'Last chance');
    expect(await send(msg.id, { finalAttempt: true })).toBe('failed');
    const row = await messageRow(reg.services, church.tenantId, msg.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/^Not sent: /);
  });

  it('a permanent provider failure marks the message failed with the reason, and it is not retried', async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Landline' }]);
    fake.failFor(m!.phone, 'permanent');
    const queued = await owner.caller.messages.send({ memberId: m!.id, body: 'Can you read this?' });
    await withWorker(async () => {
      const row = await settled(queued.id);
      expect(row.status).toBe('failed');
      expect(row.error).toBe('Not sent: fake provider: the destination number is not reachable');
      await until(
        async () =>
          (await queuedJobs(reg.admin, SEND_TASK)).filter((j) => j.key?.endsWith(`:${queued.id}`)).length === 0,
      );
    });
    expect(fake.attempts.filter((a) => a.to === m!.phone)).toHaveLength(1);
    const thread = await owner.caller.conversations.get({ id: queued.conversationId });
    expect(thread.messages.at(-1)).toMatchObject({
      status: 'failed',
      error: 'Not sent: fake provider: the destination number is not reachable',
    });
  });

  it("a message in 'sending' over 10 minutes is marked failed, never resent; a recent one is left alone", async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Stuck' }]);
    const old = await queueDirect(m!.id, 'Interrupted long ago');
    const recent = await queueDirect(m!.id, 'Interrupted just now');
    await withDb((db) =>
      db
        .update(messages)
        .set({ status: 'sending', statusAt: sql`now() - interval '11 minutes'` })
        .where(eq(messages.id, old.id)),
    );
    await withDb((db) =>
      db
        .update(messages)
        .set({ status: 'sending', statusAt: sql`now() - interval '1 minute'` })
        .where(eq(messages.id, recent.id)),
    );

    expect(await send(old.id)).not.toBe('sent');
    const row = await messageRow(reg.services, church.tenantId, old.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/interrupted/i);

    expect(await send(recent.id)).toBe('in_flight'); // not resent: the queue looks again later
    expect(await statusOf(recent.id)).toBe('sending');

    // Through the queue as well: nothing goes out for either.
    await enqueueSend(reg.services.registry, church.tenantId, old.id);
    await withWorker(() =>
      until(
        async () => (await queuedJobs(reg.admin, SEND_TASK)).filter((j) => j.key?.endsWith(`:${old.id}`)).length === 0,
      ),
    );
    expect(await statusOf(old.id)).toBe('failed');
    expect(fake.attempts.filter((a) => a.to === m!.phone)).toHaveLength(0);
  });

  it('a send job for a message in flight elsewhere is retried later; the message never stays in sending', async () => {
    const [m] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Inflight' }]);
    const msg = await queueDirect(m!.id, 'In flight');
    await withDb((db) =>
      db
        .update(messages)
        .set({ status: 'sending', statusAt: sql`now() - interval '30 seconds'` })
        .where(eq(messages.id, msg.id)),
    );
    await enqueueSend(reg.services.registry, church.tenantId, msg.id);
    await withWorker(async () => {
      // The job does not complete while the message's fate is unknown: it is handed back to the queue to look again.
      const [job] = await until(async () => {
        const jobs = (await queuedJobs(reg.admin, SEND_TASK)).filter(
          (j) => j.key?.endsWith(`:${msg.id}`) && j.attempts >= 1 && !j.locked_at,
        );
        return jobs.length ? jobs : null;
      });
      expect(job!.last_error).toBeTruthy();
      // Once the stuck threshold passes, the next attempt fails it (never resends).
      await withDb((db) =>
        db
          .update(messages)
          .set({ statusAt: sql`now() - interval '11 minutes'` })
          .where(eq(messages.id, msg.id)),
      );
      await reg.admin`update graphile_worker._private_jobs set run_at = now() where key like ${'send:%:' + msg.id}`;
      const row = await settled(msg.id);
      expect(row.status).toBe('failed');
    });
    expect(fake.attempts.filter((a) => a.to === m!.phone)).toHaveLength(0);
  });

  describe('inbox', () => {
    let inbox: Church;
    let admin: SignedInClient;
    let number: string;

    beforeAll(async () => {
      inbox = await provisionChurch(reg.services, { churchName: 'Inbox Chapel' });
      admin = await signIn(reg.services, inbox.email, inbox.password);
      number = await readyNumber(reg.services, admin);
    });

    it('conversations.list: unread threads first, newest first within each; pages with a working cursor', async () => {
      const people = await insertMembers(
        reg.services,
        inbox.tenantId,
        Array.from({ length: 7 }, (_, i) => ({ firstName: `Inbox${i}` })),
      );
      // [minutes ago, unread]; two threads share a timestamp to exercise the id tie-break.
      const shape: [number, number][] = [
        [50, 0],
        [40, 2],
        [30, 0],
        [20, 1],
        [20, 0],
        [10, 0],
        [5, 3],
      ];
      const ids = await withDb(async (db) => {
        const out: string[] = [];
        const base = await db.execute<{ now: string }>(sql`select now()::text as now`);
        for (const [i, [ago, unread]] of shape.entries()) {
          const [c] = await db
            .insert(conversations)
            .values({
              memberId: people[i]!.id,
              unreadCount: unread,
              lastMessageAt: sql`${base[0]!.now}::timestamptz - make_interval(mins => ${ago})`,
              lastMessagePreview: `preview ${i}`,
            })
            .returning({ id: conversations.id });
          out.push(c!.id);
        }
        // A conversation with no message yet is not listed.
        await db.insert(members).values({ firstName: 'Silent', phone: '+12025550199' });
        return out;
      }, inbox.tenantId);
      await withDb(async (db) => {
        const [silent] = await db.select({ id: members.id }).from(members).where(eq(members.phone, '+12025550199'));
        await db.insert(conversations).values({ memberId: silent!.id });
      }, inbox.tenantId);

      const expected = [
        ids[6], // unread, 5 min
        ids[3], // unread, 20 min
        ids[1], // unread, 40 min
        ids[5], // read, 10 min
        ids[4], // read, 20 min
        ids[2], // read, 30 min
        ids[0], // read, 50 min
      ];
      const full = await admin.caller.conversations.list({ limit: 100 });
      expect(full.items.map((i) => i.id)).toEqual(expected);
      expect(full.nextCursor).toBeNull();
      expect(full.unreadThreads).toBe(3);
      for (const item of full.items) expect(item.phoneDisplay.replace(/\D/g, '')).toBe(item.phone.slice(2));
      expect(full.items[0]).toMatchObject({
        firstName: 'Inbox6',
        unreadCount: 3,
        lastMessagePreview: 'preview 6',
        subscription: 'subscribed',
      });

      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 20; pages++) {
          const page: Awaited<ReturnType<typeof admin.caller.conversations.list>> =
            await admin.caller.conversations.list({ limit, cursor });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        expect(seen, `limit ${limit}`).toEqual(expected);
      }

      const unread = await admin.caller.conversations.list({ unreadOnly: true, limit: 2 });
      const rest = await admin.caller.conversations.list({ unreadOnly: true, limit: 2, cursor: unread.nextCursor });
      expect([...unread.items, ...rest.items].map((i) => i.id)).toEqual([ids[6], ids[3], ids[1]]);
      expect(rest.nextCursor).toBeNull();
      // The count is the whole inbox's on every page, an empty one included (nothing is assigned to anyone yet).
      expect([unread.unreadThreads, rest.unreadThreads]).toEqual([3, 3]);
      const beforeAll = Buffer.from(JSON.stringify([false, '2000-01-01T00:00:00.000000Z', ids[0]])).toString(
        'base64url',
      );
      expect(await admin.caller.conversations.list({ cursor: beforeAll })).toEqual({
        items: [],
        nextCursor: null,
        unreadThreads: 3,
      });
      expect(await admin.caller.conversations.list({ assigned: 'mine' })).toEqual({
        items: [],
        nextCursor: null,
        unreadThreads: 3,
      });
      expect(Object.keys(full.items[0]!).sort()).toEqual(
        [
          'id',
          'memberId',
          'firstName',
          'lastName',
          'phone',
          'phoneDisplay',
          'subscription',
          'unreadCount',
          'lastMessageAt',
          'lastMessagePreview',
          'assignedAdminId',
          'closedAt',
        ].sort(),
      );

      // A tampered cursor is a 400, whatever is inside it, never a 500 from the database.
      const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
      for (const cursor of [
        'not-a-cursor',
        forged({}),
        forged([]),
        forged(['x', 'y', 'z']),
        forged([true, 'yesterday', ids[0]]),
        forged([true, '2026-02-30T10:00:00.000000Z', ids[0]]),
        forged([true, '2026-01-01T10:00:00.000000Z', 'not-a-uuid']),
      ]) {
        expect((await errorOf(admin.caller.conversations.list({ cursor }))).code, cursor).toBe('BAD_REQUEST');
      }

      // markRead resets the count and the thread drops below every unread one.
      expect(await admin.caller.conversations.markRead({ id: ids[6]! })).toEqual({ ok: true });
      const after = await admin.caller.conversations.list({ limit: 100 });
      expect(after.unreadThreads).toBe(2);
      expect(after.items.find((i) => i.id === ids[6])!.unreadCount).toBe(0);
      expect(after.items.map((i) => i.id)).toEqual([ids[3], ids[1], ids[6], ids[5], ids[4], ids[2], ids[0]]);
      expect((await errorOf(admin.caller.conversations.markRead({ id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');

      // Assigning a thread to an admin: "assigned to me" lists only theirs; someone not on the team is refused.
      const me = admin.session.adminId;
      expect(await admin.caller.conversations.assign({ id: ids[2]!, adminId: me })).toEqual({ ok: true });
      const mine = await admin.caller.conversations.list({ assigned: 'mine' });
      expect(mine.items.map((i) => [i.id, i.assignedAdminId])).toEqual([[ids[2], me]]);
      expect(
        (await errorOf(admin.caller.conversations.assign({ id: ids[2]!, adminId: crypto.randomUUID() }))).code,
      ).toBe('BAD_REQUEST');
      await admin.caller.conversations.assign({ id: ids[2]!, adminId: null });
      expect((await admin.caller.conversations.list({ assigned: 'mine' })).items).toEqual([]);
    });

    it('conversations.get returns the thread oldest first and pages back with olderCursor', async () => {
      const [m] = await insertMembers(reg.services, inbox.tenantId, [{ firstName: 'Threaded', lastName: 'Person' }]);
      const conversationId = await withDb(async (db) => {
        const [c] = await db
          .insert(conversations)
          .values({ memberId: m!.id, lastMessageAt: sql`now()` })
          .returning({ id: conversations.id });
        for (let i = 0; i < 5; i++) {
          await db.insert(messages).values({
            conversationId: c!.id,
            direction: i % 2 ? 'inbound' : 'outbound',
            body: `message ${i}`,
            segments: 1,
            status: i % 2 ? 'received' : 'sent',
            createdAt: sql`now() - make_interval(secs => ${60 - i})`,
          });
        }
        return c!.id;
      }, inbox.tenantId);

      const all = await admin.caller.conversations.get({ id: conversationId });
      expect(all.member).toEqual({
        id: m!.id,
        firstName: 'Threaded',
        lastName: 'Person',
        branchName: null,
        phone: m!.phone,
        phoneDisplay: `(${m!.phone.slice(2, 5)}) ${m!.phone.slice(5, 8)}-${m!.phone.slice(8)}`,
        subscription: 'subscribed',
        subscriptionSource: 'admin',
      });
      expect(all.messages.map((x) => x.body)).toEqual([
        'message 0',
        'message 1',
        'message 2',
        'message 3',
        'message 4',
      ]);
      expect(all.olderCursor).toBeNull();

      const latest = await admin.caller.conversations.get({ id: conversationId, limit: 2 });
      expect(latest.messages.map((x) => x.body)).toEqual(['message 3', 'message 4']);
      const older = await admin.caller.conversations.get({ id: conversationId, limit: 2, before: latest.olderCursor });
      expect(older.messages.map((x) => x.body)).toEqual(['message 1', 'message 2']);
      const oldest = await admin.caller.conversations.get({ id: conversationId, limit: 2, before: older.olderCursor });
      expect(oldest.messages.map((x) => x.body)).toEqual(['message 0']);
      expect(oldest.olderCursor).toBeNull();

      expect((await errorOf(admin.caller.conversations.get({ id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
      const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
      for (const before of [
        forged([1, 2]),
        forged(['2026-01-01 10:00:00+00', crypto.randomUUID()]),
        forged(['2026-01-01T10:00:00.000000Z', 'x']),
      ]) {
        expect((await errorOf(admin.caller.conversations.get({ id: conversationId, before }))).code, before).toBe(
          'BAD_REQUEST',
        );
      }
    });

    it('simulateReply stores an inbound text via the webhook; STOP unsubscribes and still gets its reply', async () => {
      const [m] = await insertMembers(reg.services, inbox.tenantId, [{ firstName: 'Replier' }]);
      const out = await admin.caller.messages.send({ memberId: m!.id, body: 'Are you coming on Sunday?' });
      await withWorker(() =>
        until(async () => (await messageRow(reg.services, inbox.tenantId, out.id)).status === 'sent'),
      );
      expect(
        await admin.caller.messages.simulateReply({ conversationId: out.conversationId, body: 'Yes, see you there' }),
      ).toEqual({ ok: true });

      const thread = await admin.caller.conversations.get({ id: out.conversationId });
      const inbound = thread.messages.filter((x) => x.direction === 'inbound');
      expect(inbound).toEqual([
        expect.objectContaining({
          body: 'Yes, see you there',
          status: 'received',
          fromNumber: m!.phone,
          toNumber: number,
        }),
      ]);
      expect(thread.conversation).toMatchObject({
        unreadCount: 1,
        lastMessagePreview: 'Yes, see you there',
        churchNumber: number,
      });
      const listed = await admin.caller.conversations.list({ limit: 100 });
      expect(listed.items.find((i) => i.id === out.conversationId)).toMatchObject({ unreadCount: 1 });
      await admin.caller.conversations.markRead({ id: out.conversationId });
      expect((await admin.caller.conversations.get({ id: out.conversationId })).conversation.unreadCount).toBe(0);

      // STOP: the member is unsubscribed and gets exactly one confirmation, although they are now unsubscribed.
      await admin.caller.messages.simulateReply({ conversationId: out.conversationId, body: 'stop' });
      const [after] = await withDb((db) => db.select().from(members).where(eq(members.id, m!.id)), inbox.tenantId);
      expect(after!.subscription).toBe('unsubscribed');
      await withWorker(async () => {
        await until(async () => {
          const rows = await withDb(
            (db) =>
              db
                .select()
                .from(messages)
                .where(and(eq(messages.conversationId, out.conversationId), eq(messages.kind, 'auto'))),
            inbox.tenantId,
          );
          return rows.length === 1 && rows[0]!.status === 'sent';
        });
      });
      expect(fake.to(m!.phone).map((c) => c.text)).toEqual([
        'Are you coming on Sunday?',
        expect.stringContaining('unsubscribed'),
      ]);
      expect(fake.to(m!.phone)[1]!.from).toBe(number);
      expect((await errorOf(admin.caller.messages.send({ memberId: m!.id, body: 'Still there?' }))).code).toBe(
        'PRECONDITION_FAILED',
      );
      expect(
        (await errorOf(admin.caller.messages.simulateReply({ conversationId: crypto.randomUUID(), body: 'x' }))).code,
      ).toBe('NOT_FOUND');
    });
  });

  it('dashboard.summary: members, unread threads, scheduled broadcasts and 30 days of messages to today', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Dashboard Chapel' });
    const o = await signIn(reg.services, c.email, c.password);
    const people = await insertMembers(reg.services, c.tenantId, [{}, {}, {}, { subscription: 'unsubscribed' }]);
    await withDb(async (db) => {
      const [c1] = await db
        .insert(conversations)
        .values({ memberId: people[0]!.id, unreadCount: 2, lastMessageAt: sql`now()` })
        .returning();
      const [c2] = await db
        .insert(conversations)
        .values({ memberId: people[1]!.id, unreadCount: 0, lastMessageAt: sql`now()` })
        .returning();
      const out = (conversationId: string, status: 'sent' | 'delivered' | 'failed' | 'queued', ago = '0 days') =>
        db.insert(messages).values({
          conversationId,
          direction: 'outbound',
          body: 'x',
          segments: 1,
          status,
          createdAt: sql`now() - ${ago}::interval`,
        });
      const inn = (conversationId: string, ago = '0 days') =>
        db.insert(messages).values({
          conversationId,
          direction: 'inbound',
          body: 'y',
          segments: 1,
          status: 'received',
          createdAt: sql`now() - ${ago}::interval`,
        });
      await out(c1!.id, 'sent');
      await out(c1!.id, 'delivered');
      await out(c2!.id, 'failed');
      await out(c2!.id, 'queued');
      await inn(c1!.id);
      await inn(c1!.id);
      await inn(c2!.id);
      await out(c2!.id, 'sent', '3 days');
      await out(c2!.id, 'sent', '40 days'); // outside the window
      await inn(c2!.id, '45 days');
      await db
        .insert(broadcasts)
        .values({ body: 'later', audience: 'all', scheduledAt: sql`now() + interval '1 day'`, createdBy: c.adminId });
      await db.insert(broadcasts).values({
        body: 'done',
        audience: 'all',
        scheduledAt: sql`now() - interval '1 day'`,
        state: 'sent',
        createdBy: c.adminId,
      });
    }, c.tenantId);

    const s = await o.caller.dashboard.summary();
    expect(s).toMatchObject({
      members: 4,
      subscribed: 3,
      newThisMonth: 4,
      unreadThreads: 1,
      scheduledBroadcasts: 1,
      sent30d: 3,
      received30d: 3,
    });
    expect(s.days).toHaveLength(30);
    const today = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
    // Messages written just now are today's (this would fail only if the test ran across midnight in London).
    expect(s.days.at(-1)).toEqual({ day: today, sent: 2, received: 3, failed: 1 });
    const total = s.days.reduce((n, d) => n + d.sent + d.received + d.failed, 0);
    expect(total).toBe(3 + 3 + 1);
    const days = s.days.map((d) => d.day);
    expect(new Set(days).size).toBe(30);
    expect([...days].sort()).toEqual(days);
    // The only other busy day holds the message from 3 days ago (which calendar day can shift at a clock change).
    const busy = s.days.filter((d) => d.sent + d.received + d.failed > 0);
    expect(busy.map(({ sent, received, failed }) => ({ sent, received, failed }))).toEqual([
      { sent: 1, received: 0, failed: 0 },
      { sent: 2, received: 3, failed: 1 },
    ]);
    // Consecutive calendar days.
    for (let i = 1; i < days.length; i++) expect(Date.parse(days[i]!) - Date.parse(days[i - 1]!)).toBe(86_400_000);
  });
});

describe('texting: the Telnyx client against a local HTTP server', () => {
  let reg: MessagingRegistry;
  let telnyx: FakeTelnyx;
  let services: Services;
  let church: Church;
  let owner: SignedInClient;
  let number: string;
  const API_KEY = 'KEY0123456789abcdef_test';

  beforeAll(async () => {
    telnyx = await FakeTelnyx.start();
    reg = await createMessagingRegistry();
    services = reg.servicesWith(telnyxEnv(telnyx, API_KEY, { TELNYX_API_URL: `${telnyx.url}/telnyx-proxy` }));
    expect(services.messaging.provider.name).toBe('telnyx');
    church = await provisionChurch(services, { churchName: 'Telnyx Chapel' });
    owner = await signIn(services, church.email, church.password);
    telnyx.numbers.forSale.set('+12025550150', { city: 'WASHINGTON', state: 'DC', monthly: '1.00' });
    telnyx.registration.campaignStatusOnSubmit = 'MNO_PROVISIONED'; // carriers approve at once here
    number = await readyNumber(services, owner);
  });
  afterAll(async () => {
    await reg?.cleanup();
    await telnyx?.close();
  });

  const row = (id: string) => messageRow(services, church.tenantId, id);
  const settledRow = (id: string) =>
    until(async () => {
      const r = await row(id);
      return r.status !== 'queued' && r.status !== 'sending' ? r : null;
    });

  it('sends with the API key as a bearer token and the number, text and messaging profile as JSON', async () => {
    const [m] = await insertMembers(services, church.tenantId, [{ firstName: 'Tess' }]);
    const queued = await owner.caller.messages.send({ memberId: m!.id, body: 'Welcome to Telnyx Chapel €5' });
    const worker = await startWorker(services);
    try {
      const r = await settledRow(queued.id);
      expect(r).toMatchObject({
        status: 'sent',
        providerMessageId: expect.stringMatching(/^telnyx-\d+$/),
        fromNumber: number,
        toNumber: m!.phone,
      });
    } finally {
      await worker.stop();
    }
    const [req] = telnyx.to(m!.phone);
    expect(telnyx.to(m!.phone)).toHaveLength(1);
    // {TELNYX_API_URL}/v2/messages, path kept.
    expect(req).toMatchObject({ method: 'POST', url: '/telnyx-proxy/v2/messages' });
    expect(req!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.body).toEqual({
      from: number,
      to: m!.phone,
      text: 'Welcome to Telnyx Chapel €5',
      messaging_profile_id: 'profile-123',
    });
  });

  it('429 and 5xx are transient: the message goes back to the queue and the job is retried until sent', async () => {
    const [a, b] = await insertMembers(services, church.tenantId, [{ firstName: 'Limited' }, { firstName: 'Outage' }]);
    telnyx.script.set(a!.phone, [{ status: 429, body: { errors: [{ code: '10011', title: 'Too many requests' }] } }]);
    telnyx.script.set(b!.phone, [{ status: 503 }]); // no body at all
    const qa = await owner.caller.messages.send({ memberId: a!.id, body: 'Rate limited once' });
    const qb = await owner.caller.messages.send({ memberId: b!.id, body: 'Outage once' });
    const worker = await startWorker(services);
    try {
      for (const q of [qa, qb]) {
        await until(async () =>
          (await queuedJobs(reg.admin, SEND_TASK)).some(
            (j) => j.key?.endsWith(`:${q.id}`) && j.attempts === 1 && j.last_error,
          ),
        );
        expect((await row(q.id)).status).toBe('queued');
      }
      const jobs = await queuedJobs(reg.admin, SEND_TASK);
      expect(jobs.find((j) => j.key?.endsWith(`:${qa.id}`))!.last_error).toContain('429');
      expect(jobs.find((j) => j.key?.endsWith(`:${qb.id}`))!.last_error).toContain('503');
      expect((await settledRow(qa.id)).status).toBe('sent');
      expect((await settledRow(qb.id)).status).toBe('sent');
    } finally {
      await worker.stop();
    }
    expect(telnyx.to(a!.phone)).toHaveLength(2);
    expect(telnyx.to(b!.phone)).toHaveLength(2);
  });

  it("other 4xx answers are permanent: the message fails with Telnyx's error detail and is not retried", async () => {
    const [a, b] = await insertMembers(services, church.tenantId, [{ firstName: 'Invalid' }, { firstName: 'Blank' }]);
    telnyx.script.set(a!.phone, [
      {
        status: 422,
        body: {
          errors: [
            {
              code: '40310',
              title: 'Invalid destination number',
              detail: 'The destination number is not a valid mobile number.',
            },
          ],
        },
      },
    ]);
    telnyx.script.set(b!.phone, [{ status: 400 }]);
    const qa = await owner.caller.messages.send({ memberId: a!.id, body: 'Hello' });
    const qb = await owner.caller.messages.send({ memberId: b!.id, body: 'Hello' });
    const worker = await startWorker(services);
    try {
      const ra = await settledRow(qa.id);
      expect(ra.status).toBe('failed');
      expect(ra.error).toContain('The destination number is not a valid mobile number.');
      const rb = await settledRow(qb.id);
      expect(rb.status).toBe('failed');
      expect(rb.error).toContain('400');
      await until(
        async () =>
          !(await queuedJobs(reg.admin, SEND_TASK)).some(
            (j) => j.key?.endsWith(`:${qa.id}`) || j.key?.endsWith(`:${qb.id}`),
          ),
      );
    } finally {
      await worker.stop();
    }
    expect(telnyx.to(a!.phone)).toHaveLength(1);
    expect(telnyx.to(b!.phone)).toHaveLength(1);
    // The admin-facing thread carries the same reason.
    const thread = await owner.caller.conversations.get({ id: qa.conversationId });
    expect(thread.messages.at(-1)!.error).toContain('not a valid mobile number');
  });

  it('an accepted message is never resent: a 2xx with no id is sent; an unanswered one fails unretried', async () => {
    const [a, b, c] = await insertMembers(services, church.tenantId, [
      { firstName: 'NoId' },
      { firstName: 'Silent' },
      { firstName: 'Dropped' },
    ]);
    telnyx.script.set(a!.phone, [{ status: 200, raw: 'accepted' }]);
    const qa = await owner.caller.messages.send({ memberId: a!.id, body: 'Accepted without an id' });
    const worker = await startWorker(services);
    try {
      expect(await settledRow(qa.id)).toMatchObject({ status: 'sent', providerMessageId: null, error: null });
      await until(async () => !(await queuedJobs(reg.admin, SEND_TASK)).some((j) => j.key?.endsWith(`:${qa.id}`)));
    } finally {
      await worker.stop();
    }
    expect(telnyx.to(a!.phone)).toHaveLength(1);

    // The client on its own, with a short deadline: no answer, or the connection lost mid-request, may have sent it.
    const client = createTelnyx({ apiKey: API_KEY, baseUrl: telnyx.url, timeoutMs: 300 });
    telnyx.script.set(b!.phone, [{ status: 0, hang: true }]);
    telnyx.script.set(c!.phone, [{ status: 0, destroy: true }]);
    for (const to of [b!.phone, c!.phone]) {
      const err = await errorOf(client.send({ from: number, to, text: 'x' }));
      expect(PermanentSendError.is(err), to).toBe(true);
      expect(err.message).toContain('may or may not have been sent');
    }
    // Nothing listening: it never left, so it is worth retrying.
    const closed = await FakeTelnyx.start();
    const closedUrl = closed.url;
    await closed.close();
    const refused = await errorOf(
      createTelnyx({ apiKey: API_KEY, baseUrl: closedUrl }).send({ from: number, to: c!.phone, text: 'x' }),
    );
    expect(TransientSendError.is(refused)).toBe(true);
  });

  it('simulateReply is refused when a real Telnyx account is configured', async () => {
    const [m] = await insertMembers(services, church.tenantId, [{ firstName: 'Sim' }]);
    const q = await owner.caller.messages.send({ memberId: m!.id, body: 'hi' });
    expect(
      (
        await errorOf(
          caller(services, owner.session).messages.simulateReply({ conversationId: q.conversationId, body: 'hello' }),
        )
      ).code,
    ).toBe('PRECONDITION_FAILED');
    await sleep(0);
  });
});
