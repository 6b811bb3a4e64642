import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branches, messages } from '@/db/tenant/schema';
import { startWorker } from '@/server/jobs/worker';
import { BROADCAST_TASK } from '@/server/messaging/jobs';
import { addTeammate, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import {
  readyNumber,
  broadcastMessages,
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  queuedJobs,
  type MessagingRegistry,
} from './support/messaging';

/**
 * Quiet hours hold a broadcast per recipient, in each one's own timezone. The window is chosen around the hour this
 * test runs: from an hour before to two hours after now in UTC, so a branch on UTC is inside it and one in Tokyo (nine
 * hours ahead) is not — whatever the time of day.
 */
describe('quiet hours', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();
  let church: Church;
  let owner: SignedInClient;
  const hour = new Date().getUTCHours();
  const window = { enabled: true, startMinute: ((hour + 23) % 24) * 60, endMinute: ((hour + 2) % 24) * 60 };
  /** When the window ends for someone on UTC: today or tomorrow at (hour + 2):00. */
  const endsOnUtc = () => {
    const n = new Date();
    return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate(), hour + 2));
  };

  beforeAll(async () => {
    reg = await createMessagingRegistry({ SENDS_PER_SECOND_PER_CHURCH: '50' }, fake);
    church = await provisionChurch(reg.services, { churchName: 'Quiet Chapel', quietHours: true });
    owner = await signIn(reg.services, church.email, church.password);
    await readyNumber(reg.services, owner);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('are 21:00 to 08:00 by default; admins change them (start and end differ); staff only read them', async () => {
    expect(await owner.caller.church.quietHours()).toMatchObject({ enabled: true, startMinute: 1260, endMinute: 480 });
    const same = await errorOf(
      owner.caller.church.updateQuietHours({ enabled: true, startMinute: 600, endMinute: 600 }),
    );
    expect(same.code).toBe('BAD_REQUEST');
    expect(same.message).toContain('Quiet hours must start and end at different times');
    expect((await errorOf(owner.caller.church.updateQuietHours({ ...window, endMinute: 1440 }))).code).toBe(
      'BAD_REQUEST',
    );
    const login = await addTeammate(reg.services, owner.caller, `quiet-staff-${process.pid}@example.org`, 'staff');
    const staff = await signIn(reg.services, login.email, login.password);
    expect((await staff.caller.church.quietHours()).enabled).toBe(true);
    expect((await errorOf(staff.caller.church.updateQuietHours(window))).code).toBe('FORBIDDEN');
  });

  it('a broadcast waits for each recipient whose quiet hours it falls in, in their branch’s timezone', async () => {
    await owner.caller.church.updateQuietHours(window);
    const [utc, tokyo] = await reg.services.connections.withTenant(church.tenantId, (db) =>
      db
        .insert(branches)
        .values([
          { name: 'On UTC', timezone: 'UTC' },
          { name: 'Tokyo', timezone: 'Asia/Tokyo' },
        ])
        .returning({ id: branches.id }),
    );
    // Cy has no branch: the church's timezone (London: UTC in winter, an hour ahead in summer, inside either way).
    const [a, b, c] = await insertMembers(reg.services, church.tenantId, [
      { firstName: 'Ada', branchId: utc!.id },
      { firstName: 'Bo', branchId: tokyo!.id },
      { firstName: 'Cy' },
    ]);

    // The composer says so first, for now and for a time outside the window.
    const preview = await owner.caller.broadcasts.preview({ audience: { type: 'all' }, body: 'Hello' });
    expect(preview.held).toMatchObject({ count: 2, startMinute: window.startMinute, endMinute: window.endMinute });
    expect(preview.held.last).toEqual(endsOnUtc());
    const later = new Date(endsOnUtc().getTime() + 3_600_000);
    const then = await owner.caller.broadcasts.preview({ audience: { type: 'all' }, body: 'Hi', scheduledAt: later });
    expect(then.held.count).toBe(0);

    const created = await owner.caller.broadcasts.create({ body: 'Picnic on Saturday', audience: { type: 'all' } });
    const worker = await startWorker(reg.services);
    try {
      await until(async () => fake.calls.some((x) => x.to === b!.phone));
      // Bo (Tokyo) got it; Ada's text waits, and so does the broadcast's job, until her quiet hours end.
      await until(async () =>
        (await queuedJobs(reg.admin, BROADCAST_TASK)).some(
          (j) => j.key?.endsWith(`:${created.id}`) && !j.locked_at && new Date(j.run_at) > new Date(),
        ),
      );
      const job = (await queuedJobs(reg.admin, BROADCAST_TASK)).find((j) => j.key?.endsWith(`:${created.id}`))!;
      expect(new Date(job.run_at).getTime()).toBeLessThanOrEqual(endsOnUtc().getTime()); // the first one due
      expect(fake.calls.some((x) => x.to === a!.phone || x.to === c!.phone)).toBe(false);
      const rows = await broadcastMessages(reg.services, church.tenantId, created.id);
      expect(rows.find((m) => m.toNumber === a!.phone)).toMatchObject({ status: 'queued', notBefore: endsOnUtc() });
      expect(rows.find((m) => m.toNumber === b!.phone)).toMatchObject({ status: 'sent', notBefore: null });
      expect(rows.find((m) => m.toNumber === c!.phone)?.notBefore).toBeInstanceOf(Date);
      expect(await owner.caller.broadcasts.get({ id: created.id })).toMatchObject({
        state: 'sending',
        pending: 2,
        held: 2,
      });

      // Their morning comes (the hold moved to now, the job run now): Ada gets it, and the broadcast is done.
      await reg.services.connections.withTenant(church.tenantId, (db) =>
        db
          .update(messages)
          .set({ notBefore: new Date(Date.now() - 1000) })
          .where(and(eq(messages.broadcastId, created.id), isNotNull(messages.notBefore))),
      );
      await reg.admin`update graphile_worker._private_jobs set run_at = now() where key = ${job.key}`;
      await until(async () => (await owner.caller.broadcasts.get({ id: created.id })).state === 'sent');
    } finally {
      await worker.stop();
    }
    for (const m of [a, b, c]) expect(fake.calls.filter((x) => x.to === m!.phone)).toHaveLength(1);
  });

  it('a text from the inbox inside someone’s quiet hours asks first, and goes once confirmed', async () => {
    await owner.caller.church.updateQuietHours(window);
    const [ada] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Ada' }]); // London: inside
    const asked = await errorOf(owner.caller.messages.send({ memberId: ada!.id, body: 'Free on Saturday?' }));
    expect(asked.code).toBe('CONFLICT');
    expect(asked.message).toMatch(
      /^It is \d\d:\d\d for Ada, inside your quiet hours \(\d\d:00 to \d\d:00\)\. Send it anyway\?$/,
    );
    const sent = await owner.caller.messages.send({
      memberId: ada!.id,
      body: 'Free on Saturday?',
      duringQuietHours: true,
    });
    expect(sent).toMatchObject({ status: 'queued', body: 'Free on Saturday?' });
  });

  it('switched off, nothing waits', async () => {
    await owner.caller.church.updateQuietHours({ ...window, enabled: false });
    const preview = await owner.caller.broadcasts.preview({ audience: { type: 'all' }, body: 'Hello' });
    expect(preview.held).toMatchObject({ count: 0, first: null });
    const [ada] = await insertMembers(reg.services, church.tenantId, [{ firstName: 'Ada' }]);
    expect(await owner.caller.messages.send({ memberId: ada!.id, body: 'Any time now' })).toMatchObject({
      status: 'queued',
    });
  });
});
