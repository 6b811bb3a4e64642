import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { branches, members, messages, sequenceEnrollments, type Member } from '@/db/tenant/schema';
import { issueFormToken } from '@/server/connect-card/form-token';
import { startWorker } from '@/server/jobs/worker';
import type { Tx } from '@/server/members/consent';
import { STEEPLE_CODES } from '@/server/messaging/carrier-outcomes';
import type { MessagingProvider, OutboundText } from '@/server/messaging/provider';
import { enrollOnDates } from '@/server/sequences/enroll';
import { enqueueSequenceRun, SEQUENCES_TASK } from '@/server/sequences/jobs';
import { runSequences, type RunnerDeps } from '@/server/sequences/runner';
import { dueAt, scheduleWaiting } from '@/server/sequences/schedule';
import {
  addTeammate,
  caller,
  errorOf,
  freshIp,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
} from './support/accounts';
import { sleep, until } from './support/harness';
import {
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  queuedJobs,
  readyNumber,
  type MessagingRegistry,
} from './support/messaging';
import { personNumber, postSigned, received } from './support/webhooks';

/**
 * Sequences (server/sequences/): what enrolls people, when each step is due (each member's own clock, across clock
 * changes), and that a step is texted once — whatever crashes, repeats or races — only to people who agreed, never in
 * their quiet hours. Steps are made due by moving `next_at` in the church's database; the runner is called directly
 * (the first tests go through the worker's `run_sequences` job, as production does).
 */
describe('sequences', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();

  type Place = { church: Church; owner: SignedInClient; number: string; tenantId: string };
  type StepIn = { body: string; wait: number; unit: 'hours' | 'days'; atMinute?: number | null };

  /** A church of its own, its owner signed in, a number it can text from (quiet hours off: provisionChurch). */
  async function place(churchName: string): Promise<Place> {
    const church = await provisionChurch(reg.services, { churchName });
    const owner = await signIn(reg.services, church.email, church.password);
    const number = await readyNumber(reg.services, owner);
    return { church, owner, number, tenantId: church.tenantId };
  }

  const inChurch = <T>(p: Place, fn: (db: TenantDb) => Promise<T>) =>
    reg.services.connections.withTenant(p.tenantId, fn);

  /** "Wait `wait` `unit` (at `atMinute`, local), then send `body`." */
  const step = (body: string, wait = 0, unit: 'hours' | 'days' = 'hours', atMinute?: number): StepIn => ({
    body,
    wait,
    unit,
    ...(atMinute === undefined ? {} : { atMinute }),
  });

  const manual = (p: Place, name: string, steps: StepIn[], more: { stopOnReply?: boolean; reenroll?: boolean } = {}) =>
    p.owner.caller.sequences.create({ name, trigger: { kind: 'manual' }, steps, ...more });

  const enroll = (p: Place, id: string, people: { id: string }[]) =>
    p.owner.caller.sequences.enroll({ id, who: { type: 'members', memberIds: people.map((m) => m.id) } });

  /**
   * The church's runner until nothing more is due now: it hands back a time a moment away when the send rate is used
   * up (other churches' runs go meanwhile), which is waited for here. Returns when it would run next.
   */
  async function run(p: Place, deps: RunnerDeps = reg.services) {
    for (let i = 0; i < 100; i++) {
      const next = await inChurch(p, (db) => runSequences(deps, db, p.tenantId));
      if (!next || next.getTime() > Date.now() + 5_000) return next;
      await sleep(Math.max(0, next.getTime() - Date.now()));
    }
    throw new Error('the runner kept asking to run again at once');
  }

  const KILLED = 'worker killed (test)';
  /** Services whose worker dies when it first asks the send rate for a turn: after the due steps were taken. */
  const killedBeforeSending = (): RunnerDeps => {
    const limiter = reg.services.messaging.sendRate;
    const dies = () => Promise.reject(new Error(KILLED));
    const sendRate = new Proxy(limiter, {
      get: (target, key, receiver) =>
        key === 'get' || key === 'consume' || key === 'penalty' ? dies : Reflect.get(target, key, receiver),
    });
    return { ...reg.services, messaging: { ...reg.services.messaging, sendRate } };
  };

  const enrollmentsOf = (p: Place, sequenceId: string) =>
    inChurch(p, (db) =>
      db
        .select()
        .from(sequenceEnrollments)
        .where(eq(sequenceEnrollments.sequenceId, sequenceId))
        .orderBy(asc(sequenceEnrollments.createdAt)),
    );
  const enrollmentOf = async (p: Place, sequenceId: string, memberId: string) => {
    const rows = (await enrollmentsOf(p, sequenceId)).filter((e) => e.memberId === memberId);
    expect(rows, 'one enrollment').toHaveLength(1);
    return rows[0]!;
  };
  /** The sequence’s enrollments (or one member’s) due now: as if their wait were over. */
  const makeDue = (p: Place, sequenceId: string, memberId?: string) =>
    inChurch(p, (db) =>
      db.execute(sql`
        update sequence_enrollments set next_at = now() - interval '1 second'
         where sequence_id = ${sequenceId} and (${memberId ?? null}::uuid is null or member_id = ${memberId ?? null})`),
    );
  const memberByPhone = async (p: Place, phone: string) =>
    (await inChurch(p, (db) => db.select().from(members).where(eq(members.phone, phone))))[0]!;
  /** The step's texts in the church's database, by status. */
  const statuses = async (p: Place, sequenceId: string, position: number) => {
    const rows = await inChurch(p, (db) =>
      db.execute<{ status: string; n: number }>(sql`
        select m.status, count(*)::int as n from messages m join sequence_enrollments e on e.id = m.enrollment_id
         where e.sequence_id = ${sequenceId} and m.step_position = ${position} group by 1`),
    );
    return Object.fromEntries([...rows].map((r) => [r.status, r.n]));
  };
  /** The texts the provider took for `phone` (with `text`, when given). */
  const textsTo = (phone: string, text?: string) =>
    fake.calls.filter((c) => c.to === phone && (text === undefined || c.text === text));
  /** A text from `from` to the church through the signed webhook, delivered twice (as Telnyx may). */
  async function textIn(p: Place, from: string, body: string) {
    const m = received(from, p.number, body);
    for (let i = 0; i < 2; i++) expect((await postSigned(reg.services, m.body)).status).toBe(200);
    return m;
  }
  const minutes = (n: number) => n * 60_000;
  const HOUR = minutes(60);
  const DAY = 24 * HOUR;

  async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
    const worker = await startWorker(reg.services);
    try {
      return await fn();
    } finally {
      await worker.stop();
    }
  }

  beforeAll(async () => {
    reg = await createMessagingRegistry({ SENDS_PER_SECOND_PER_CHURCH: '50' }, fake);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  // The worker runs only here (first): later tests call the runner themselves, and their wakes stay queued.
  describe('triggers enroll once, and the woken job sends step one once', () => {
    let p: Place;
    beforeAll(async () => {
      p = await place('Trigger Chapel');
    });

    it('a keyword: the same webhook delivered twice, and the word texted again, make one enrollment', async () => {
      const kw = await p.owner.caller.keywords.create({ keyword: 'HELLO', reply: 'Hi {first_name|friend}!' });
      const seq = await p.owner.caller.sequences.create({
        name: 'Said hello',
        trigger: { kind: 'keyword', keywordId: kw.id },
        steps: [step('Glad you said hello, {first_name|friend}!'), step('How was your week?', 3, 'days')],
      });
      const from = personNumber(7001);
      await textIn(p, from, 'hello');
      await textIn(p, from, 'Hello!'); // a second use of the word, while they are going through it
      const member = await memberByPhone(p, from);
      expect(await enrollmentsOf(p, seq.id)).toEqual([
        expect.objectContaining({ memberId: member.id, source: 'keyword', state: 'active', nextStep: 0 }),
      ]);
      const jobs = await queuedJobs(reg.admin, SEQUENCES_TASK);
      expect(jobs.map((j) => j.key)).toContain(`sequences:${p.tenantId}`); // the runner was woken

      const greeting = 'Glad you said hello, friend!'; // someone new is "New contact": the fallback
      await withWorker(async () => {
        await until(async () => textsTo(from, greeting).length > 0);
        await until(async () => (await enrollmentOf(p, seq.id, member.id)).nextAt);
      });
      await run(p); // and once more, by hand
      expect(textsTo(from, greeting)).toHaveLength(1);
      expect(textsTo(from, greeting)[0]!.from).toBe(p.number);
      const e = await enrollmentOf(p, seq.id, member.id);
      expect(e).toMatchObject({ state: 'active', nextStep: 1 });
      // Three days on, at the same time on the church's clock (London's, which may change meanwhile).
      const wall = (d: Date) => d.toLocaleTimeString('en-GB', { timeZone: 'Europe/London' });
      expect(wall(e.nextAt!)).toBe(wall(e.anchorAt));
      expect(Math.abs(e.nextAt!.getTime() - e.anchorAt.getTime() - 3 * DAY)).toBeLessThanOrEqual(HOUR);
      expect((await p.owner.caller.sequences.get({ id: seq.id })).steps.map((s) => s.sent)).toEqual([1, 0]);
    });

    it('the connect card: the same card twice enrolls once; first-visit-only ignores a returning visitor', async () => {
      const everyone = await p.owner.caller.sequences.create({
        name: 'Every card',
        trigger: { kind: 'connect_card', firstVisitOnly: false },
        steps: [step('Thanks for your card, {first_name}!')],
      });
      const firstTime = await p.owner.caller.sequences.create({
        name: 'First-timers',
        trigger: { kind: 'connect_card', firstVisitOnly: true },
        steps: [step('So glad it was your first visit, {first_name}!')],
      });
      const slug = (await reg.services.profiles.get(p.tenantId)).slug;
      const token = () => issueFormToken(reg.services.config.STEEPLE_SECRET_KEY, slug, Date.now() - 5_000);
      const card = (firstName: string, phone: string, firstVisit: 'yes' | 'no') => ({
        ...{ slug, firstName, lastName: 'Visitor', phone, firstVisit, consent: true, token: token() },
      });
      const visitor = () => caller(reg.services, null, freshIp()).connectCard;
      const ann = card('Ann', '(415) 555-0101', 'yes');
      await visitor().submit(ann);
      await visitor().submit(ann); // a double tap: the same form
      await visitor().submit(card('Ann', '(415) 555-0101', 'no')); // back the week after, a new form
      await visitor().submit(card('Bob', '(415) 555-0102', 'no')); // been before
      const annId = (await memberByPhone(p, '+14155550101')).id;
      const bobId = (await memberByPhone(p, '+14155550102')).id;
      const who = async (id: string) => (await enrollmentsOf(p, id)).map((e) => [e.memberId, e.source]);
      expect(await who(everyone.id)).toEqual([
        [annId, 'connect_card'],
        [bobId, 'connect_card'],
      ]);
      expect(await who(firstTime.id)).toEqual([[annId, 'connect_card']]);

      await withWorker(() =>
        until(async () => (await enrollmentsOf(p, everyone.id)).every((e) => e.state === 'finished')),
      );
      await run(p);
      expect(textsTo('+14155550101', 'Thanks for your card, Ann!')).toHaveLength(1);
      expect(textsTo('+14155550101', 'So glad it was your first visit, Ann!')).toHaveLength(1);
      expect(textsTo('+14155550102', 'Thanks for your card, Bob!')).toHaveLength(1);
      expect(textsTo('+14155550102', 'So glad it was your first visit, Bob!')).toHaveLength(0);
    });

    it('a date sequence, once created, wakes the runner: today’s birthday is enrolled and texted', async () => {
      const o = p.owner.caller;
      const field = await o.customFields.create({ label: 'Birthday', type: 'date' });
      const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' }).slice(5); // the church's
      const bea = await o.members.create({
        ...{ firstName: 'Bea', phone: '(415) 555-0103', subscription: 'subscribed' },
        ...{ consentNote: 'paper card', fields: { [field.id]: today === '02-29' ? '1992-02-29' : `1990-${today}` } },
      });
      const key = `sequences:${p.tenantId}`;
      await reg.admin`delete from graphile_worker._private_jobs where key = ${key}`; // no wake but the create's
      const seq = await o.sequences.create({
        name: 'Birthdays',
        trigger: { kind: 'date', fieldId: field.id, atMinute: 0 }, // midnight: the step is due at once
        steps: [step('Happy birthday, {first_name}!')],
      });
      const [job] = (await queuedJobs(reg.admin, SEQUENCES_TASK)).filter((j) => j.key === key);
      expect(job?.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);

      await withWorker(() => until(async () => textsTo('+14155550103', 'Happy birthday, Bea!').length > 0));
      expect(await enrollmentsOf(p, seq.id)).toEqual([
        expect.objectContaining({ memberId: bea.id, source: 'date', nextStep: 1 }),
      ]);
    });

    it('a wake replaces a run job that is out of attempts; a sooner run waiting stays (earliest)', async () => {
      const key = `sequences:${p.tenantId}`;
      const jobs = () =>
        reg.admin<{ attempts: number; max_attempts: number; run_at: Date }[]>`
          select attempts, max_attempts, run_at from graphile_worker._private_jobs where key = ${key}`;
      const near = (d: Date, at: number) => Math.abs(d.getTime() - at) < 5_000;
      await reg.admin`delete from graphile_worker._private_jobs where key = ${key}`;
      await enqueueSequenceRun(reg.services.registry, p.tenantId, new Date(Date.now() - minutes(5)));
      // It failed every attempt: graphile keeps it, key and all, and never runs it again.
      await reg.admin`update graphile_worker._private_jobs set attempts = max_attempts, last_error = 'failed (test)'
                       where key = ${key}`;
      await enqueueSequenceRun(reg.services.registry, p.tenantId, new Date());
      const [woken, ...more] = await jobs();
      expect(more).toEqual([]);
      expect(woken!.attempts).toBeLessThan(woken!.max_attempts);
      expect(near(woken!.run_at, Date.now())).toBe(true);

      // A later wake (the run putting itself back) leaves the sooner one as it is; a sooner wake moves a later one.
      await enqueueSequenceRun(reg.services.registry, p.tenantId, new Date(Date.now() + HOUR));
      expect((await jobs()).map((j) => j.run_at)).toEqual([woken!.run_at]);
      await reg.admin`update graphile_worker._private_jobs set run_at = now() + interval '2 hours' where key = ${key}`;
      await enqueueSequenceRun(reg.services.registry, p.tenantId, new Date(Date.now() + HOUR));
      const [moved, ...others] = await jobs();
      expect(others).toEqual([]);
      expect(near(moved!.run_at, Date.now() + HOUR)).toBe(true);
    });
  });

  describe('when steps are due: each member’s own clock, across clock changes', () => {
    let p: Place;
    beforeAll(async () => {
      p = await place('Clock Chapel');
    });

    /** dueAt (schedule.ts) worked out by PostgreSQL for an anchor: the time in UTC and on the member's clock. */
    async function due(anchor: string, tz: string, wait: number, unit: 'hours' | 'days', atMinute: number | null) {
      const at = dueAt(sql`${anchor}::timestamptz`, sql`${tz}::text`, {
        wait: sql`${wait}::int`,
        unit: sql`${unit}::text`,
        atMinute: sql`${atMinute}::int`,
      });
      const [row] = await inChurch(p, (db) =>
        db.execute<{ utc: string; local: string }>(sql`
          select to_char(${at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as utc,
                 to_char(${at} at time zone ${tz}::text, 'YYYY-MM-DD HH24:MI') as local`),
      );
      return row!;
    }

    // America/Chicago: clocks go forward on 2027-03-14 (CST, -6 → CDT, -5) and back on 2027-11-07.
    it.each([
      ['7 days at 09:00, across the spring change', '2027-03-10T15:00Z', 7, 'days', 540, '2027-03-17T14:00Z'],
      ['1 day keeps the wall time (18:00 stays 18:00)', '2027-03-14T00:00Z', 1, 'days', null, '2027-03-14T23:00Z'],
      ['24 hours does not (18:00 becomes 19:00)', '2027-03-14T00:00Z', 24, 'hours', null, '2027-03-15T00:00Z'],
      [
        '0 days at 09:00, enrolled at 18:00: the next morning',
        '2027-03-11T00:00Z',
        0,
        'days',
        540,
        '2027-03-11T15:00Z',
      ],
      ['0 days at 09:00, enrolled at 08:00: that morning', '2027-03-10T14:00Z', 0, 'days', 540, '2027-03-10T15:00Z'],
      ['0 days at 09:00, enrolled at 09:00: at once', '2027-03-10T15:00Z', 0, 'days', 540, '2027-03-10T15:00Z'],
      ['1 day keeps the wall time across the autumn change', '2027-11-06T23:00Z', 1, 'days', null, '2027-11-08T00:00Z'],
      ['2 days at 07:30, across the autumn change', '2027-11-06T03:00Z', 2, 'days', 450, '2027-11-07T13:30Z'],
      ['3 hours is 3 hours', '2027-03-14T07:30Z', 3, 'hours', null, '2027-03-14T10:30Z'],
    ] as const)('America/Chicago, wait %s', async (_name, anchor, wait, unit, atMinute, utc) => {
      expect((await due(anchor, 'America/Chicago', wait, unit, atMinute)).utc).toBe(utc);
    });

    it('the same waits read on the local clock', async () => {
      expect(await due('2027-03-10T15:00Z', 'America/Chicago', 7, 'days', 540)).toEqual({
        utc: '2027-03-17T14:00Z', // not 15:00Z: 09:00 CDT
        local: '2027-03-17 09:00',
      });
      expect((await due('2027-03-14T00:00Z', 'America/Chicago', 1, 'days', null)).local).toBe('2027-03-14 18:00');
      expect((await due('2027-03-14T00:00Z', 'America/Chicago', 24, 'hours', null)).local).toBe('2027-03-14 19:00');
      // Europe/London goes forward on 2027-03-28.
      expect(await due('2027-03-27T12:00Z', 'Europe/London', 1, 'days', 540)).toEqual({
        utc: '2027-03-28T08:00Z',
        local: '2027-03-28 09:00',
      });
    });

    it('a member in a branch elsewhere gets the step at 09:00 on their own clock', async () => {
      const [chicago, tokyo] = await inChurch(p, (db) =>
        db
          .insert(branches)
          .values([
            { name: 'Chicago', timezone: 'America/Chicago' },
            { name: 'Tokyo', timezone: 'Asia/Tokyo' },
          ])
          .returning(),
      );
      const [lon, chi, tok] = await insertMembers(reg.services, p.tenantId, [
        { firstName: 'Lon' },
        { firstName: 'Chi', branchId: chicago!.id },
        { firstName: 'Tok', branchId: tokyo!.id },
      ]);
      const seq = await manual(p, 'Next morning', [step('Good morning, {first_name}', 1, 'days', 540)]);
      await enroll(p, seq.id, [lon!, chi!, tok!]);
      // Enrolled on Saturday 2027-03-13 at 18:00 UTC: the night before Chicago's clocks go forward.
      await inChurch(p, async (db) => {
        await db.execute(sql`update sequence_enrollments set anchor_at = '2027-03-13T18:00:00Z', next_at = null
                              where sequence_id = ${seq.id}`);
        await scheduleWaiting(db, (await reg.services.profiles.get(p.tenantId)).timezone); // Europe/London
      });
      const nextAt = async (m: Member) =>
        (await p.owner.caller.sequences.forMember({ memberId: m.id }))[0]!.nextAt!.toISOString();
      expect(await nextAt(lon!)).toBe('2027-03-14T09:00:00.000Z'); // 09:00 GMT, the church's clock
      expect(await nextAt(chi!)).toBe('2027-03-14T14:00:00.000Z'); // 09:00 CDT, the first morning after the change
      expect(await nextAt(tok!)).toBe('2027-03-15T00:00:00.000Z'); // already Sunday 03:00 in Tokyo: Monday 09:00
    });

    describe('a date every year (a birthday)', () => {
      let birthday: { id: string };
      let seq: { id: string };
      let chicago: string;

      beforeAll(async () => {
        birthday = await p.owner.caller.customFields.create({ label: 'Birthday', type: 'date' });
        seq = await p.owner.caller.sequences.create({
          name: 'Birthdays',
          trigger: { kind: 'date', fieldId: birthday.id, atMinute: 540 },
          steps: [step('Happy birthday, {first_name}!', 0, 'hours')],
        });
        const [b] = await inChurch(p, (db) =>
          db.insert(branches).values({ name: 'Chicago 2', timezone: 'America/Chicago' }).returning(),
        );
        chicago = b!.id;
        // The fake clock below: now() read from a setting, for this transaction only (search_path puts it first).
        const admin = await reg.churchDb(p.tenantId);
        await admin.unsafe(`
          create schema test_clock;
          create function test_clock.now() returns timestamptz language sql stable
            as $$ select current_setting('steeple_test.now')::timestamptz $$;
          grant usage on schema test_clock to public;`);
      });

      let phones = 7100;
      /** People with a birthday (and a branch), created as the member form does. */
      async function people(rows: { name: string; born: string; branchId?: string; subscribed?: boolean }[]) {
        const out: Record<string, string> = {};
        for (const r of rows) {
          const m = await p.owner.caller.members.create({
            firstName: r.name,
            phone: personNumber(++phones),
            branchId: r.branchId ?? null,
            fields: { [birthday.id]: r.born },
            ...(r.subscribed === false ? {} : { subscription: 'subscribed' as const, consentNote: 'paper card' }),
          });
          out[r.name] = m.id;
        }
        return out;
      }

      /** `fn` in a transaction whose now() is `iso`, rolled back afterwards. */
      async function atClock<T>(iso: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
        const rollback = new Error('rollback');
        let out: T | undefined;
        await inChurch(p, (db) =>
          db.transaction(async (tx) => {
            await tx.execute(sql`select set_config('steeple_test.now', ${iso}, true)`);
            await tx.execute(sql`set local search_path = test_clock, public, pg_catalog`);
            out = await fn(tx);
            throw rollback;
          }),
        ).catch((err: unknown) => {
          if (err !== rollback) throw err;
        });
        return out!;
      }

      it('29 February counts on 28 February in other years; "today" is the member’s own', async () => {
        const ids = await people([
          { name: 'Leap', born: '1992-02-29' },
          { name: 'Feb28', born: '1985-02-28' },
          { name: 'Mar1', born: '1980-03-01' },
          { name: 'ChiLeap', born: '2000-02-29', branchId: chicago },
          { name: 'Unsub', born: '1992-02-29', subscribed: false }, // not opted in: never enrolled
        ]);
        const name = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
        const enrolledAt = (iso: string) =>
          atClock(iso, async (tx) => {
            const n = await enrollOnDates(tx, 'Europe/London');
            expect(await enrollOnDates(tx, 'Europe/London'), 'a second run the same day').toBe(0);
            const rows = await tx.select().from(sequenceEnrollments).where(eq(sequenceEnrollments.sequenceId, seq.id));
            expect(rows).toHaveLength(n);
            return Object.fromEntries(
              rows.map((r) => [name[r.memberId!], `${r.occurrence} ${r.anchorAt.toISOString()} ${r.source}`]),
            );
          });
        // 2027 is no leap year: 28 February is Leap's day (and Chicago's, where it is 06:00).
        expect(await enrolledAt('2027-02-28T12:00:00Z')).toEqual({
          Leap: '2027 2027-02-28T09:00:00.000Z date',
          Feb28: '2027 2027-02-28T09:00:00.000Z date',
          ChiLeap: '2027 2027-02-28T15:00:00.000Z date', // 09:00 CST
        });
        // 03:00 on 1 March in London, 21:00 on 28 February in Chicago.
        expect(await enrolledAt('2027-03-01T03:00:00Z')).toEqual({
          Mar1: '2027 2027-03-01T09:00:00.000Z date',
          ChiLeap: '2027 2027-02-28T15:00:00.000Z date',
        });
        // 2028 is a leap year: 29 February is its own day.
        expect(await enrolledAt('2028-02-28T12:00:00Z')).toEqual({ Feb28: '2028 2028-02-28T09:00:00.000Z date' });
        expect(await enrolledAt('2028-02-29T12:00:00Z')).toEqual({
          Leap: '2028 2028-02-29T09:00:00.000Z date',
          ChiLeap: '2028 2028-02-29T15:00:00.000Z date',
        });
        // Once a year: last year's (finished) enrollment does not keep them from this year's.
        const years = await atClock('2027-02-28T12:00:00Z', async (tx) => {
          await enrollOnDates(tx, 'Europe/London');
          await tx.execute(sql`update sequence_enrollments set state = 'finished' where sequence_id = ${seq.id}`);
          await tx.execute(sql`select set_config('steeple_test.now', '2028-02-29T12:00:00Z', true)`);
          await enrollOnDates(tx, 'Europe/London');
          await enrollOnDates(tx, 'Europe/London');
          const rows = await tx
            .select()
            .from(sequenceEnrollments)
            .where(and(eq(sequenceEnrollments.sequenceId, seq.id), eq(sequenceEnrollments.memberId, ids.Leap!)));
          return rows.map((r) => r.occurrence).sort();
        });
        expect(years).toEqual(['2027', '2028']);
        await inChurch(p, (db) => db.delete(members).where(inArray(members.id, Object.values(ids)))); // not today's
      });

      it('today’s birthday: enrolled once this year, the step at 09:00 on their clock, sent once', async () => {
        // A zone where it is now between 02:00 and 08:00, so 09:00 today is still ahead (Etc/GMT-5 is UTC+5).
        const hourThere = (offset: number) => (new Date().getUTCHours() + offset + 24) % 24;
        const offset = [...Array(26).keys()].map((i) => i - 11).find((h) => hourThere(h) >= 2 && hourThere(h) < 8)!;
        const zone = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
        const [away] = await inChurch(p, (db) =>
          db.insert(branches).values({ name: 'Away', timezone: zone }).returning(),
        );
        const local = new Date(Date.now() + offset * HOUR); // its clock, read as UTC
        const today = local.toISOString().slice(5, 10);
        const tomorrow = new Date(local.getTime() + DAY).toISOString().slice(5, 10);
        const born = (mmdd: string) => (mmdd === '02-29' ? '1992-02-29' : `1990-${mmdd}`);
        const ids = await people([
          { name: 'Today', born: born(today), branchId: away!.id },
          { name: 'Tomorrow', born: born(tomorrow), branchId: away!.id },
        ]);
        const phone = (await p.owner.caller.members.get({ id: ids.Today! })).phone;

        expect(await run(p)).not.toBeNull();
        await run(p); // twice: still one enrollment this year
        const rows = await enrollmentsOf(p, seq.id);
        expect(rows.map((r) => [r.memberId, r.occurrence, r.state])).toEqual([
          [ids.Today, String(local.getUTCFullYear()), 'active'],
        ]);
        const nine = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 9) - offset * HOUR;
        expect(rows[0]!.nextAt!.toISOString()).toBe(new Date(nine).toISOString());
        expect(textsTo(phone)).toEqual([]); // not before 09:00

        await makeDue(p, seq.id); // 09:00 came
        await run(p);
        await run(p);
        expect(textsTo(phone, 'Happy birthday, Today!')).toHaveLength(1);
        expect(await enrollmentsOf(p, seq.id)).toEqual([expect.objectContaining({ state: 'finished' })]);
      });
    });
  });

  describe('a worker killed mid-run never texts anyone twice', () => {
    /** The provider takes the `hangAt`-th text (it leaves), then its worker freezes before recording it. */
    class FreezingProvider implements MessagingProvider {
      readonly name = 'outbox' as const;
      taken = 0;
      private thaw: (() => void) | null = null;
      constructor(
        private inner: FakeProvider,
        private hangAt: number,
      ) {}
      async send(message: OutboundText) {
        const result = await this.inner.send(message);
        if (++this.taken === this.hangAt) await new Promise<void>((resolve) => (this.thaw = resolve));
        return result;
      }
      release() {
        this.thaw?.();
      }
    }

    it('100 enrollments: killed after taking the steps, frozen mid-send, then runs racing', async () => {
      const p = await place('Crash Chapel');
      const people = await insertMembers(
        reg.services,
        p.tenantId,
        Array.from({ length: 100 }, (_, i) => ({ firstName: `P${i}` })),
      );
      const seq = await manual(p, 'Hundred', [
        step('Welcome, {first_name}!'),
        step('Day two, {first_name}', 2, 'days'),
      ]);
      const all = { id: seq.id, who: { type: 'audience' as const, audience: { type: 'all' as const } } };
      expect(await p.owner.caller.sequences.enroll(all)).toEqual({ enrolled: 100, skipped: 0 });
      const counts = (text: (m: Member) => string) => people.map((m) => textsTo(m.phone, text(m)).length);
      const first = (m: Member) => `Welcome, ${m.firstName}!`;
      const second = (m: Member) => `Day two, ${m.firstName}`;

      // 1. Killed after the due steps were taken (written, the enrollments moved on), before any was sent.
      // Two such runs at once: the steps are taken by one of them (the other finds them taken, or dies too).
      const killed = await Promise.allSettled([run(p, killedBeforeSending()), run(p, killedBeforeSending())]);
      expect(killed.some((r) => r.status === 'rejected' && String(r.reason).includes(KILLED))).toBe(true);
      expect(await statuses(p, seq.id, 0)).toEqual({ queued: 100 });
      expect(counts(first).every((n) => n === 0)).toBe(true);
      expect((await enrollmentsOf(p, seq.id)).every((e) => e.nextStep === 1 && e.state === 'active')).toBe(true);

      // 2. The next run sends from that queue; its worker freezes inside the provider call of the 31st text (which
      // left), so the text is never recorded as sent.
      const freezing = new FreezingProvider(fake, 31);
      const frozen = inChurch(p, (db) =>
        runSequences({ ...reg.services, messaging: { ...reg.services.messaging, provider: freezing } }, db, p.tenantId),
      );
      try {
        await until(async () => freezing.taken === 31);
        expect(await statuses(p, seq.id, 0)).toEqual({ sent: 30, sending: 1, queued: 69 });

        // 3. Three runs at once while the text is "in flight": none may touch it, and they wait for it to settle.
        const racing = await Promise.all([run(p), run(p), run(p)]);
        for (const next of racing) expect(next!.getTime()).toBeGreaterThan(Date.now() + 30_000);
        expect(await statuses(p, seq.id, 0)).toEqual({ sent: 30, sending: 1, queued: 69 });

        // 4. Ten minutes on it is taken for lost: failed, never resent; three runs at once send the rest.
        await inChurch(p, (db) =>
          db.execute(sql`update messages set status_at = now() - interval '11 minutes'
                          where status = 'sending' and enrollment_id is not null`),
        );
        await Promise.all([run(p), run(p), run(p)]);
        expect(await statuses(p, seq.id, 0)).toEqual({ sent: 99, failed: 1 });
        const [lost] = await inChurch(p, (db) =>
          db
            .select()
            .from(messages)
            .where(and(eq(messages.status, 'failed'), eq(messages.stepPosition, 0))),
        );
        expect(lost!.error).toMatch(/interrupted while sending, and not retried/);
      } finally {
        freezing.release(); // the frozen worker wakes; what it held is settled already
        await frozen;
      }
      expect(counts(first)).toEqual(people.map(() => 1)); // everyone once: the lost one's text did leave

      // 5. The second step, due for all 100, taken by four runs at once: each enrollment's step by one of them.
      await makeDue(p, seq.id);
      await Promise.all([run(p), run(p), run(p), run(p)]);
      await run(p);
      expect(counts(second)).toEqual(people.map(() => 1));
      expect(await statuses(p, seq.id, 1)).toEqual({ sent: 100 });
      expect((await enrollmentsOf(p, seq.id)).map((e) => e.nextStep)).toEqual(people.map(() => 2)); // each step once
      const view = await p.owner.caller.sequences.get({ id: seq.id });
      expect(view).toMatchObject({ enrolled: 100, finished: 100, active: 0, stopped: 0 });
      expect(view.steps.map((s) => s.sent)).toEqual([99, 100]);

      // 6. A step taken again (five enrollments put back to it, as a restore of an older backup would): the ledger
      // has its text already, so nothing is written or sent twice.
      await inChurch(p, (db) =>
        db.execute(sql`
          update sequence_enrollments set state = 'active', next_step = 0, next_at = now(), ended_at = null
           where id in (select id from sequence_enrollments where sequence_id = ${seq.id} order by id limit 5)`),
      );
      await run(p);
      expect(await statuses(p, seq.id, 0)).toEqual({ sent: 99, failed: 1 });
      expect(counts(first)).toEqual(people.map(() => 1));
    });
  });

  describe('stopping, pausing, editing, quiet hours and consent', () => {
    let p: Place;
    beforeAll(async () => {
      p = await place('Flow Chapel');
    });

    it('STOP through the webhook mid-sequence stops it (opted out) before the next step, even made due', async () => {
      const [ann, bob] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Ann' }, { firstName: 'Bob' }]);
      const seq = await manual(p, 'Stops', [step('Welcome, {first_name}!'), step('Next, {first_name}', 1, 'days')]);
      await enroll(p, seq.id, [ann!, bob!]);
      await run(p);
      expect(textsTo(ann!.phone, 'Welcome, Ann!')).toHaveLength(1);
      expect(textsTo(bob!.phone, 'Welcome, Bob!')).toHaveLength(1);

      // Ann texts STOP while her next step waits.
      await textIn(p, ann!.phone, 'STOP');
      expect(await enrollmentOf(p, seq.id, ann!.id)).toMatchObject({ state: 'stopped', stopReason: 'opted_out' });
      // Bob's next step was taken (its text queued) when the worker died; then he texts STOP.
      await makeDue(p, seq.id, bob!.id);
      await expect(run(p, killedBeforeSending())).rejects.toThrow(KILLED);
      expect(await statuses(p, seq.id, 1)).toEqual({ queued: 1 });
      await textIn(p, bob!.phone, 'stop');

      await makeDue(p, seq.id); // Ann's too, by force
      await run(p);
      expect(textsTo(ann!.phone, 'Next, Ann')).toEqual([]);
      expect(textsTo(bob!.phone, 'Next, Bob')).toEqual([]);
      expect(await statuses(p, seq.id, 1)).toEqual({ failed: 1 });
      const [held] = await inChurch(p, (db) => db.select().from(messages).where(eq(messages.body, 'Next, Bob')));
      expect(held).toMatchObject({ kind: 'sequence', errorCode: STEEPLE_CODES.unsubscribed });
      expect(await enrollmentOf(p, seq.id, bob!.id)).toMatchObject({ state: 'stopped', stopReason: 'opted_out' });
      const view = await p.owner.caller.sequences.get({ id: seq.id });
      expect(view.stoppedBecause).toEqual([{ reason: 'opted_out', count: 2 }]);
      expect(view.steps.map((s) => s.sent)).toEqual([2, 0]);
    });

    it('a reply after step one stops a stop-on-reply sequence and counts for step one; another goes on', async () => {
      const [cat, dan] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Cat' }, { firstName: 'Dan' }]);
      const steps = [step('How are you, {first_name}?'), step('Checking in again, {first_name}', 2, 'days')];
      const stops = await manual(p, 'Stops on reply', steps);
      const goesOn = await manual(
        p,
        'Goes on',
        steps.map((s) => ({ ...s, body: `${s.body}!` })),
        { stopOnReply: false },
      );
      await enroll(p, stops.id, [cat!]);
      await enroll(p, goesOn.id, [dan!]);
      await run(p);
      expect(textsTo(cat!.phone, 'How are you, Cat?')).toHaveLength(1);
      expect(textsTo(dan!.phone, 'How are you, Dan?!')).toHaveLength(1);

      await textIn(p, cat!.phone, 'Doing well, thanks!');
      await textIn(p, dan!.phone, 'Good thanks');
      await textIn(p, dan!.phone, 'And you?'); // a second reply to the same step counts once
      expect(await enrollmentOf(p, stops.id, cat!.id)).toMatchObject({ state: 'stopped', stopReason: 'replied' });
      expect(await enrollmentOf(p, goesOn.id, dan!.id)).toMatchObject({ state: 'active', nextStep: 1 });
      const stopped = await p.owner.caller.sequences.get({ id: stops.id });
      expect(stopped.steps.map((s) => [s.sent, s.replies])).toEqual([
        [1, 1],
        [0, 0],
      ]);
      expect(stopped.stoppedBecause).toEqual([{ reason: 'replied', count: 1 }]);
      expect((await p.owner.caller.sequences.get({ id: goesOn.id })).steps[0]).toMatchObject({ sent: 1, replies: 1 });

      await makeDue(p, stops.id);
      await makeDue(p, goesOn.id);
      await run(p);
      expect(textsTo(cat!.phone, 'Checking in again, Cat')).toEqual([]);
      expect(textsTo(dan!.phone, 'Checking in again, Dan!')).toHaveLength(1);
      expect(await enrollmentOf(p, goesOn.id, dan!.id)).toMatchObject({ state: 'finished' });
      expect((await p.owner.caller.sequences.get({ id: goesOn.id })).steps.map((s) => s.replies)).toEqual([1, 0]);
    });

    it('a reply more than a week after the last sequence text is not counted for its step', async () => {
      const [eli] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Eli' }]);
      const seq = await manual(
        p,
        'Old news',
        [step('Long ago, {first_name}'), step('Later, {first_name}', 30, 'days')],
        {
          stopOnReply: false,
        },
      );
      await enroll(p, seq.id, [eli!]);
      await run(p);
      await inChurch(p, (db) =>
        db.execute(sql`update messages set created_at = now() - interval '8 days' where body = 'Long ago, Eli'`),
      );
      await textIn(p, eli!.phone, 'Who is this?');
      expect((await p.owner.caller.sequences.get({ id: seq.id })).steps[0]).toMatchObject({ sent: 1, replies: 0 });
    });

    it('pausing holds due steps (nothing sent), resuming sends them', async () => {
      const [fay, gus] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Fay' }, { firstName: 'Gus' }]);
      const seq = await manual(p, 'Pausable', [step('Hello {first_name}, from the pause test')]);
      await enroll(p, seq.id, [fay!]);
      await p.owner.caller.sequences.setPaused({ id: seq.id, paused: true });
      expect(await enroll(p, seq.id, [gus!])).toEqual({ enrolled: 1, skipped: 0 }); // by hand, paused or not
      await run(p);
      await makeDue(p, seq.id);
      await run(p);
      expect(textsTo(fay!.phone)).toEqual([]);
      expect(textsTo(gus!.phone)).toEqual([]);
      expect((await enrollmentsOf(p, seq.id)).map((e) => [e.state, e.nextStep])).toEqual([
        ['active', 0],
        ['active', 0],
      ]);
      expect((await p.owner.caller.sequences.list()).find((s) => s.id === seq.id)).toMatchObject({ state: 'paused' });
      expect((await p.owner.caller.sequences.forMember({ memberId: fay!.id }))[0]).toMatchObject({ paused: true });

      const before = (await queuedJobs(reg.admin, SEQUENCES_TASK)).filter((j) => j.key === `sequences:${p.tenantId}`);
      await reg.admin`delete from graphile_worker._private_jobs where id = any(${before.map((j) => j.id)}::bigint[])`;
      await p.owner.caller.sequences.setPaused({ id: seq.id, paused: false });
      const woken = await queuedJobs(reg.admin, SEQUENCES_TASK);
      expect(woken.filter((j) => j.key === `sequences:${p.tenantId}`)).toHaveLength(1); // the resume wakes the runner
      await run(p);
      expect(textsTo(fay!.phone, 'Hello Fay, from the pause test')).toHaveLength(1);
      expect(textsTo(gus!.phone, 'Hello Gus, from the pause test')).toHaveLength(1);
    });

    it('editing the steps applies to the steps not yet sent', async () => {
      const [hal] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Hal' }]);
      const seq = await manual(p, 'Editable', [step('First, {first_name}'), step('Old second', 120, 'hours')]);
      await enroll(p, seq.id, [hal!]);
      await run(p);
      expect(textsTo(hal!.phone, 'First, Hal')).toHaveLength(1);
      const sentAt = (await enrollmentOf(p, seq.id, hal!.id)).anchorAt;
      expect((await enrollmentOf(p, seq.id, hal!.id)).nextAt!.getTime() - sentAt.getTime()).toBe(5 * DAY);

      await p.owner.caller.sequences.update({
        id: seq.id,
        name: 'Editable',
        trigger: { kind: 'manual' },
        steps: [step('First, {first_name}'), step('New second for {first_name}', 2, 'hours')], // step 1 as it was
      });
      await run(p);
      const [mine] = await p.owner.caller.sequences.forMember({ memberId: hal!.id });
      expect(mine).toMatchObject({ nextStep: 1, steps: 2, nextBody: 'New second for {first_name}' });
      expect(mine!.nextAt!.getTime() - sentAt.getTime()).toBe(2 * HOUR); // the new wait, from the first step's send

      await makeDue(p, seq.id);
      await run(p);
      expect(textsTo(hal!.phone, 'New second for Hal')).toHaveLength(1);
      expect(textsTo(hal!.phone, 'Old second')).toEqual([]);
      expect(textsTo(hal!.phone, 'First, Hal')).toHaveLength(1); // sent already: not again
      expect(await enrollmentOf(p, seq.id, hal!.id)).toMatchObject({ state: 'finished' });
    });

    it('a step due in the member’s quiet hours is held until they end, never sent inside them', async () => {
      const [utc] = await inChurch(p, (db) => db.insert(branches).values({ name: 'UTC', timezone: 'UTC' }).returning());
      const [ivy] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Ivy', branchId: utc!.id }]);
      const seq = await manual(p, 'Quiet', [step('Morning, {first_name}')]);
      // Quiet all day but the minute seven from now (UTC, Ivy's clock).
      const now = Math.floor(Date.now() / 60_000) % (24 * 60);
      const quiet = { enabled: true, startMinute: (now + 8) % 1440, endMinute: (now + 7) % 1440 };
      await p.owner.caller.church.updateQuietHours(quiet);
      try {
        await enroll(p, seq.id, [ivy!]);
        const ranAt = Date.now();
        await run(p);
        expect(textsTo(ivy!.phone)).toEqual([]);
        let end = Math.floor(ranAt / DAY) * DAY + minutes(quiet.endMinute);
        if (end < ranAt) end += DAY;
        const held = await enrollmentOf(p, seq.id, ivy!.id);
        expect(held).toMatchObject({ state: 'active', nextStep: 0 });
        expect(held.nextAt!.toISOString()).toBe(new Date(end).toISOString()); // when her quiet hours end

        await makeDue(p, seq.id); // due again, still inside them: held again
        await run(p);
        expect(textsTo(ivy!.phone)).toEqual([]);
        expect((await enrollmentOf(p, seq.id, ivy!.id)).nextAt!.getTime()).toBeGreaterThan(Date.now());

        await p.owner.caller.church.updateQuietHours({ enabled: false, startMinute: 0, endMinute: 0 });
        await makeDue(p, seq.id);
        await run(p);
        expect(textsTo(ivy!.phone, 'Morning, Ivy')).toHaveLength(1);
      } finally {
        await p.owner.caller.church.updateQuietHours({ enabled: false, startMinute: 0, endMinute: 0 });
      }
    });

    it('someone no longer opted in is not texted: stopped by the runner, or failed by the sender', async () => {
      const [jo, kim] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Jo' }, { firstName: 'Kim' }]);
      const seq = await manual(p, 'Consent', [step('A note for {first_name}')]);
      await enroll(p, seq.id, [jo!]);
      await expect(run(p, killedBeforeSending())).rejects.toThrow(KILLED); // Jo's text queued
      await enroll(p, seq.id, [kim!]);
      // Both turn out never to have agreed (a correction in the database).
      await inChurch(p, (db) =>
        db.execute(sql`update members set subscription = 'not_opted_in' where id in (${jo!.id}, ${kim!.id})`),
      );
      await run(p);
      expect(textsTo(jo!.phone)).toEqual([]);
      expect(textsTo(kim!.phone)).toEqual([]);
      expect(await statuses(p, seq.id, 0)).toEqual({ failed: 1 });
      const [jos] = await inChurch(p, (db) => db.select().from(messages).where(eq(messages.body, 'A note for Jo')));
      expect(jos).toMatchObject({ errorCode: STEEPLE_CODES.notOptedIn, error: expect.stringMatching(/not opted in/) });
      expect(await enrollmentOf(p, seq.id, kim!.id)).toMatchObject({ state: 'stopped', stopReason: 'not_opted_in' });
    });

    it('a reply before step one does not stop a stop-on-reply sequence; one after it does', async () => {
      const [lou] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Lou' }]);
      const seq = await manual(p, 'Starts tomorrow', [
        step('Good to meet you, {first_name}', 1, 'days'),
        step('Still there, {first_name}?', 1, 'days'),
      ]);
      await enroll(p, seq.id, [lou!]);
      await run(p);
      await textIn(p, lou!.phone, 'Thanks!'); // to something else: nothing of this sequence has gone out
      expect(await enrollmentOf(p, seq.id, lou!.id)).toMatchObject({ state: 'active', nextStep: 0 });

      await makeDue(p, seq.id);
      await run(p);
      expect(textsTo(lou!.phone, 'Good to meet you, Lou')).toHaveLength(1);
      await textIn(p, lou!.phone, 'You too');
      expect(await enrollmentOf(p, seq.id, lou!.id)).toMatchObject({ state: 'stopped', stopReason: 'replied' });
    });

    it('a text already written waits out the member’s quiet hours; the run comes back when they end', async () => {
      const [utc] = await inChurch(p, (db) =>
        db.insert(branches).values({ name: 'UTC too', timezone: 'UTC' }).returning(),
      );
      const [max] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Max', branchId: utc!.id }]);
      const seq = await manual(p, 'Written before', [step('Evening, {first_name}'), step('Later', 1, 'days')]);
      await enroll(p, seq.id, [max!]);
      fake.failFor(max!.phone, 'transient'); // the provider down: the text is written, and stays queued
      await run(p);
      expect(await statuses(p, seq.id, 0)).toEqual({ queued: 1 });
      // Then their quiet hours begin: all day but the minute seven from now (UTC, Max's clock).
      const now = Math.floor(Date.now() / 60_000) % (24 * 60);
      const quiet = { enabled: true, startMinute: (now + 8) % 1440, endMinute: (now + 7) % 1440 };
      await p.owner.caller.church.updateQuietHours(quiet);
      try {
        const ranAt = Date.now();
        const next = await run(p);
        expect(textsTo(max!.phone)).toEqual([]);
        expect(await statuses(p, seq.id, 0)).toEqual({ queued: 1 });
        let end = Math.floor(ranAt / DAY) * DAY + minutes(quiet.endMinute);
        if (end < ranAt) end += DAY;
        expect(next?.toISOString()).toBe(new Date(end).toISOString());
      } finally {
        await p.owner.caller.church.updateQuietHours({ enabled: false, startMinute: 0, endMinute: 0 });
      }
      await run(p);
      expect(textsTo(max!.phone, 'Evening, Max')).toHaveLength(1);
      expect(await statuses(p, seq.id, 0)).toEqual({ sent: 1 });
    });

    it('a paused sequence’s texts already written wait for the resume; remove fails one not sent yet', async () => {
      const [kai, lia] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Kai' }, { firstName: 'Lia' }]);
      const seq = await manual(p, 'Held texts', [step('Held for {first_name}'), step('Then', 1, 'days')]);
      await enroll(p, seq.id, [kai!, lia!]);
      await expect(run(p, killedBeforeSending())).rejects.toThrow(KILLED); // both texts written, not sent
      await p.owner.caller.sequences.setPaused({ id: seq.id, paused: true });
      await run(p);
      expect([...textsTo(kai!.phone), ...textsTo(lia!.phone)]).toEqual([]);
      expect(await statuses(p, seq.id, 0)).toEqual({ queued: 2 });

      const [lias] = await p.owner.caller.sequences.forMember({ memberId: lia!.id });
      await p.owner.caller.sequences.remove({ enrollmentId: lias!.enrollmentId });
      const [dropped] = await inChurch(p, (db) => db.select().from(messages).where(eq(messages.body, 'Held for Lia')));
      expect(dropped).toMatchObject({
        status: 'failed',
        error: 'Not sent: they left the sequence before it went out.',
      });

      await p.owner.caller.sequences.setPaused({ id: seq.id, paused: false });
      await run(p);
      expect(textsTo(kai!.phone, 'Held for Kai')).toHaveLength(1);
      expect(textsTo(lia!.phone)).toEqual([]);
      expect(await statuses(p, seq.id, 0)).toEqual({ sent: 1, failed: 1 });
    });
  });

  describe('the tag trigger', () => {
    let p: Place;
    beforeAll(async () => {
      p = await place('Tag Chapel');
    });

    it('adding the tag through members.update or a CSV import enrolls; an unrelated edit does not', async () => {
      const o = p.owner.caller;
      const subscribed = { subscription: 'subscribed' as const, consentNote: 'paper card' };
      const had = await o.members.create({
        firstName: 'Had',
        phone: '(202) 555-0140',
        tags: ['volunteer'],
        ...subscribed,
      });
      const seq = await o.sequences.create({
        name: 'Volunteers',
        trigger: { kind: 'tag', tag: 'Volunteer' },
        steps: [step('Thanks for volunteering, {first_name|friend}!')],
      });
      const ann = await o.members.create({ firstName: 'Ann', phone: '(202) 555-0141', ...subscribed });
      const bob = await o.members.create({ firstName: 'Bob', phone: '(202) 555-0142', ...subscribed });
      const cy = await o.members.create({ firstName: 'Cy', phone: '(202) 555-0143' }); // not opted in
      await reg.admin`delete from graphile_worker._private_jobs where key = ${`sequences:${p.tenantId}`}`;

      await o.members.update({ id: ann.id, tags: ['VOLUNTEER', 'choir'] });
      expect((await queuedJobs(reg.admin, SEQUENCES_TASK)).map((j) => j.key)).toContain(`sequences:${p.tenantId}`);
      await o.members.update({ id: had.id, notes: 'moved house' }); // had it all along
      await o.members.update({ id: had.id, tags: ['volunteer', 'choir'] }); // still had it
      await o.members.update({ id: cy.id, tags: ['volunteer'] });
      const csv = [
        'first_name,phone,tags,subscribed',
        'Bob,(202) 555-0142,volunteer;youth,', // already a member: the tag is added
        'Dee,(202) 555-0144,Volunteer,yes', // new, and agreed
        'Eve,(202) 555-0145,volunteer,no', // new, and said no
      ].join('\n');
      expect(await o.members.import({ csv, consentConfirmed: true })).toMatchObject({ created: 2, updated: 1 });
      const dee = await memberByPhone(p, '+12025550144');
      // Created with it, and given it by a keyword someone texts in.
      const gia = await o.members.create({
        firstName: 'Gia',
        phone: '(202) 555-0146',
        tags: ['volunteer'],
        ...subscribed,
      });
      await o.keywords.create({ keyword: 'SERVE', reply: 'Thanks!', addTags: ['volunteer'] });
      const texter = personNumber(7201);
      await textIn(p, texter, 'serve');
      const byKeyword = await memberByPhone(p, texter);
      const byMember = async () =>
        Object.fromEntries((await enrollmentsOf(p, seq.id)).map((e) => [e.memberId, [e.source, e.state]]));
      expect(await byMember()).toEqual({
        [ann.id]: ['tag', 'active'],
        [bob.id]: ['tag', 'active'],
        [dee.id]: ['tag', 'active'],
        [gia.id]: ['tag', 'active'],
        [byKeyword.id]: ['tag', 'active'],
      });

      await run(p);
      expect(textsTo(texter, 'Thanks for volunteering, friend!')).toHaveLength(1);
      expect(textsTo('+12025550141', 'Thanks for volunteering, Ann!')).toHaveLength(1);
      expect(textsTo('+12025550142', 'Thanks for volunteering, Bob!')).toHaveLength(1);
      expect(textsTo('+12025550144', 'Thanks for volunteering, Dee!')).toHaveLength(1);
      expect(textsTo('+12025550140')).toEqual([]);
      expect(textsTo('+12025550143')).toEqual([]);
      expect(textsTo('+12025550145')).toEqual([]);
    });

    it('reenroll off: the tag again after finishing does not enroll; reenroll on: it does', async () => {
      const o = p.owner.caller;
      const input = {
        name: 'Retreat',
        trigger: { kind: 'tag' as const, tag: 'retreat' },
        steps: [step('See you at the retreat, {first_name}')],
      };
      const seq = await o.sequences.create(input);
      const fin = await o.members.create({
        ...{ firstName: 'Fin', phone: '(202) 555-0150', subscription: 'subscribed' },
        consentNote: 'paper card',
      });
      const tagged = async (tags: string[]) => o.members.update({ id: fin.id, tags });
      await tagged(['retreat']);
      await run(p);
      expect(await enrollmentsOf(p, seq.id)).toEqual([expect.objectContaining({ state: 'finished' })]);

      await tagged([]);
      await tagged(['retreat']);
      expect(await enrollmentsOf(p, seq.id)).toHaveLength(1);
      expect(await enroll(p, seq.id, [fin])).toEqual({ enrolled: 0, skipped: 1 }); // nor by hand

      await o.sequences.update({ id: seq.id, ...input, reenroll: true });
      await tagged([]);
      await tagged(['Retreat']);
      expect((await enrollmentsOf(p, seq.id)).map((e) => e.state)).toEqual(['finished', 'active']);
      await run(p);
      expect(textsTo('+12025550150', 'See you at the retreat, Fin')).toHaveLength(2);
    });

    it('one save that adds the tag and subscribes someone not opted in enrolls them', async () => {
      const o = p.owner.caller;
      const seq = await o.sequences.create({
        name: 'Greeters',
        trigger: { kind: 'tag', tag: 'greeter' },
        steps: [step('Welcome to the greeters, {first_name}!')],
      });
      const gil = await o.members.create({ firstName: 'Gil', phone: '(202) 555-0160' }); // not opted in
      await o.members.update({ id: gil.id, tags: ['greeter'], subscription: 'subscribed', consentNote: 'at the door' });
      expect(await enrollmentsOf(p, seq.id)).toEqual([
        expect.objectContaining({ memberId: gil.id, source: 'tag', state: 'active' }),
      ]);
      await run(p);
      expect(textsTo('+12025550160', 'Welcome to the greeters, Gil!')).toHaveLength(1);
    });

    it('a CSV import that unsubscribes someone ends their sequences (opted out), as their STOP would', async () => {
      const o = p.owner.caller;
      const seq = await manual(p, 'Imported', [step('Hello {first_name}'), step('Later, {first_name}', 1, 'days')]);
      const people = await insertMembers(
        reg.services,
        p.tenantId,
        ['Hana', 'Ivo', 'Jem'].map((firstName, i) => ({ firstName, phone: `+1202555017${i}` })),
      );
      await enroll(p, seq.id, people);
      await run(p);
      const csv = [
        'first_name,phone,subscribed',
        'Hana,(202) 555-0170,no',
        'Ivo,(202) 555-0171,unsubscribed',
        'Jem,(202) 555-0172,yes',
      ].join('\n');
      expect(await o.members.import({ csv, consentConfirmed: true })).toMatchObject({ created: 0, updated: 3 });
      const [hana, ivo, jem] = people.map((m) => m.id);
      const byMember = Object.fromEntries(
        (await enrollmentsOf(p, seq.id)).map((e) => [e.memberId, [e.state, e.stopReason]]),
      );
      expect(byMember).toEqual({
        [hana!]: ['stopped', 'opted_out'],
        [ivo!]: ['stopped', 'opted_out'],
        [jem!]: ['active', null],
      });
    });
  });

  describe('managing sequences', () => {
    let p: Place;
    let staff: SignedInClient;
    beforeAll(async () => {
      p = await place('Rules Chapel');
      const s = await addTeammate(reg.services, p.owner.caller, `seq-staff-${process.pid}@example.org`, 'staff');
      staff = await signIn(reg.services, s.email, s.password);
    });

    /** A refusal's messages by field, as the page shows them beside each. */
    const fieldsOf = (err: Record<string, unknown>) =>
      Object.fromEntries((err.cause as ZodError).issues.map((i) => [i.path.join('.'), i.message]));
    const good = { name: 'Welcome', trigger: { kind: 'manual' as const }, steps: [step('Hi {first_name|friend}')] };

    it('refuses what cannot work, beside the field, with a clear message (BAD_REQUEST)', async () => {
      const o = p.owner.caller;
      const yesNo = await o.customFields.create({ label: 'Baptised', type: 'yes_no' });
      const cases: [unknown, Record<string, string | RegExp>][] = [
        [{ ...good, steps: [] }, { steps: 'Add a first step' }],
        [{ ...good, steps: Array.from({ length: 11 }, () => step('x')) }, { steps: 'Use at most 10 steps' }],
        [{ ...good, name: '   ' }, { name: 'Name the sequence' }],
        [
          { ...good, steps: [step('Hi', 2, 'hours', 540)] },
          { 'steps.0.atMinute': 'A time of day goes with a wait in days' },
        ],
        [{ ...good, steps: [step('Hi', 366, 'days')] }, { 'steps.0.wait': 'Wait at most a year between steps' }],
        [{ ...good, steps: [step('Hi', -1, 'days')] }, { 'steps.0.wait': 'A wait cannot be negative' }],
        [{ ...good, steps: [step('Hi'), step('  ', 1, 'days')] }, { 'steps.1.body': 'Write a message' }],
        [
          { ...good, steps: [step('Hi'), step('Hi {frist_name}', 1, 'days')] },
          { 'steps.1.body': /^Unknown merge field \{frist_name\}\. Use \{first_name\}/ },
        ],
        [
          { ...good, trigger: { kind: 'date', fieldId: yesNo.id, atMinute: 540 } },
          { trigger: 'Choose a date field (add one under Settings → Member fields).' },
        ],
        [
          { ...good, trigger: { kind: 'date', fieldId: crypto.randomUUID(), atMinute: 540 } },
          { trigger: /^Choose a date field/ },
        ],
        [
          { ...good, trigger: { kind: 'keyword', keywordId: crypto.randomUUID() } },
          { trigger: 'That keyword no longer exists. Choose another.' },
        ],
        [{ ...good, trigger: { kind: 'keyword', keywordId: 'JOIN' } }, { 'trigger.keywordId': 'Choose a keyword' }],
        [{ ...good, trigger: { kind: 'tag', tag: ' ' } }, { 'trigger.tag': 'Choose a tag' }],
      ];
      for (const [input, expected] of cases) {
        const err = await errorOf(o.sequences.create(input as typeof good));
        expect(err.code, JSON.stringify(input)).toBe('BAD_REQUEST');
        const fields = fieldsOf(err);
        expect(Object.keys(fields), JSON.stringify(input)).toEqual(Object.keys(expected));
        for (const [path, message] of Object.entries(expected)) expect(fields[path]).toMatch(message);
      }
      expect(await o.sequences.list()).toEqual([]); // none of them was kept
    });

    it('a taken name is a CONFLICT; a missing one NOT_FOUND; staff may read but not write (FORBIDDEN)', async () => {
      const o = p.owner.caller;
      const seq = await o.sequences.create({ ...good, name: 'Newcomers' });
      const other = await o.sequences.create({ ...good, name: 'Others' });
      const taken = await errorOf(o.sequences.create({ ...good, name: ' newcomers ' }));
      expect(taken).toMatchObject({ code: 'CONFLICT', message: 'You already have a sequence called “newcomers”.' });
      expect((await errorOf(o.sequences.update({ ...good, id: other.id, name: 'NEWCOMERS' }))).code).toBe('CONFLICT');
      const gone = crypto.randomUUID();
      for (const call of [
        () => o.sequences.get({ id: gone }),
        () => o.sequences.update({ ...good, id: gone }),
        () => o.sequences.setPaused({ id: gone, paused: true }),
        () => o.sequences.delete({ id: gone }),
        () => o.sequences.enroll({ id: gone, who: { type: 'audience', audience: { type: 'all' } } }),
      ])
        expect(await errorOf(call())).toMatchObject({ code: 'NOT_FOUND', message: 'That sequence does not exist.' });

      const [m] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Staffed' }]);
      await enroll(p, seq.id, [m!]);
      const [mine] = await o.sequences.forMember({ memberId: m!.id });
      const s = staff.caller.sequences;
      expect((await s.list()).map((x) => x.name)).toEqual(['Newcomers', 'Others']);
      expect(await s.get({ id: seq.id })).toMatchObject({ name: 'Newcomers', enrolled: 1, active: 1 });
      expect(await s.forMember({ memberId: m!.id })).toEqual([mine]);
      for (const write of [
        () => s.create({ ...good, name: 'By staff' }),
        () => s.update({ ...good, id: seq.id, name: 'Renamed by staff' }),
        () => s.setPaused({ id: seq.id, paused: true }),
        () => s.delete({ id: seq.id }),
        () => s.enroll({ id: seq.id, who: { type: 'members', memberIds: [m!.id] } }),
        () => s.remove({ enrollmentId: mine!.enrollmentId }),
      ])
        expect((await errorOf(write())).code).toBe('FORBIDDEN');
      expect(await o.sequences.get({ id: seq.id })).toMatchObject({ name: 'Newcomers', state: 'active', active: 1 });
    });

    it('enrolling by hand says who could not join; remove stops (removed); delete takes it away', async () => {
      const o = p.owner.caller;
      const seq = await o.sequences.create({
        ...good,
        name: 'By hand',
        steps: [step('Hello {first_name}'), step('Again, {first_name}', 1, 'days')],
      });
      const [sub, unsub, notIn, kept] = await insertMembers(reg.services, p.tenantId, [
        { firstName: 'Sub', tags: ['hand'] },
        { firstName: 'Unsub', subscription: 'unsubscribed', tags: ['hand'] },
        { firstName: 'NotIn', subscription: 'not_opted_in', tags: ['hand'] },
        { firstName: 'Kept' },
      ]);
      expect(await enroll(p, seq.id, [sub!, unsub!, notIn!])).toEqual({ enrolled: 1, skipped: 2 });
      expect(await enroll(p, seq.id, [sub!])).toEqual({ enrolled: 0, skipped: 1 }); // already going through it
      const byTag = { id: seq.id, who: { type: 'audience' as const, audience: { type: 'tag' as const, tag: 'hand' } } };
      expect(await o.sequences.enroll(byTag)).toEqual({ enrolled: 0, skipped: 3 });
      await enroll(p, seq.id, [kept!]);

      const [subs] = await o.sequences.forMember({ memberId: sub!.id });
      expect(subs).toMatchObject({ name: 'By hand', state: 'active', nextStep: 0, steps: 2, paused: false });
      expect(await o.sequences.remove({ enrollmentId: subs!.enrollmentId })).toEqual({ ok: true });
      expect(await errorOf(o.sequences.remove({ enrollmentId: subs!.enrollmentId }))).toMatchObject({
        code: 'NOT_FOUND',
        message: 'That member is no longer going through this sequence.',
      });
      expect(await enrollmentOf(p, seq.id, sub!.id)).toMatchObject({ state: 'stopped', stopReason: 'removed' });
      await run(p);
      expect(textsTo(sub!.phone)).toEqual([]);
      expect(textsTo(kept!.phone, 'Hello Kept')).toHaveLength(1);
      const view = await o.sequences.get({ id: seq.id });
      expect(view).toMatchObject({
        enrolled: 2,
        active: 1,
        stopped: 1,
        stoppedBecause: [{ reason: 'removed', count: 1 }],
      });
      expect(view.people.map((x) => [x.name, x.state])).toEqual([
        ['Kept Test', 'active'],
        ['Sub Test', 'stopped'],
      ]);

      expect(await o.sequences.delete({ id: seq.id })).toEqual({ ok: true });
      expect((await o.sequences.list()).map((s) => s.id)).not.toContain(seq.id);
      expect((await errorOf(o.sequences.get({ id: seq.id }))).code).toBe('NOT_FOUND');
      expect(await enrollmentsOf(p, seq.id)).toEqual([]);
      expect(await o.sequences.forMember({ memberId: kept!.id })).toEqual([]);
      // The text already sent stays in the thread.
      const [sent] = await inChurch(p, (db) => db.select().from(messages).where(eq(messages.body, 'Hello Kept')));
      expect(sent).toMatchObject({ kind: 'sequence', status: 'sent', enrollmentId: null });
    });

    // Found while writing these tests, and mended since.

    it('a text taken but not yet sent when its sequence is deleted is not left queued for ever', async () => {
      const [lee] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Lee' }]);
      const seq = await p.owner.caller.sequences.create({ ...good, name: 'Deleted mid-send', steps: [step('Hi Lee')] });
      await enroll(p, seq.id, [lee!]);
      // Taken (queued) and not sent yet: a run handed back for the send rate, or its worker died.
      await expect(run(p, killedBeforeSending())).rejects.toThrow(KILLED);
      await p.owner.caller.sequences.delete({ id: seq.id });
      await run(p);
      const [text] = await inChurch(p, (db) => db.select().from(messages).where(eq(messages.body, 'Hi Lee')));
      expect(text!.status, 'sent, or failed with a reason: not "queued" in the thread for ever').not.toBe('queued');
    });

    it('steps people have had stay as they are (CONFLICT); later steps and new ones may change', async () => {
      const people = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Mo' }, { firstName: 'Ned' }]);
      const [mo, ned] = people;
      const [one, two, three] = [step('One, {first_name}'), step('Two', 1, 'days'), step('Three', 2, 'days')];
      const seq = await manual(p, 'Had steps', [one, two, three]);
      const edit = (steps: StepIn[]) =>
        p.owner.caller.sequences.update({ id: seq.id, name: 'Had steps', trigger: { kind: 'manual' }, steps });
      const refused = async (steps: StepIn[]) => {
        const err = await errorOf(edit(steps));
        expect(err.code).toBe('CONFLICT');
        return err.message;
      };
      const stepsNow = async () =>
        (await p.owner.caller.sequences.get({ id: seq.id })).steps.map((s) => [s.body, s.wait, s.unit]);

      // Enrolled, nobody has had a step yet: anything goes.
      await enroll(p, seq.id, people);
      await edit([two, one, three]);
      await edit([three]);
      await edit([one, two, three]);
      await run(p); // both have had step 1
      expect(await refused([step('One (edited), {first_name}'), two, three])).toBe(
        '2 people have already had step 1, so those steps stay as they are while people are in the sequence. ' +
          'Change the later steps or add new ones, or take those people out first.',
      );
      await refused([two, one, three]); // reordered
      await refused([two, three]); // removed
      await refused([{ ...one, wait: 3 }, two, three]); // its wait changed
      const [twoEdited, four] = [step('Two (edited)', 2, 'days'), step('Four', 3, 'days')];
      await edit([one, twoEdited, three, four]);
      expect(await stepsNow()).toEqual([
        ['One, {first_name}', 0, 'hours'],
        ['Two (edited)', 2, 'days'],
        ['Three', 2, 'days'],
        ['Four', 3, 'days'],
      ]);

      await makeDue(p, seq.id, mo!.id);
      await run(p);
      expect(textsTo(mo!.phone, 'Two (edited)')).toHaveLength(1); // the change applied
      expect(await refused([one, two, three, four])).toMatch(/^2 people have already had steps 1 to 2, /);
      await edit([one, twoEdited, step('Three (edited)', 1, 'days')]);

      // Taken out, they no longer hold the steps they had.
      for (const m of [mo!, ned!]) {
        const [e] = await p.owner.caller.sequences.forMember({ memberId: m.id });
        await p.owner.caller.sequences.remove({ enrollmentId: e!.enrollmentId });
      }
      await edit([three]);
      expect(await stepsNow()).toEqual([['Three', 2, 'days']]);
    });

    it('a custom field a sequence’s step merges cannot be deleted (as for templates and keyword replies)', async () => {
      const o = p.owner.caller;
      const field = await o.customFields.create({ label: 'Baptism date', type: 'date' });
      await o.sequences.create({
        ...good,
        name: 'Anniversaries',
        steps: [step('Hi {first_name|friend}'), step('Remember {baptism_date|your baptism}?', 1, 'days')],
      });
      // Deleted, the step would go out with "{baptism_date|your baptism}" in it, braces and all (mergeFields).
      const err = await errorOf(o.customFields.delete({ id: field.id }));
      expect(err).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/Anniversaries/) });
    });

    it('a step whose merge fields leave nothing is passed over: nothing sent, nothing in the inbox', async () => {
      const [anon] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'New contact', lastName: '' }]);
      const seq = await p.owner.caller.sequences.create({ ...good, name: 'Names only', steps: [step('{first_name}')] });
      await enroll(p, seq.id, [anon!]);
      await run(p);
      expect(textsTo(anon!.phone)).toEqual([]);
      expect(await enrollmentOf(p, seq.id, anon!.id)).toMatchObject({ state: 'finished' });
      // Nothing was said: no message, and no (empty) thread at the top of the inbox.
      const rows = await inChurch(p, (db) =>
        db.execute<{ at: Date | null; preview: string | null; messages: number }>(sql`
          select c.last_message_at as at, c.last_message_preview as preview,
                 (select count(*)::int from messages m where m.conversation_id = c.id) as messages
            from conversations c where c.member_id = ${anon!.id}`),
      );
      for (const r of rows) expect(r).toEqual({ at: null, preview: null, messages: 0 });
      const inbox = await p.owner.caller.conversations.list({});
      expect(inbox.items.map((c) => c.memberId)).not.toContain(anon!.id);
    });
  });

  describe('a trial’s daily allowance', () => {
    it('due steps beyond what is left today wait an hour: only what fits is written and sent', async () => {
      const p = await place('Trial Chapel');
      // The same server with billing on (the church is in its trial) and 3 segments a day.
      const trial = reg.servicesWith(
        {
          ...{ STRIPE_SECRET_KEY: 'sk_test_sequences', STRIPE_WEBHOOK_SECRET: 'whsec_sequences' },
          ...{ STRIPE_PRICE_ID: 'price_sequences', TRIAL_DAILY_SEGMENTS: '3' },
        },
        fake,
      );
      const people = await insertMembers(
        reg.services,
        p.tenantId,
        Array.from({ length: 10 }, (_, i) => ({ firstName: `T${i}` })),
      );
      const seq = await manual(p, 'Trial', [step('Hi {first_name}'), step('Again', 1, 'days')]); // 1 segment each
      await enroll(p, seq.id, people);
      const ranAt = Date.now();
      await run(p, trial);
      expect(people.reduce((n, m) => n + textsTo(m.phone).length, 0)).toBe(3);
      expect(await statuses(p, seq.id, 0)).toEqual({ sent: 3 });
      const rows = await enrollmentsOf(p, seq.id);
      expect(rows.filter((e) => e.nextStep === 1)).toHaveLength(3);
      const held = rows.filter((e) => e.nextStep === 0);
      expect(held).toHaveLength(7);
      for (const e of held) {
        expect(e.state).toBe('active');
        expect(Math.abs(e.nextAt!.getTime() - (ranAt + HOUR))).toBeLessThan(minutes(1)); // an hour on
      }
    });
  });
});
