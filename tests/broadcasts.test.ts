import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branches, broadcasts, members, type Member } from '@/db/tenant/schema';
import { countSegments } from '@/server/messaging/segments';
import { startWorker } from '@/server/jobs/worker';
import { runBroadcast } from '@/server/messaging/broadcaster';
import { BROADCAST_TASK, enqueueBroadcast } from '@/server/messaging/jobs';
import { addTeammate, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import {
  readyNumber,
  broadcastMessages,
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  queuedJobs,
  setSubscription,
  type MessagingRegistry,
} from './support/messaging';

/**
 * Each test gets a church of its own (its own members and sending number), so audiences never overlap and the
 * fake provider's calls can be told apart by the recipients' numbers.
 */
describe('broadcasts', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();

  type Workspace = {
    church: Church;
    owner: SignedInClient;
    number: string;
    branchA: string;
    branchB: string;
    people: Record<string, Member>;
  };

  /**
   * Branch A: a1, a2, a3 subscribed, aX unsubscribed. Branch B: b1, b2 subscribed.
   * No branch: n1 subscribed, nX unsubscribed.
   * Tag "choir": a1, b1, n1 (subscribed) and aX (unsubscribed). Tag "youth": b2.
   */
  async function workspace(name: string): Promise<Workspace> {
    const church = await provisionChurch(reg.services, { churchName: name });
    const owner = await signIn(reg.services, church.email, church.password);
    const number = await readyNumber(reg.services, owner);
    const [a, b] = await reg.services.connections.withTenant(church.tenantId, (db) =>
      db
        .insert(branches)
        .values([
          { name: 'North', timezone: 'Europe/London' },
          { name: 'South', timezone: 'Europe/London' },
        ])
        .returning({ id: branches.id }),
    );
    const spec: [string, string | null, string[], 'subscribed' | 'unsubscribed'][] = [
      ['a1', a!.id, ['choir'], 'subscribed'],
      ['a2', a!.id, [], 'subscribed'],
      ['a3', a!.id, ['youth-leaders'], 'subscribed'],
      ['aX', a!.id, ['choir'], 'unsubscribed'],
      ['b1', b!.id, ['choir'], 'subscribed'],
      ['b2', b!.id, ['youth'], 'subscribed'],
      ['n1', null, ['choir'], 'subscribed'],
      ['nX', null, [], 'unsubscribed'],
    ];
    const rows = await insertMembers(
      reg.services,
      church.tenantId,
      spec.map(([firstName, branchId, tags, subscription]) => ({ firstName, branchId, tags, subscription })),
    );
    return {
      church,
      owner,
      number,
      branchA: a!.id,
      branchB: b!.id,
      people: Object.fromEntries(rows.map((r) => [r.firstName, r])),
    };
  }

  /** Who the fake provider texted in this workspace, by first name, with how many texts each. */
  function textedIn(w: Workspace, text?: string) {
    const byPhone = new Map(Object.values(w.people).map((p) => [p.phone, p.firstName]));
    const counts: Record<string, number> = {};
    for (const c of fake.calls) {
      const who = byPhone.get(c.to);
      if (!who || (text !== undefined && c.text !== text)) continue;
      counts[who] = (counts[who] ?? 0) + 1;
    }
    return counts;
  }

  async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
    const worker = await startWorker(reg.services);
    try {
      return await fn();
    } finally {
      await worker.stop();
    }
  }

  const stateOf = async (w: Workspace, id: string) => (await w.owner.caller.broadcasts.get({ id })).state;
  const finished = (w: Workspace, id: string, timeoutMs = 15_000) =>
    until(
      async () => {
        const b = await w.owner.caller.broadcasts.get({ id });
        return b.state !== 'scheduled' && b.state !== 'sending' ? b : null;
      },
      { timeoutMs },
    );

  beforeAll(async () => {
    reg = await createMessagingRegistry({ SENDS_PER_SECOND_PER_CHURCH: '50' }, fake);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('preview: recipients and skipped (unsubscribed) for everyone, a branch, a tag; segments and cost', async () => {
    const w = await workspace('Preview Chapel');
    const preview = (audience: Parameters<typeof w.owner.caller.broadcasts.preview>[0]['audience'], body = 'Hello') =>
      w.owner.caller.broadcasts.preview({ audience, body });

    expect(await preview({ type: 'all' })).toMatchObject({ recipients: 6, skipped: 2, segments: 1, encoding: 'GSM-7' });
    expect(await preview({ type: 'branch', branchId: w.branchA })).toMatchObject({ recipients: 3, skipped: 1 });
    expect(await preview({ type: 'branch', branchId: w.branchB })).toMatchObject({ recipients: 2, skipped: 0 });
    expect(await preview({ type: 'tag', tag: 'choir' })).toMatchObject({ recipients: 3, skipped: 1 });
    // Not "youth-leaders".
    expect(await preview({ type: 'tag', tag: 'youth' })).toMatchObject({ recipients: 1, skipped: 0 });
    expect(await preview({ type: 'tag', tag: 'nobody' })).toMatchObject({ recipients: 0, skipped: 0 });
    expect(await preview({ type: 'branch', branchId: crypto.randomUUID() })).toMatchObject({
      recipients: 0,
      skipped: 0,
    });

    // Cost: recipients × segments × the configured price (0.004 by default).
    const long = await preview({ type: 'all' }, 'x'.repeat(200));
    expect(long).toMatchObject({ recipients: 6, segments: 2, estimatedCost: Math.round(6 * 2 * 0.004 * 100) / 100 });
    const unicode = await preview({ type: 'all' }, '🙏'.repeat(40));
    expect(unicode).toMatchObject({ encoding: 'UCS-2', segments: 2 });

    // An unsubscribe moves a member from recipients to skipped.
    await setSubscription(reg.services, w.church.tenantId, w.people.a2!.id, 'unsubscribed');
    expect(await preview({ type: 'branch', branchId: w.branchA })).toMatchObject({ recipients: 2, skipped: 2 });

    // Staff may preview (it changes nothing), and validation is a BAD_REQUEST.
    const staffLogin = await addTeammate(
      reg.services,
      w.owner.caller,
      `preview-staff-${process.pid}@example.org`,
      'staff',
    );
    const staff = await signIn(reg.services, staffLogin.email, staffLogin.password);
    expect(await staff.caller.broadcasts.preview({ audience: { type: 'all' }, body: '' })).toMatchObject({
      recipients: 5,
      skipped: 3,
      segments: 0,
    });
    expect(
      (
        await errorOf(
          w.owner.caller.broadcasts.preview({ audience: { type: 'branch', branchId: 'nope' } as never, body: 'x' }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
  });

  it('sent now: each subscribed member of the audience is texted once; counts and state are right', async () => {
    const w = await workspace('Send Now Chapel');
    const body = 'North campus: doors open at 9:30 this Sunday';
    const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'branch', branchId: w.branchA } });
    expect(created).toMatchObject({
      state: 'scheduled',
      audience: 'branch',
      branchId: w.branchA,
      body,
      createdBy: w.church.adminId,
    });

    const done = await withWorker(() => finished(w, created.id));
    expect(done).toMatchObject({
      state: 'sent',
      recipients: 3,
      skipped: 1,
      sent: 3,
      failed: 0,
      pending: 0,
      branchName: 'North',
    });
    expect(done.startedAt).toBeInstanceOf(Date);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(textedIn(w, body)).toEqual({ a1: 1, a2: 1, a3: 1 });
    for (const c of fake.calls.filter((x) => x.text === body)) expect(c.from).toBe(w.number);

    const rows = await broadcastMessages(reg.services, w.church.tenantId, created.id);
    expect(rows).toHaveLength(3);
    for (const r of rows)
      expect(r).toMatchObject({
        kind: 'broadcast',
        direction: 'outbound',
        status: 'sent',
        segments: 1,
        fromNumber: w.number,
        sentBy: null,
      });

    // The list shows it, newest first, with the same counts.
    const list = await w.owner.caller.broadcasts.list({});
    expect(list.items[0]).toMatchObject({
      id: created.id,
      state: 'sent',
      recipients: 3,
      skipped: 1,
      sent: 3,
      branchName: 'North',
    });

    // Everyone and a tag, too.
    const all = await w.owner.caller.broadcasts.create({
      body: 'Everyone: picnic on Saturday',
      audience: { type: 'all' },
    });
    const choir = await w.owner.caller.broadcasts.create({
      body: 'Choir: extra rehearsal',
      audience: { type: 'tag', tag: 'choir' },
    });
    await withWorker(async () => {
      expect(await finished(w, all.id)).toMatchObject({ state: 'sent', recipients: 6, skipped: 2, sent: 6 });
      expect(await finished(w, choir.id)).toMatchObject({ state: 'sent', recipients: 3, skipped: 1, sent: 3 });
    });
    expect(textedIn(w, 'Everyone: picnic on Saturday')).toEqual({ a1: 1, a2: 1, a3: 1, b1: 1, b2: 1, n1: 1 });
    expect(textedIn(w, 'Choir: extra rehearsal')).toEqual({ a1: 1, b1: 1, n1: 1 });
    expect(textedIn(w).aX).toBeUndefined();
    expect(textedIn(w).nX).toBeUndefined();

    const page1 = await w.owner.caller.broadcasts.list({ limit: 2 });
    const page2 = await w.owner.caller.broadcasts.list({ limit: 2, cursor: page1.nextCursor });
    expect([...page1.items, ...page2.items].map((b) => b.id)).toEqual([choir.id, all.id, created.id]);
    expect(page2.nextCursor).toBeNull();
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const cursor of [
      '%%%',
      forged([]),
      forged([null, null]),
      forged(['last week', all.id]),
      forged(['2026-01-01T10:00:00.000000Z', 42]),
    ]) {
      expect((await errorOf(w.owner.caller.broadcasts.list({ cursor }))).code, cursor).toBe('BAD_REQUEST');
    }
  });

  it('merge fields: previewed for a real recipient, counted by the longest text, filled in per recipient', async () => {
    const w = await workspace('Merge Chapel');
    // a1 is "Zoë" (ë is not GSM-7: her text is UCS-2); b2 texted in first and has no name yet.
    const rename = (id: string, firstName: string, lastName: string) =>
      reg.services.connections.withTenant(w.church.tenantId, (db) =>
        db.update(members).set({ firstName, lastName }).where(eq(members.id, id)),
      );
    await rename(w.people.a1!.id, 'Zoë', 'Ng');
    await rename(w.people.b2!.id, 'New contact', '');
    const body = `Hi {first_name|friend}, from {church_name} at {branch_name|our church}. ${'x'.repeat(90)}`;
    const gsmOnly = countSegments(
      body.replace('{first_name|friend}', 'a2').replace('{branch_name|our church}', 'North'),
    );
    expect(gsmOnly).toMatchObject({ encoding: 'GSM-7', segments: 1 });

    const preview = await w.owner.caller.broadcasts.preview({ audience: { type: 'all' }, body });
    const zoe = `Hi Zoë, from Merge Chapel at North. ${'x'.repeat(90)}`;
    expect(preview).toMatchObject({ recipients: 6, skipped: 2, encoding: 'UCS-2', segments: 2 });
    expect(preview.longest).toMatchObject({ name: 'Zoë Ng', text: zoe, encoding: 'UCS-2', segments: 2 });
    expect(preview.estimatedCost).toBe(Math.round(6 * 2 * 0.004 * 100) / 100);
    const [first] = preview.example!.name.split(' ');
    expect(first).not.toBe('New'); // someone with a name, not the fallback
    expect(preview.example!.text).toContain(`Hi ${first}, from Merge Chapel`);
    expect(preview.empty).toEqual({ count: 0, name: null });
    // Without Zoë in the audience the same text is one GSM-7 segment.
    const south = await w.owner.caller.broadcasts.preview({ audience: { type: 'branch', branchId: w.branchB }, body });
    expect(south).toMatchObject({ recipients: 2, encoding: 'GSM-7', segments: 1 });

    // An unknown field is named; a field that leaves someone's text empty asks for a fallback.
    const unknown = await errorOf(w.owner.caller.broadcasts.create({ body: 'Hi {nick}', audience: { type: 'all' } }));
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(unknown.message).toContain('Unknown merge field {nick}');
    const empty = await errorOf(w.owner.caller.broadcasts.create({ body: '{first_name}', audience: { type: 'all' } }));
    expect(empty.code).toBe('BAD_REQUEST');
    expect(empty.message).toBe(
      'For New contact the merge fields leave nothing: add a fallback, like {first_name|friend}.',
    );

    const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'all' } });
    expect(created.body).toBe(body); // the broadcast keeps what was written; each message what its recipient got
    expect(await withWorker(() => finished(w, created.id))).toMatchObject({ state: 'sent', recipients: 6, sent: 6 });
    const textOf = (who: string) => fake.calls.find((c) => c.to === w.people[who]!.phone)?.text;
    expect(textOf('a1')).toBe(zoe);
    expect(textOf('b2')).toBe(`Hi friend, from Merge Chapel at South. ${'x'.repeat(90)}`);
    expect(textOf('n1')).toBe(`Hi n1, from Merge Chapel at our church. ${'x'.repeat(90)}`);
    expect(textOf('aX')).toBeUndefined();
    const rows = await broadcastMessages(reg.services, w.church.tenantId, created.id);
    expect(rows.map((r) => r.segments).sort()).toEqual([1, 1, 1, 1, 1, 2]);
    expect(rows.find((r) => r.toNumber === w.people.a1!.phone)!.body).toBe(zoe);
  });

  it('scheduled a few seconds ahead: nothing is sent before its time, everything after', async () => {
    const w = await workspace('Scheduled Chapel');
    const body = 'Reminder: prayer meeting tonight';
    const at = new Date(Date.now() + 4_000);
    const created = await w.owner.caller.broadcasts.create({
      body,
      audience: { type: 'branch', branchId: w.branchB },
      scheduledAt: at,
    });
    expect(created.scheduledAt.getTime()).toBe(at.getTime());
    const [job] = (await queuedJobs(reg.admin, BROADCAST_TASK)).filter((j) => j.key?.endsWith(`:${created.id}`));
    expect(job!.run_at.getTime()).toBe(at.getTime());
    expect((await w.owner.caller.dashboard.summary()).scheduledBroadcasts).toBe(1);

    // Every look that finished before its time must find it untouched; then it must be sent.
    let looksBefore = 0;
    const done = await withWorker(() =>
      until(
        async () => {
          const b = await w.owner.caller.broadcasts.get({ id: created.id });
          if (Date.now() < at.getTime()) {
            looksBefore++;
            expect(b.state).toBe('scheduled');
            expect(textedIn(w, body)).toEqual({});
          }
          return b.state !== 'scheduled' && b.state !== 'sending' ? b : null;
        },
        { everyMs: 100 },
      ),
    );
    expect(looksBefore).toBeGreaterThan(0);
    expect(done).toMatchObject({ state: 'sent', recipients: 2, skipped: 0, sent: 2 });
    expect(done.startedAt!.getTime()).toBeGreaterThanOrEqual(at.getTime() - 50);
    expect(textedIn(w, body)).toEqual({ b1: 1, b2: 1 });
    for (const c of fake.calls.filter((x) => x.text === body)) expect(c.at).toBeGreaterThanOrEqual(at.getTime() - 50);
  });

  it('a cancelled scheduled broadcast sends nothing; only scheduled or sending ones can be cancelled', async () => {
    const w = await workspace('Cancel Chapel');
    const body = 'This should never arrive';
    const at = new Date(Date.now() + 1_500);
    const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'all' }, scheduledAt: at });
    const canceled = await w.owner.caller.broadcasts.cancel({ id: created.id });
    expect(canceled).toMatchObject({ id: created.id, state: 'canceled' });

    await withWorker(async () => {
      await until(
        async () =>
          Date.now() > at.getTime() + 500 &&
          (await queuedJobs(reg.admin, BROADCAST_TASK)).every((j) => !j.key?.endsWith(`:${created.id}`)),
      );
    });
    expect(textedIn(w, body)).toEqual({});
    expect(await w.owner.caller.broadcasts.get({ id: created.id })).toMatchObject({
      state: 'canceled',
      sent: 0,
      pending: 0,
    });
    expect(await broadcastMessages(reg.services, w.church.tenantId, created.id)).toEqual([]);

    expect((await errorOf(w.owner.caller.broadcasts.cancel({ id: created.id }))).code).toBe('BAD_REQUEST');
    expect((await errorOf(w.owner.caller.broadcasts.cancel({ id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
    expect((await errorOf(w.owner.caller.broadcasts.get({ id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
  });

  it('cancelling while it is sending stops it between two sends; what was sent stays sent', async () => {
    const w = await workspace('Stop Midway Chapel');
    const extra = await insertMembers(
      reg.services,
      w.church.tenantId,
      Array.from({ length: 14 }, (_, i) => ({ firstName: `x${i}` })),
    );
    for (const p of extra) w.people[p.firstName] = p;
    const body = 'Long broadcast, cancelled midway';
    fake.delayMs = 100;
    try {
      const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'all' } });
      await withWorker(async () => {
        await until(async () => Object.keys(textedIn(w, body)).length >= 2);
        await w.owner.caller.broadcasts.cancel({ id: created.id });
        const sentAtCancel = Object.keys(textedIn(w, body)).length;
        // The job ending is the signal: a run that ignored the cancel would only end after texting all 20.
        await until(async () =>
          (await queuedJobs(reg.admin, BROADCAST_TASK)).every((j) => !j.key?.endsWith(`:${created.id}`)),
        );
        // At most the one in flight.
        expect(Object.keys(textedIn(w, body)).length).toBeLessThanOrEqual(sentAtCancel + 1);
      });
      const b = await w.owner.caller.broadcasts.get({ id: created.id });
      expect(b.state).toBe('canceled');
      expect(b.recipients).toBe(20);
      expect(b.sent).toBe(Object.keys(textedIn(w, body)).length);
      expect(b.sent).toBeLessThan(20);
      expect(b.pending).toBe(0); // the unsent ones were dropped, not left queued
      expect(Object.values(textedIn(w, body)).every((n) => n === 1)).toBe(true);
    } finally {
      fake.delayMs = 0;
    }
  });

  it('the broadcast job run twice, or concurrently, texts each member once', async () => {
    const w = await workspace('Twice Chapel');
    const body = 'Only once, please, {first_name}'; // each recipient's own text: the path that merges per person
    const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'all' } });
    fake.delayMs = 30;
    try {
      // Three runs at once (as if the job were duplicated), then the queued job itself, then once more.
      const runs = await Promise.allSettled(
        [0, 1, 2].map(() =>
          reg.services.connections.withTenant(w.church.tenantId, (db) =>
            runBroadcast(reg.services.messaging, db, w.church.tenantId, created.id, {
              finalAttempt: false,
              churchName: 'Twice Chapel',
              timezone: 'UTC',
            }),
          ),
        ),
      );
      expect(runs.some((r) => r.status === 'fulfilled')).toBe(true);
      await withWorker(async () => {
        await until(async () =>
          (await queuedJobs(reg.admin, BROADCAST_TASK)).every((j) => !j.key?.endsWith(`:${created.id}`)),
        );
        await enqueueBroadcast(reg.services.registry, w.church.tenantId, created.id, new Date());
        await until(async () =>
          (await queuedJobs(reg.admin, BROADCAST_TASK)).every((j) => !j.key?.endsWith(`:${created.id}`)),
        );
      });
    } finally {
      fake.delayMs = 0;
    }
    expect(textedIn(w)).toEqual({ a1: 1, a2: 1, a3: 1, b1: 1, b2: 1, n1: 1 });
    for (const p of Object.values(w.people).filter((m) => m.subscription === 'subscribed'))
      expect(fake.calls.find((c) => c.to === p.phone)?.text).toBe(`Only once, please, ${p.firstName}`);
    expect(await w.owner.caller.broadcasts.get({ id: created.id })).toMatchObject({
      state: 'sent',
      recipients: 6,
      skipped: 2,
      sent: 6,
      pending: 0,
    });
    expect(await broadcastMessages(reg.services, w.church.tenantId, created.id)).toHaveLength(6);
  });

  it('a transient provider failure pauses, then resumes, all texted once; a permanent one fails one text', async () => {
    const w = await workspace('Flaky Provider Chapel');
    const body = 'Survives a provider hiccup';
    fake.failFor(w.people.b1!.phone, 'transient');
    fake.failFor(w.people.b2!.phone, 'permanent');
    const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'all' } });
    const done = await withWorker(async () => {
      // After the transient failure the job waits for its retry with b1's message queued again, not failed.
      await until(async () =>
        (await queuedJobs(reg.admin, BROADCAST_TASK)).some(
          (j) => j.key?.endsWith(`:${created.id}`) && j.attempts === 1 && j.last_error,
        ),
      );
      const b1 = (await broadcastMessages(reg.services, w.church.tenantId, created.id)).find(
        (m) => m.toNumber === w.people.b1!.phone,
      );
      expect(b1!.status).toBe('queued');
      return finished(w, created.id);
    });
    expect(done).toMatchObject({ state: 'sent', recipients: 6, skipped: 2, sent: 5, failed: 1, pending: 0 });
    expect(textedIn(w, body)).toEqual({ a1: 1, a2: 1, a3: 1, b1: 1, n1: 1 });
    const failed = (await broadcastMessages(reg.services, w.church.tenantId, created.id)).find(
      (m) => m.status === 'failed',
    );
    expect(failed).toMatchObject({
      toNumber: w.people.b2!.phone,
      error: 'Not sent: fake provider: the destination number is not reachable',
    });
  });

  it('a member who unsubscribes after the recipients are fixed is not texted', async () => {
    const w = await workspace('Late Stop Chapel');
    const body = 'Late stop check';
    const created = await w.owner.caller.broadcasts.create({ body, audience: { type: 'branch', branchId: w.branchB } });
    fake.delayMs = 300;
    try {
      await withWorker(async () => {
        await until(async () => (await broadcastMessages(reg.services, w.church.tenantId, created.id)).length === 2);
        const first = await until(async () =>
          (await broadcastMessages(reg.services, w.church.tenantId, created.id)).find((m) => m.status === 'sending'),
        );
        const other = Object.values(w.people).find((p) => p.branchId === w.branchB && p.phone !== first.toNumber)!;
        await setSubscription(reg.services, w.church.tenantId, other.id, 'unsubscribed');
        await finished(w, created.id);
      });
    } finally {
      fake.delayMs = 0;
    }
    expect(Object.values(textedIn(w, body))).toEqual([1]);
    expect(await w.owner.caller.broadcasts.get({ id: created.id })).toMatchObject({
      state: 'sent',
      recipients: 2,
      sent: 1,
      failed: 1,
    });
  });

  it("staff cannot create or cancel; another church's branch, a past time or no sending number: refused", async () => {
    const w = await workspace('Rules Chapel');
    const other = await workspace('Other Chapel');
    const staffLogin = await addTeammate(reg.services, w.owner.caller, `bc-staff-${process.pid}@example.org`, 'staff');
    const staff = await signIn(reg.services, staffLogin.email, staffLogin.password);
    const adminLogin = await addTeammate(reg.services, w.owner.caller, `bc-admin-${process.pid}@example.org`, 'admin');
    const admin = await signIn(reg.services, adminLogin.email, adminLogin.password);

    expect((await errorOf(staff.caller.broadcasts.create({ body: 'Hi all', audience: { type: 'all' } }))).code).toBe(
      'FORBIDDEN',
    );
    const scheduled = await admin.caller.broadcasts.create({
      body: 'By an admin',
      audience: { type: 'all' },
      scheduledAt: new Date(Date.now() + 3_600_000),
    });
    expect((await errorOf(staff.caller.broadcasts.cancel({ id: scheduled.id }))).code).toBe('FORBIDDEN');
    expect(await stateOf(w, scheduled.id)).toBe('scheduled');
    // Staff may read.
    expect((await staff.caller.broadcasts.list({})).items.map((b) => b.id)).toEqual([scheduled.id]);

    const foreign = await errorOf(
      w.owner.caller.broadcasts.create({ body: 'Wrong church', audience: { type: 'branch', branchId: other.branchA } }),
    );
    expect(foreign.code).toBe('BAD_REQUEST');
    expect(
      (
        await errorOf(
          w.owner.caller.broadcasts.create({
            body: 'Too late',
            audience: { type: 'all' },
            scheduledAt: new Date(Date.now() - 3_600_000),
          }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
    expect((await errorOf(w.owner.caller.broadcasts.create({ body: '   ', audience: { type: 'all' } }))).code).toBe(
      'BAD_REQUEST',
    );

    const bare = await provisionChurch(reg.services, { churchName: 'No Number Chapel' });
    const bareOwner = await signIn(reg.services, bare.email, bare.password);
    expect((await errorOf(bareOwner.caller.broadcasts.create({ body: 'Hello', audience: { type: 'all' } }))).code).toBe(
      'PRECONDITION_FAILED',
    );

    // Nothing refused was stored or queued.
    const stored = await reg.services.connections.withTenant(w.church.tenantId, (db) =>
      db.select({ id: broadcasts.id }).from(broadcasts),
    );
    expect(stored.map((b) => b.id)).toEqual([scheduled.id]);
    const [foreignRow] = await reg.services.connections.withTenant(w.church.tenantId, (db) =>
      db.select().from(branches).where(eq(branches.id, other.branchA)),
    );
    expect(foreignRow).toBeUndefined();
    expect(await admin.caller.broadcasts.cancel({ id: scheduled.id })).toMatchObject({ state: 'canceled' });
  });
});
