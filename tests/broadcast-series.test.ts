import { and, asc, eq, sql } from 'drizzle-orm';
import type { JobHelpers } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import type { RegistryDb } from '@/db/registry';
import type { TenantDb } from '@/db/tenant';
import { broadcastSeries, broadcasts } from '@/db/tenant/schema';
import { closeChurch } from '@/server/fleet/lifecycle';
import { startWorker } from '@/server/jobs/worker';
import { BROADCAST_TASK, enqueueBroadcast, messagingTasks } from '@/server/messaging/jobs';
import { addDays, todayIn } from '@/server/messaging/recurrence';
import type { RepeatInput } from '@/server/messaging/series-inputs';
import { makeNextOccurrence } from '@/server/messaging/series-occurrences';
import { addTeammate, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import {
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  queuedJobs,
  readyNumber,
  type MessagingRegistry,
} from './support/messaging';

/**
 * Repeating broadcasts (server/messaging/series*.ts): a series makes its dates one at a time as ordinary scheduled
 * broadcasts. A date's job is driven here as the worker would run it (the task itself, and once through the worker),
 * long before its real time: what matters is what one run makes, whatever repeats or crashes.
 */
describe('broadcast series', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();
  const NY = 'America/New_York';

  type Place = { church: Church; owner: SignedInClient; tenantId: string; phones: string[] };

  /** A church in New York with a sending number and three subscribed members. */
  async function place(churchName: string, opts: { number?: boolean } = {}): Promise<Place> {
    const church = await provisionChurch(reg.services, { churchName });
    const owner = await signIn(reg.services, church.email, church.password);
    await owner.caller.church.updateProfile({ churchName, timezone: NY, country: 'US' });
    if (opts.number !== false) await readyNumber(reg.services, owner);
    const people = await insertMembers(reg.services, church.tenantId, [
      { firstName: 'Ruth' },
      { firstName: 'Boaz' },
      { firstName: 'Naomi' },
    ]);
    return { church, owner, tenantId: church.tenantId, phones: people.map((p) => p.phone) };
  }

  const inChurch = <T>(p: Place, fn: (db: TenantDb) => Promise<T>) =>
    reg.services.connections.withTenant(p.tenantId, fn);

  /** The church's dates ("2026-12-07") from today, in New York. */
  const day = (offset: number) => addDays(todayIn(NY), offset);

  const saturdays = (over: Partial<RepeatInput> & { body?: string } = {}) => ({
    body: 'See you tomorrow!',
    audience: { type: 'all' as const },
    frequency: 'weekly' as const,
    weekdays: ['SA' as const],
    time: '17:00',
    startDate: day(0),
    endDate: day(60),
    ...over,
  });

  /** A series' dates as broadcasts, in order. */
  const datesOf = (p: Place, seriesId: string) =>
    inChurch(p, (db) =>
      db.select().from(broadcasts).where(eq(broadcasts.seriesId, seriesId)).orderBy(asc(broadcasts.scheduledAt)),
    );

  /** The broadcast job, run as the worker runs it (attempt `attempt` of 10). */
  const runJob = (p: Place, broadcastId: string, attempt = 1) =>
    messagingTasks(reg.services)[BROADCAST_TASK]!({ tenantId: p.tenantId, broadcastId }, {
      job: { attempts: attempt, max_attempts: 10 },
    } as unknown as JobHelpers);

  const jobFor = async (p: Place, broadcastId: string) =>
    (await queuedJobs(reg.admin, BROADCAST_TASK)).find((j) => j.key === `broadcast:${p.tenantId}:${broadcastId}`);

  /** Sends of `text` to this church's members, by phone. */
  const sendsOf = (p: Place, text: string) =>
    fake.calls.filter((c) => p.phones.includes(c.to) && c.text === text).map((c) => c.to);

  /** Wall-clock words for an instant in New York, to check 17:00 there without our own conversion. */
  const inNewYork = (d: Date) =>
    d.toLocaleString('en-US', { timeZone: NY, weekday: 'long', hour: '2-digit', minute: '2-digit', hour12: false });

  /** A refusal's messages by field, as the page shows them beside each. */
  const fieldsOf = (err: Record<string, unknown>) =>
    Object.fromEntries((err.cause as ZodError).issues.map((i) => [i.path.join('.'), i.message]));

  beforeAll(async () => {
    // Room for a test to hold a church's row lock while the call it races waits, and still look at the database.
    reg = await createMessagingRegistry({ SENDS_PER_SECOND_PER_CHURCH: '50', TENANT_POOL_SIZE: '4' }, fake);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('a weekly series makes its first date a scheduled broadcast with its job, listed in words', async () => {
    const p = await place('Bethel Series');
    const preview = await p.owner.caller.broadcasts.previewSeries(saturdays());
    expect(preview.description).toBe(`Every Saturday at 17:00 until ${words(day(60))}`);
    expect(preview.timezone).toBe(NY);
    expect(preview.count).toBeGreaterThanOrEqual(8);
    expect(preview.next).toHaveLength(5);
    for (const d of preview.next) {
      expect(inNewYork(d.at)).toBe('Saturday 17:00');
      expect(d.label).toMatch(/^Sat \d{1,2} [A-Z][a-z]{2} \d{4}, 17:00$/);
    }

    const series = await p.owner.caller.broadcasts.createSeries(saturdays());
    expect(series).toMatchObject({ body: 'See you tomorrow!', audience: 'all', endedAt: null });
    expect(series.rule).toMatch(/^DTSTART;TZID=America\/New_York:\d{8}T170000\nRRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=/);
    expect(series.firstAt).toEqual(preview.next[0]!.at);
    expect(series.firstLabel).toBe(preview.next[0]!.label);

    const [first, ...more] = await datesOf(p, series.id);
    expect(more).toEqual([]);
    expect(first).toMatchObject({
      state: 'scheduled',
      seriesId: series.id,
      body: 'See you tomorrow!',
      audience: 'all',
    });
    expect(first!.scheduledAt).toEqual(preview.next[0]!.at);
    expect(first!.createdBy).toBe(p.church.adminId);
    expect((await jobFor(p, first!.id))!.run_at).toEqual(first!.scheduledAt);

    // The broadcasts list marks it as a date of its series.
    const listed = (await p.owner.caller.broadcasts.list({})).items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: first!.id, seriesId: series.id, seriesSummary: 'Every Saturday at 17:00' });
    expect(await p.owner.caller.broadcasts.get({ id: first!.id })).toMatchObject({
      seriesSummary: 'Every Saturday at 17:00',
    });

    const { items, timezone, today, lastEndDate } = await p.owner.caller.broadcasts.series();
    expect({ timezone, today, lastEndDate }).toEqual({ timezone: NY, today: day(0), lastEndDate: day(365) });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: series.id,
      description: preview.description,
      audienceSummary: 'Everyone',
      status: 'active',
      remaining: preview.count,
      sent: 0,
    });
    expect(items[0]!.next.map((n) => n.label)).toEqual(preview.next.map((n) => n.label));
    expect(items[0]!.next.map((n) => n.broadcastId)).toEqual([first!.id, null, null, null, null]);
    expect(items[0]!.next.every((n) => !n.skipped)).toBe(true);
  });

  it('running a date sends it and makes exactly the next one, run twice, concurrently or after a crash', async () => {
    const p = await place('Shiloh Series');
    const body = 'Youth night at 7, see you there';
    const series = await p.owner.caller.broadcasts.createSeries(saturdays({ body }));
    const [first] = await datesOf(p, series.id);

    // The date's job, run as the worker does (long before its time: the run does not wait for it).
    await runJob(p, first!.id);
    expect(sendsOf(p, body).sort()).toEqual([...p.phones].sort());
    const [sent, second, ...none] = await datesOf(p, series.id);
    expect(none).toEqual([]);
    expect(sent).toMatchObject({ id: first!.id, state: 'sent', recipients: 3 });
    expect(second).toMatchObject({ state: 'scheduled', seriesId: series.id, body });
    expect(second!.scheduledAt.getTime() - first!.scheduledAt.getTime()).toBe(7 * 86_400_000); // no clock change
    expect(inNewYork(second!.scheduledAt)).toBe('Saturday 17:00');
    expect((await jobFor(p, second!.id))!.run_at).toEqual(second!.scheduledAt);
    const stats = await p.owner.caller.broadcasts.get({ id: first!.id });
    expect(stats).toMatchObject({ state: 'sent', sent: 3, failed: 0, seriesSummary: 'Every Saturday at 17:00' });

    // Again, and three at once: nothing more is sent or made.
    await runJob(p, first!.id, 2);
    await Promise.all([0, 1, 2].map(() => runJob(p, first!.id, 3)));
    expect(sendsOf(p, body)).toHaveLength(3);
    expect((await datesOf(p, series.id)).map((b) => b.id)).toEqual([first!.id, second!.id]);

    // A crash after the next date was written but before its job was moved to its time: the retry finds it and
    // queues it (one broadcast, one job).
    const queueFails = { calls: 0 };
    const crashing = (id: string, at: Date) =>
      ++queueFails.calls === 2
        ? Promise.reject(new Error('worker killed'))
        : enqueueBroadcast(reg.services.registry, p.tenantId, id, at);
    await inChurch(p, (db) => db.delete(broadcasts).where(eq(broadcasts.id, second!.id)));
    await reg.admin`delete from graphile_worker._private_jobs where key = ${`broadcast:${p.tenantId}:${second!.id}`}`;
    await expect(inChurch(p, (db) => makeNextOccurrence(db, crashing, series.id, first!.scheduledAt))).rejects.toThrow(
      'worker killed',
    );
    const [, remade] = await datesOf(p, series.id);
    expect(remade).toMatchObject({ id: second!.id, state: 'scheduled' }); // the same id: derived from the date
    // Its job was queued before the write, so even now it would run (half a minute late at worst).
    expect(await jobFor(p, second!.id)).toBeDefined();
    await runJob(p, first!.id, 4);
    expect((await datesOf(p, series.id)).map((b) => b.id)).toEqual([first!.id, second!.id]);
    expect((await jobFor(p, second!.id))!.run_at).toEqual(second!.scheduledAt);

    // A run that fails mid-send (the provider is down) has already made the next date; its retry sends the rest.
    fake.failNext('transient');
    const failing = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Choir at 6', time: '10:00' }));
    const [f1] = await datesOf(p, failing.id);
    await expect(runJob(p, f1!.id)).rejects.toThrow();
    expect(await datesOf(p, failing.id)).toHaveLength(2);
    await runJob(p, f1!.id, 2);
    expect(sendsOf(p, 'Choir at 6').sort()).toEqual([...p.phones].sort());
    const [f1done, f2, ...rest] = await datesOf(p, failing.id);
    expect(rest).toEqual([]);
    expect(f1done!.state).toBe('sent');
    expect(f2!.state).toBe('scheduled');

    // And through the real worker: the second date's job, queued now, sends it and makes the third.
    const worker = await startWorker(reg.services);
    try {
      await enqueueBroadcast(reg.services.registry, p.tenantId, second!.id, new Date());
      await until(async () => (await datesOf(p, series.id)).length === 3 && sendsOf(p, body).length === 6);
      await until(async () => (await datesOf(p, series.id))[1]!.state === 'sent');
    } finally {
      await worker.stop();
    }
    const third = (await datesOf(p, series.id))[2]!;
    expect(third.scheduledAt.getTime() - second!.scheduledAt.getTime()).toBe(7 * 86_400_000);
    expect(third.state).toBe('scheduled');
    expect((await p.owner.caller.broadcasts.series()).items.find((s) => s.id === series.id)!.sent).toBe(2);
  });

  it('a skipped date is not sent, the one after it is; undo makes it again; cancelling a date skips it', async () => {
    const p = await place('Gilgal Series');
    const body = 'Prayer breakfast, 8am';
    const series = await p.owner.caller.broadcasts.createSeries(saturdays({ body, time: '07:00' }));
    const next = async () => (await p.owner.caller.broadcasts.series()).items[0]!.next;
    const [d1, d2, d3, , d5] = await next();
    const [made] = await datesOf(p, series.id);
    expect(made!.scheduledAt).toEqual(d1!.at);

    // Skip a later date: nothing is made for it, and the first stays as it is.
    await p.owner.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: d2!.at });
    expect((await next()).map((n) => n.skipped)).toEqual([false, true, false, false, false]);
    expect((await datesOf(p, series.id)).map((b) => b.id)).toEqual([made!.id]);
    // Skipping it again changes nothing.
    await p.owner.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: d2!.at });
    const [row] = await inChurch(p, (db) => db.select().from(broadcastSeries).where(eq(broadcastSeries.id, series.id)));
    expect(row!.skipped).toEqual([d2!.at]);

    // Running the first date makes the one after the skipped date.
    await runJob(p, made!.id);
    const [, afterSkip] = await datesOf(p, series.id);
    expect(afterSkip!.scheduledAt).toEqual(d3!.at);
    expect(afterSkip!.state).toBe('scheduled');
    expect(sendsOf(p, body)).toHaveLength(3);

    // Skipping the date already made cancels its broadcast and makes the next one in its place.
    await p.owner.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: d3!.at });
    const dates = await datesOf(p, series.id);
    expect(dates.map((b) => b.state)).toEqual(['sent', 'canceled', 'scheduled']);
    expect(dates[2]!.scheduledAt.getTime() - d3!.at.getTime()).toBe(7 * 86_400_000);
    // Its job runs and sends nothing.
    await runJob(p, dates[1]!.id);
    expect(sendsOf(p, body)).toHaveLength(3);
    expect((await datesOf(p, series.id)).map((b) => b.state)).toEqual(['sent', 'canceled', 'scheduled']);

    // Undo: the cancelled date is scheduled again (with its job), the later one stays.
    const undone = await p.owner.caller.broadcasts.unskipOccurrence({ seriesId: series.id, at: d3!.at });
    expect(undone).toMatchObject({ skipped: false, broadcastId: dates[1]!.id });
    const again = await datesOf(p, series.id);
    expect(again.map((b) => b.state)).toEqual(['sent', 'scheduled', 'scheduled']);
    expect((await jobFor(p, again[1]!.id))!.run_at).toEqual(d3!.at);
    // The date after the skipped one goes out, and makes the next (already there: nothing more).
    await runJob(p, again[1]!.id);
    expect(sendsOf(p, body)).toHaveLength(6);
    expect((await datesOf(p, series.id)).map((b) => b.state)).toEqual(['sent', 'sent', 'scheduled']);

    // Undo for a date never made makes it (a later date may already have been made in its place).
    await p.owner.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: d5!.at });
    expect(await datesOf(p, series.id)).toHaveLength(3);
    const remade = await p.owner.caller.broadcasts.unskipOccurrence({ seriesId: series.id, at: d5!.at });
    expect((await next()).find((n) => n.at.getTime() === d5!.at.getTime())).toMatchObject({
      skipped: false,
      broadcastId: remade.broadcastId,
    });
    const withD5 = await datesOf(p, series.id);
    expect(withD5.map((b) => b.state)).toEqual(['sent', 'sent', 'scheduled', 'scheduled']);
    expect(withD5[3]!.scheduledAt).toEqual(d5!.at);
    expect((await jobFor(p, remade.broadcastId!))!.run_at).toEqual(d5!.at);
    const notSkipped = await errorOf(p.owner.caller.broadcasts.unskipOccurrence({ seriesId: series.id, at: d5!.at }));
    expect(notSkipped.code).toBe('BAD_REQUEST');
    expect(fieldsOf(notSkipped)).toEqual({ at: 'That date is not skipped.' });

    // Cancelling a date from the broadcasts list skips it (so it can be undone here); the next is there already.
    const [, , d4] = await datesOf(p, series.id);
    await p.owner.caller.broadcasts.cancel({ id: d4!.id });
    const afterCancel = await datesOf(p, series.id);
    expect(afterCancel.map((b) => b.state)).toEqual(['sent', 'sent', 'canceled', 'scheduled']);
    // Cancelling the last one made makes the date after it.
    await p.owner.caller.broadcasts.cancel({ id: afterCancel[3]!.id });
    const afterLast = await datesOf(p, series.id);
    expect(afterLast.map((b) => b.state)).toEqual(['sent', 'sent', 'canceled', 'canceled', 'scheduled']);
    expect(afterLast[4]!.scheduledAt.getTime() - d5!.at.getTime()).toBe(7 * 86_400_000);
    const listed = (await next()).find((n) => n.at.getTime() === d4!.scheduledAt.getTime());
    expect(listed).toMatchObject({ skipped: true, broadcastId: d4!.id });
  });

  it('stopping a series cancels its scheduled date and makes no more; a stopped series cannot be changed', async () => {
    const p = await place('Mizpah Series');
    const series = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Stopping soon' }));
    const [first] = await datesOf(p, series.id);
    const [, d2] = (await p.owner.caller.broadcasts.series()).items[0]!.next;

    const stopped = await p.owner.caller.broadcasts.stopSeries({ id: series.id });
    expect(stopped).toMatchObject({ id: series.id, canceled: 1 });
    expect(stopped.endedAt).toBeInstanceOf(Date);
    expect((await datesOf(p, series.id)).map((b) => b.state)).toEqual(['canceled']);
    const listed = (await p.owner.caller.broadcasts.series()).items[0]!;
    expect(listed).toMatchObject({ status: 'stopped', remaining: 0, next: [] });

    // Its job, when it runs, sends nothing and makes nothing.
    await runJob(p, first!.id);
    expect(sendsOf(p, 'Stopping soon')).toEqual([]);
    expect(await datesOf(p, series.id)).toHaveLength(1);

    const again = await errorOf(p.owner.caller.broadcasts.stopSeries({ id: series.id }));
    expect(again).toMatchObject({ code: 'BAD_REQUEST', message: 'This repeating broadcast has already been stopped.' });
    const skip = await errorOf(p.owner.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: d2!.at }));
    expect(skip).toMatchObject({ code: 'BAD_REQUEST', message: 'This repeating broadcast has been stopped.' });
    const missing = await errorOf(p.owner.caller.broadcasts.stopSeries({ id: crypto.randomUUID() }));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'That repeating broadcast does not exist.' });
  });

  it('a stop landing while an undo waits for the series wins; a date already going out cannot be skipped', async () => {
    const p = await place('Bethany Series');
    const body = 'Stopped while undoing';
    const series = await p.owner.caller.broadcasts.createSeries(saturdays({ body }));
    const [d1] = (await p.owner.caller.broadcasts.series()).items[0]!.next;
    await p.owner.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: d1!.at });
    expect((await datesOf(p, series.id)).map((b) => b.state)).toEqual(['canceled', 'scheduled']);

    // Stop holds the series row (as stopSeries does) while the undo starts: the undo's first look sees a running
    // series, then waits for the row; Stop commits; the undo must then refuse rather than schedule the date again.
    let undo: Promise<unknown> | undefined;
    await inChurch(p, (db) =>
      db.transaction(async (tx) => {
        await tx.select().from(broadcastSeries).where(eq(broadcastSeries.id, series.id)).for('update');
        undo = errorOf(p.owner.caller.broadcasts.unskipOccurrence({ seriesId: series.id, at: d1!.at }));
        await until(async () => {
          const waiting = await inChurch(p, (other) =>
            other.execute(sql`select 1 from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query ilike '%for update%'`),
          );
          return waiting.length > 0;
        });
        await tx.update(broadcastSeries).set({ endedAt: new Date() }).where(eq(broadcastSeries.id, series.id));
        await tx
          .update(broadcasts)
          .set({ state: 'canceled', finishedAt: new Date() })
          .where(and(eq(broadcasts.seriesId, series.id), eq(broadcasts.state, 'scheduled')));
      }),
    );
    expect(await undo).toMatchObject({ code: 'BAD_REQUEST', message: 'This repeating broadcast has been stopped.' });
    expect((await datesOf(p, series.id)).map((b) => b.state)).toEqual(['canceled', 'canceled']);
    const [row] = await inChurch(p, (db) => db.select().from(broadcastSeries).where(eq(broadcastSeries.id, series.id)));
    expect(row!.skipped).toEqual([d1!.at]);
    // The job queued by the undo before it looked again finds its date cancelled: nothing is sent or made.
    await runJob(p, (await datesOf(p, series.id))[0]!.id);
    expect(sendsOf(p, body)).toEqual([]);
    expect(await datesOf(p, series.id)).toHaveLength(2);

    // A date whose broadcast is already sending (its job ran early, on a retry): skipping it says so, changes nothing.
    const going = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Already going' }));
    const [first] = await datesOf(p, going.id);
    await inChurch(p, (db) => db.update(broadcasts).set({ state: 'sending' }).where(eq(broadcasts.id, first!.id)));
    const refused = await errorOf(
      p.owner.caller.broadcasts.skipOccurrence({ seriesId: going.id, at: first!.scheduledAt }),
    );
    expect(refused.code).toBe('BAD_REQUEST');
    expect(fieldsOf(refused)).toEqual({ at: 'That date is already going out.' });
    const [kept] = await inChurch(p, (db) => db.select().from(broadcastSeries).where(eq(broadcastSeries.id, going.id)));
    expect(kept!.skipped).toEqual([]);
    expect((await datesOf(p, going.id)).map((b) => b.state)).toEqual(['sending']);
  });

  it('a date whose next cannot be made still goes out on its last try; the list makes the missing date', async () => {
    const p = await place('Carmel Series');
    const body = 'Registry trouble';
    const series = await p.owner.caller.broadcasts.createSeries(saturdays({ body }));
    const [first] = await datesOf(p, series.id);
    // The registry refuses every job this worker queues (the next date's included).
    const down = { execute: () => Promise.reject(new Error('registry down')) } as unknown as RegistryDb;
    const tasks = messagingTasks({ ...reg.services, registry: { ...reg.services.registry, db: down } });
    const run = (attempt: number) =>
      tasks[BROADCAST_TASK]!({ tenantId: p.tenantId, broadcastId: first!.id }, {
        job: { attempts: attempt, max_attempts: 10 },
      } as unknown as JobHelpers);

    // Not the last try: the job is retried (nothing sent yet, so nothing is sent twice).
    await expect(run(1)).rejects.toThrow('registry down');
    expect(sendsOf(p, body)).toEqual([]);
    // The last try sends the date anyway rather than leave it scheduled in the past.
    await run(10);
    expect(sendsOf(p, body).sort()).toEqual([...p.phones].sort());
    const dates = await datesOf(p, series.id);
    expect(dates.map((b) => b.state)).toEqual(['sent']);

    // The series page notices the series has no date waiting and makes it, with its job; looking again makes no more.
    const listed = (await p.owner.caller.broadcasts.series()).items.find((s) => s.id === series.id)!;
    const [, second, ...none] = await datesOf(p, series.id);
    expect(none).toEqual([]);
    expect(second).toMatchObject({ state: 'scheduled' });
    expect(second!.scheduledAt.getTime() - first!.scheduledAt.getTime()).toBe(7 * 86_400_000);
    expect((await jobFor(p, second!.id))!.run_at).toEqual(second!.scheduledAt);
    expect(listed).toMatchObject({ status: 'active' });
    expect(listed.next[0]).toMatchObject({ at: second!.scheduledAt, broadcastId: second!.id });
    await Promise.all([p.owner.caller.broadcasts.series(), p.owner.caller.broadcasts.series()]);
    expect(await datesOf(p, series.id)).toHaveLength(2);
  });

  it('in a closed church a date fails but the series goes on, still running if the church reopens', async () => {
    const p = await place('Bethlehem Series');
    const series = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Closed church' }));
    const [first] = await datesOf(p, series.id);
    await closeChurch(reg.services, p.tenantId, { graceDays: 30 });
    await runJob(p, first!.id);
    const dates = await reg.services.connections.withTenant(
      p.tenantId,
      (db) =>
        db.select().from(broadcasts).where(eq(broadcasts.seriesId, series.id)).orderBy(asc(broadcasts.scheduledAt)),
      reg.services.messaging.gate,
    );
    expect(dates.map((b) => b.state)).toEqual(['failed', 'scheduled']);
    expect(dates[1]!.scheduledAt.getTime() - first!.scheduledAt.getTime()).toBe(7 * 86_400_000);
    expect((await jobFor(p, dates[1]!.id))!.run_at).toEqual(dates[1]!.scheduledAt);
    expect(sendsOf(p, 'Closed church')).toEqual([]);
  });

  it('lists series still running before stopped ones, newest first within each', async () => {
    const p = await place('Ebenezer Series');
    const older = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Older, running' }));
    const stopped = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Newer, stopped' }));
    const newer = await p.owner.caller.broadcasts.createSeries(saturdays({ body: 'Newest, running' }));
    await p.owner.caller.broadcasts.stopSeries({ id: stopped.id });
    const { items } = await p.owner.caller.broadcasts.series();
    expect(items.map((s) => s.id)).toEqual([newer.id, older.id, stopped.id]);
  });

  it('a weekly 17:00 in New York is 17:00 local on both sides of the clock change (UTC instants)', async () => {
    const p = await place('Clock Change Series');
    const change = nextClockChange();
    // From the Saturday before the change to the Saturday after: two dates, an hour apart in UTC terms.
    const series = await p.owner.caller.broadcasts.createSeries(
      saturdays({ body: 'Clocks', startDate: addDays(change.date, -7), endDate: addDays(change.date, 6) }),
    );
    const [before] = await datesOf(p, series.id);
    expect(before!.scheduledAt.toISOString()).toBe(`${addDays(change.date, -1)}T${change.before}:00:00.000Z`);
    await runJob(p, before!.id);
    const [, after, ...none] = await datesOf(p, series.id);
    expect(none).toEqual([]);
    expect(after!.scheduledAt.toISOString()).toBe(`${addDays(change.date, 6)}T${change.after}:00:00.000Z`);
    for (const d of [before!, after!]) expect(inNewYork(d.scheduledAt)).toBe('Saturday 17:00');
    // The series ends there: the second date's run makes nothing more.
    await runJob(p, after!.id);
    expect(await datesOf(p, series.id)).toHaveLength(2);
    expect((await p.owner.caller.broadcasts.series()).items[0]).toMatchObject({ status: 'finished', sent: 2 });
  });

  it('refuses what cannot work with a clear BAD_REQUEST beside the field; staff cannot change series', async () => {
    const p = await place('Rules Series');
    const o = p.owner.caller;
    const cases: [Partial<RepeatInput> & { body?: string }, Record<string, string>][] = [
      [{ weekdays: [] }, { weekdays: 'Choose at least one day of the week' }],
      [{ frequency: 'monthly', weekdays: [] }, { monthDay: 'Choose a day of the month, 1 to 31' }],
      [{ frequency: 'monthly', monthDay: 32 }, { monthDay: 'Choose a day of the month, 1 to 31' }],
      [{ time: '5pm' }, { time: 'Choose a time, like 17:00' }],
      [{ endDate: '' }, { endDate: 'Choose the date it ends (at most a year ahead)' }],
      [{ startDate: day(10), endDate: day(3) }, { endDate: 'End on or after the first date' }],
      [{ startDate: day(-1) }, { startDate: 'Start today or later.' }],
      [{ endDate: day(366) }, { endDate: `End within a year: on ${words(day(365))} at the latest.` }],
      [{ body: '' }, { body: 'Write a message or attach a picture.' }],
    ];
    for (const [change, fields] of cases) {
      const err = await errorOf(o.broadcasts.createSeries(saturdays(change)));
      expect(err.code, JSON.stringify(change)).toBe('BAD_REQUEST');
      expect(fieldsOf(err), JSON.stringify(change)).toMatchObject(fields);
      if (!('body' in change)) {
        const { body: _body, audience: _audience, ...repeat } = saturdays(change);
        expect(fieldsOf(await errorOf(o.broadcasts.previewSeries(repeat))), JSON.stringify(change)).toMatchObject(
          fields,
        );
      }
    }
    const unknown = await errorOf(o.broadcasts.createSeries(saturdays({ body: 'Hi {nick}' })));
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(fieldsOf(unknown).body).toMatch(/^Unknown merge field \{nick\}/);
    // Between the dates chosen no date matches.
    const noDate = await errorOf(
      o.broadcasts.createSeries(saturdays({ frequency: 'monthly', monthDay: 1, startDate: day(1), endDate: day(1) })),
    );
    if (!day(1).endsWith('-01')) {
      expect(noDate.code).toBe('BAD_REQUEST');
      expect(fieldsOf(noDate)).toEqual({
        endDate: 'No date between the first date and the end date matches: choose a later end.',
      });
    }
    // An occurrence that is not one of the series' dates, or has passed.
    const series = await o.broadcasts.createSeries(saturdays());
    const [first] = await datesOf(p, series.id);
    const offBy = new Date(first!.scheduledAt.getTime() + 3_600_000);
    expect(fieldsOf(await errorOf(o.broadcasts.skipOccurrence({ seriesId: series.id, at: offBy })))).toEqual({
      at: 'That is not one of this repeating broadcast’s dates.',
    });
    expect((await errorOf(o.broadcasts.skipOccurrence({ seriesId: 'nope', at: offBy }))).code).toBe('BAD_REQUEST');
    expect(
      (await errorOf(o.broadcasts.skipOccurrence({ seriesId: crypto.randomUUID(), at: first!.scheduledAt }))).code,
    ).toBe('NOT_FOUND');

    // Staff see series but cannot create, skip or stop them.
    const login = await addTeammate(reg.services, o, `series-staff-${process.pid}@example.org`, 'staff');
    const staff = await signIn(reg.services, login.email, login.password);
    expect((await staff.caller.broadcasts.series()).items).toHaveLength(1);
    for (const call of [
      () => staff.caller.broadcasts.createSeries(saturdays()),
      () => staff.caller.broadcasts.skipOccurrence({ seriesId: series.id, at: first!.scheduledAt }),
      () => staff.caller.broadcasts.unskipOccurrence({ seriesId: series.id, at: first!.scheduledAt }),
      () => staff.caller.broadcasts.stopSeries({ id: series.id }),
    ])
      expect((await errorOf(call())).code).toBe('FORBIDDEN');
    expect(await datesOf(p, series.id)).toHaveLength(1);

    // Without a sending number, a series is refused as a broadcast is.
    const bare = await place('No Number Series', { number: false });
    const refused = await errorOf(bare.owner.caller.broadcasts.createSeries(saturdays()));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect((await bare.owner.caller.broadcasts.series()).items).toEqual([]);
  });

  it('monthly on the 31st: in the church’s words, on the last day of shorter months', async () => {
    const p = await place('Monthly Series');
    const preview = await p.owner.caller.broadcasts.previewSeries({
      frequency: 'monthly',
      weekdays: [],
      monthDay: 31,
      time: '09:30',
      startDate: day(0),
      endDate: day(365),
    });
    expect(preview.description).toBe(`Monthly on the 31st (or the month’s last day) at 09:30 until ${words(day(365))}`);
    expect(preview.count).toBeGreaterThanOrEqual(11);
    const days = preview.next.map((n) => Number(n.label.split(' ')[1]));
    // Each is the month's last day: the next day is the 1st.
    for (const n of preview.next) {
      const next = new Date(n.at.getTime() + 86_400_000);
      expect(next.toLocaleString('en-US', { timeZone: NY, day: 'numeric' })).toBe('1');
    }
    expect(days.some((d) => d < 31)).toBe(true);
  });
});

/**
 * The next change of New York's clocks that a series can reach with a Saturday either side (a week away at least,
 * and within the year a series may run): its date, and 17:00's UTC hour before and after it. March by preference.
 */
function nextClockChange(): { date: string; before: number; after: number } {
  const today = todayIn('America/New_York');
  const year = Number(today.slice(0, 4));
  const nthSunday = (y: number, month: number, n: number) => {
    const first = new Date(Date.UTC(y, month, 1)).getUTCDay();
    return new Date(Date.UTC(y, month, 1 + ((7 - first) % 7) + 7 * (n - 1))).toISOString().slice(0, 10);
  };
  const candidates = [year, year + 1].flatMap((y) => [
    { date: nthSunday(y, 2, 2), before: 22, after: 21 }, // second Sunday of March: clocks go forward
    { date: nthSunday(y, 10, 1), before: 21, after: 22 }, // first Sunday of November: back
  ]);
  const fits = candidates.filter((c) => c.date >= addDays(today, 8) && addDays(c.date, 6) <= addDays(today, 365));
  return fits.find((c) => c.date.slice(5, 7) === '03') ?? fits[0]!;
}

/** "30 Jun 2027" for "2027-06-30", as the rule's words say it. */
function words(date: string) {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${months[m - 1]} ${y}`;
}
