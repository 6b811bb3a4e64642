import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { phoneNumberIndex } from '../db/registry/schema';
import type { TenantDb } from '../db/tenant';
import { branches, broadcasts, customFields, members, messages } from '../db/tenant/schema';
import { countAudience } from '../server/messaging/audience';
import { audienceTexts } from '../server/messaging/audience-merge';
import { runBroadcast } from '../server/messaging/broadcaster';
import { previewBroadcast } from '../server/messaging/broadcasts';
import { heldInAudience, quietHoursOf } from '../server/messaging/quiet-hours';
import { TransientSendError, type MessagingProvider } from '../server/messaging/provider';
import type { SenderDeps } from '../server/messaging/sender';
import { withDatabase } from '../server/tenancy/urls';
import { duration, percentile, printTimings, startBench, type TimedRow } from './bench-env';

/**
 * `npm run bench:broadcast`: one church with BENCH_MEMBERS (default 20,000) subscribed members over 3 branches, some
 * with names outside GSM-7 ("Zoë") and some "New contact"s with no last name. Measured with the church's own Drizzle
 * client (services.connections.withTenant):
 *
 *   (a) the composer's preview (previewBroadcast, what broadcasts.preview runs) of a text without merge fields, and
 *   (b) of one with `{first_name|friend}` and `{branch_name}`, and (b') with `{baptism_date}`, a member field every
 *       third member has a value of; each also as audienceTexts + countAudience alone,
 *       and the preview's third read (heldInAudience: who is inside their quiet hours) alone;
 *   (c) fixing the recipients of a broadcast without merge fields (queueSame: one statement), and
 *   (d) of one with them (queuePersonal: page by page, each recipient's own text), with and without the member field.
 *
 * (c) and (d) run the real runBroadcast on a broadcast row scheduled in the past, with a provider that stops the run
 * at its first send: it throws a TransientSendError, so that message goes back to "queued" and the run ends, every
 * message queued and none sent. The same run again (the broadcast now "sending", so nothing left to fix) is the part
 * after the queueing (the first batch, one send attempt): subtracted, it leaves the queueing itself. The first run
 * also gives everyone a conversation; it is reported on its own. Between runs the broadcast and its messages are
 * deleted and `messages` vacuumed (privileged connection), so each run starts the same.
 *
 * Prints a table (median, p95 over BENCH_PREVIEW_RUNS (15) previews, BENCH_QUEUE_RUNS (5) runs of each broadcast)
 * and a summary; drops everything it created. Exits 1 when a run queued the wrong messages.
 */
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 20_000);
const PREVIEW_RUNS = Number(process.env.BENCH_PREVIEW_RUNS ?? 15);
const QUEUE_RUNS = Number(process.env.BENCH_QUEUE_RUNS ?? 5);

const PLAIN = 'Reminder: the Christmas concert is this Sunday at 6pm. Bring a friend! Reply STOP to opt out.';
const PERSONAL = 'Hi {first_name|friend}, the Christmas concert at {branch_name} is this Sunday at 6pm. See you there!';
/** With a member field (custom-fields/merge.ts): a date every third member has, said as "March 31, 2024". */
const CUSTOM = 'Hi {first_name|friend}, we give thanks for your baptism on {baptism_date|a special day}!';

// Outside GSM-7 (José, Renée and Müller are inside it): one of these switches a whole text to UCS-2, 70 characters
// a segment instead of 160.
const NON_GSM_FIRST = [
  ...['Zoë', 'Chloë', 'Siân', 'Łukasz', 'Anaïs', 'Zdeněk', 'Şebnem', 'Joël', 'Maëlle', 'Bartłomiej', 'Sofía', 'Tomás'],
];
/** Their letters outside GSM-7, as a PostgreSQL regular expression. */
const NON_GSM_LETTERS = `[${[...new Set(NON_GSM_FIRST.join('').replace(/[A-Za-z]/g, ''))].join('')}]`;
const FIRST = [
  ...['Ruth', 'Samuel', 'Esther', 'David', 'Miriam', 'Elijah', 'Naomi', 'Josiah', 'Hannah', 'Caleb', 'Lydia'],
  ...['Silas', 'Grace', 'Daniel', 'Abigail', 'Joshua', 'Rebecca', 'Isaac', 'Deborah', 'Micah', 'Priscilla'],
  ...['Timothy', 'Martha', 'Jonah', 'Eunice', 'Gideon', 'Chinonso', 'Olumide', 'Mei', 'Hyun-woo', 'Priya'],
  ...['Mateo', 'José', 'Renée', 'Maximilian-Alexander', 'Ana', 'Kofi', 'Ngozi', 'Ines'],
  ...NON_GSM_FIRST,
];
const LAST = [
  ...['Okafor', 'Nguyen', 'Garcia', 'Smith', 'Kowalski', 'Haddad', 'Johnson', 'Mensah', 'Rossi', 'Park'],
  ...['Williams', 'Brown', 'Adeyemi', 'Martinez', 'Kim', 'Patel', 'Müller', 'Olsen', "O'Brien", 'Fitzgerald'],
  ...['Anderson', 'Thompson', 'Hernández', 'Lee', 'Walker', 'Achterberg', 'Osei', 'Ivanova', 'Nowak', 'Bakker'],
  ...['Nguyễn', 'Wiśniewski', 'Yılmaz', 'Van der Merwe', 'Chukwuemeka', 'Schmidt', 'Dubois', 'Larsen', 'Ali', 'Tan'],
];
const BRANCHES = [
  { name: 'Downtown', timezone: 'America/Chicago' },
  { name: 'Northside', timezone: 'America/New_York' },
  { name: 'Riverside Campus', timezone: 'America/Denver' },
];
/** One member in 25 texted in first and was never named: "New contact", no last name. */
const isNewContact = (i: number) => i % 25 === 7;

const now = () => performance.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => percentile(xs, 50);

const bench = await startBench('benchcast');
const { services, config } = bench;
console.log(
  `bench:broadcast on ${bench.where}: ${fmt(MEMBERS)} subscribed members over ${BRANCHES.length} branches; ` +
    `${PREVIEW_RUNS} previews and ${QUEUE_RUNS} queueing runs of each text`,
);

type Row = TimedRow;
const table: Row[] = [];
const problems: string[] = [];
let maintenance: postgres.Sql | null = null;
let maintenanceNote = '';

try {
  // 1. The church: signed up through the real pipeline, then a sending number (the run needs one to reach a send).
  const { tenantId, adminId } = await bench.churchReady();
  await services.registry.db
    .insert(phoneNumberIndex)
    .values({ e164: '+12025550199', tenantId, provider: 'simulated', registeredAt: new Date() });
  const { name: churchName, timezone } = await services.profiles.get(tenantId);
  const withChurch = <T>(fn: (db: TenantDb) => Promise<T>) => services.connections.withTenant(tenantId, fn);

  // A privileged connection to the church's database, for VACUUM between runs (the church role owns no table).
  maintenance = postgres(withDatabase(config.DATABASE_URL, services.naming.database(tenantId)), {
    max: 1,
    onnotice: () => {},
  });
  const vacuum = async (tables: string) => {
    try {
      await maintenance!.unsafe(`vacuum (analyze) ${tables}`);
    } catch (err) {
      maintenanceNote ||= `vacuum skipped: ${(err as Error).message}`;
    }
  };

  // 2. Members, in bulk: a few multi-row inserts through the church's own role.
  const seedStart = now();
  const seeded = await withChurch(async (db) => {
    const branchIds = (await db.insert(branches).values(BRANCHES).returning({ id: branches.id })).map((b) => b.id);
    let unnamed = 0;
    let nonGsm = 0;
    const CHUNK = 4_000; // 7 parameters a row: well under PostgreSQL's 65,535
    for (let from = 0; from < MEMBERS; from += CHUNK) {
      const rows = Array.from({ length: Math.min(CHUNK, MEMBERS - from) }, (_, k) => {
        const i = from + k;
        if (isNewContact(i)) unnamed++;
        else if (NON_GSM_FIRST.includes(FIRST[i % FIRST.length]!)) nonGsm++;
        return {
          firstName: isNewContact(i) ? 'New contact' : FIRST[i % FIRST.length]!,
          lastName: isNewContact(i) ? '' : LAST[Math.floor(i / FIRST.length) % LAST.length]!,
          phone: `+1312${String(5_000_000 + i).padStart(7, '0')}`,
          // Not i % 3: FIRST's length is a multiple of 3, and each first name would keep to one branch.
          branchId: branchIds[(i + Math.floor(i / 7)) % branchIds.length]!,
          tags: i % 4 === 0 ? ['choir'] : [],
          subscription: 'subscribed' as const,
          subscriptionSource: 'import' as const,
        };
      });
      await db.insert(members).values(rows);
    }
    return { unnamed, nonGsm };
  });
  const newContacts = seeded.unnamed;
  await withChurch(async (db) => {
    const [field] = await db
      .insert(customFields)
      .values({ key: 'baptism_date', label: 'Baptism date', type: 'date' })
      .returning({ id: customFields.id });
    await db.execute(sql`
      insert into member_field_values (member_id, field_id, date_value)
      select id, ${field!.id}::uuid, date '1990-01-01' + (hashtext(id::text) & 8191)
        from members where hashtext(id::text) % 3 = 0`);
  });
  await vacuum('members, branches, member_field_values');
  console.log(
    `seeded:  ${fmt(MEMBERS)} members (${fmt(newContacts)} "New contact"s, ` +
      `${fmt(seeded.nonGsm)} with a first name outside GSM-7) in ${((now() - seedStart) / 1000).toFixed(1)} s`,
  );

  // 3. Previews: what the composer asks for as the admin types.
  const audience = undefined; // everyone (messaging/audience.ts)
  const preview = (body: string) =>
    withChurch(async (db) => {
      const t0 = now();
      const p = await previewBroadcast(services, { db, tenantId }, { audience: { type: 'all' }, body });
      return { ms: now() - t0, p };
    });
  const textsOnly = (body: string) =>
    withChurch(async (db) => {
      const t0 = now();
      await Promise.all([countAudience(db, audience), audienceTexts(db, audience, body, churchName)]);
      return now() - t0;
    });
  for (const [label, body] of [
    ['without merge fields', PLAIN],
    ['with {first_name|friend}, {branch_name}', PERSONAL],
    ['with {first_name|friend}, {baptism_date}', CUSTOM],
  ] as const) {
    const first = await preview(body); // warm-up: plans the statements, caches the profile
    const runs: number[] = [];
    for (let r = 0; r < PREVIEW_RUNS; r++) runs.push((await preview(body)).ms);
    const alone: number[] = [];
    await textsOnly(body);
    for (let r = 0; r < PREVIEW_RUNS; r++) alone.push(await textsOnly(body));
    const p = first.p;
    const seg = `${p.segments} × ${p.encoding}`;
    table.push({ what: `preview ${label}`, runs, p95: true, note: `previewBroadcast; ${seg}, $${p.estimatedCost}` });
    table.push({ what: `  audienceTexts + countAudience only`, runs: alone, p95: true, note: '' });
    console.log(
      `preview ${label}: ${fmt(p.recipients)} recipients, ${seg}, held ${p.held.count}; ` +
        `example (${p.example?.name}) "${p.example?.text}"; longest (${p.longest?.name}) ` +
        `${p.longest?.segments} segments, ${p.longest?.units} units`,
    );
    if (p.recipients !== MEMBERS) problems.push(`preview counted ${p.recipients} recipients, not ${MEMBERS}`);
  }
  // The third read the preview makes, the same for any text: who would be inside their quiet hours.
  const held: number[] = [];
  for (let r = 0; r <= PREVIEW_RUNS; r++) {
    const ms = await withChurch(async (db) => {
      const quiet = await quietHoursOf(db);
      const t0 = now();
      await heldInAudience(db, audience, quiet, timezone, null);
      return now() - t0;
    });
    if (r > 0) held.push(ms); // the first is a warm-up
  }
  table.push({ what: 'heldInAudience only (either text)', runs: held, p95: true, note: 'quiet hours, per recipient' });

  // 4. Queueing: runBroadcast on a broadcast due now, stopped at its first send.
  const stop = new TransientSendError('bench: stop at the first send, everything queued');
  const provider: MessagingProvider = {
    name: 'outbox',
    send: () => Promise.reject(stop),
  };
  const deps: SenderDeps = {
    provider,
    numbers: services.messaging.numbers,
    sendRate: new RateLimiterMemory({ points: 1_000_000, duration: 1 }),
    inbound: { optOutPending: async () => false },
    pictureUrl: services.messaging.pictureUrl,
  };
  const queueOnce = (body: string) =>
    withChurch(async (db) => {
      const [b] = await db
        .insert(broadcasts)
        .values({ body, audience: 'all', scheduledAt: new Date(Date.now() - 1000), createdBy: adminId })
        .returning({ id: broadcasts.id });
      const id = b!.id;
      const run = async () => {
        const t0 = now();
        const how = await runBroadcast(deps, db, tenantId, id, { finalAttempt: false, churchName, timezone }).then(
          (r) => (r.heldUntil ? 'every text held for quiet hours' : 'finished: it should have stopped'),
          (err) => {
            if (err !== stop) throw err;
            return 'stopped at the first send';
          },
        );
        return { ms: now() - t0, how };
      };
      const total = await run(); // fixes the recipients, then the first batch and one send attempt
      const after = await run(); // nothing left to fix: the first batch and one send attempt only
      const [state] = await db
        .select({ state: broadcasts.state, recipients: broadcasts.recipients })
        .from(broadcasts)
        .where(eq(broadcasts.id, id));
      const [counted] = await db
        .select({
          queued: sql<number>`count(*) filter (where ${messages.status} = 'queued')::int`,
          other: sql<number>`count(*) filter (where ${messages.status} <> 'queued')::int`,
          held: sql<number>`count(${messages.notBefore})::int`,
          bodies: sql<number>`count(distinct ${messages.body})::int`,
          friends: sql<number>`count(*) filter (where ${messages.body} like 'Hi friend,%')::int`,
          ucs2: sql<number>`count(*) filter (where ${messages.body} ~ ${NON_GSM_LETTERS})::int`,
        })
        .from(messages)
        .where(eq(messages.broadcastId, id));
      const c = counted!;
      const where = `${body === PLAIN ? 'plain' : body === CUSTOM ? 'member-field' : 'merged'} run`;
      if (total.how !== 'stopped at the first send' && !total.how.startsWith('every'))
        problems.push(`${where}: ${total.how}`);
      if (c.queued !== MEMBERS || c.other !== 0 || state?.recipients !== MEMBERS || state?.state !== 'sending')
        problems.push(
          `${where}: ${c.queued} queued, ${c.other} otherwise, broadcast ${state?.state} ` +
            `with ${state?.recipients} recipients; expected ${MEMBERS} queued`,
        );
      if (body === PERSONAL && (c.friends !== newContacts || c.ucs2 !== seeded.nonGsm))
        problems.push(
          `${where}: ${c.friends} "Hi friend" texts (expected ${newContacts}), ` +
            `${c.ucs2} with a non-GSM name (expected ${seeded.nonGsm})`,
        );
      await db.delete(messages).where(eq(messages.broadcastId, id));
      await db.delete(broadcasts).where(eq(broadcasts.id, id));
      return { total: total.ms, after: after.ms, how: total.how, ...c };
    });

  const cold = await queueOnce(PLAIN); // everyone's conversation is created here
  await vacuum('messages, conversations');
  table.push({
    what: 'first broadcast (creates conversations)',
    runs: [cold.total - cold.after],
    p95: false,
    rows: MEMBERS,
    note: `no merge fields; + ${MEMBERS.toLocaleString('en-US')} conversations`,
  });
  const same: Awaited<ReturnType<typeof queueOnce>>[] = [];
  const personal: typeof same = [];
  const custom: typeof same = [];
  for (let r = 0; r < QUEUE_RUNS; r++) {
    same.push(await queueOnce(PLAIN));
    await vacuum('messages');
    personal.push(await queueOnce(PERSONAL));
    await vacuum('messages');
    custom.push(await queueOnce(CUSTOM));
    await vacuum('messages');
  }
  for (const [label, runs, note] of [
    ['queue without merge fields', same, 'queueSame: one insert … select'],
    ['queue with merge fields', personal, 'queuePersonal: 1,000 a page'],
    ['queue with a member field', custom, 'queuePersonal, {baptism_date} read per recipient'],
  ] as const) {
    table.push({ what: label, runs: runs.map((x) => x.total - x.after), p95: true, rows: MEMBERS, note });
    table.push({
      what: '  runBroadcast to its first send',
      runs: runs.map((x) => x.total),
      p95: true,
      note: `${runs[0]!.how}; held ${fmt(runs[0]!.held)}, ${fmt(runs[0]!.bodies)} distinct texts`,
    });
    table.push({ what: '  of which after the queueing', runs: runs.map((x) => x.after), p95: true, note: '' });
  }
  if (personal[0]) console.log(`merged:  ${fmt(personal[0].ucs2)} texts with a non-GSM character`);
} catch (err) {
  problems.push(`bench failed: ${(err as Error).stack ?? err}`);
} finally {
  await maintenance?.end({ timeout: 5 }).catch(() => {});
  await bench.close();
}

// 5. The figures.
const cell = duration;
printTimings(`bench:broadcast — ${fmt(MEMBERS)} recipients, ${bench.where}`, table);
if (maintenanceNote) console.log(`(${maintenanceNote})`);

const find = (what: string) => table.find((r) => r.what === what);
const [pPlain, pMerged, pCustom, qPlain, qMerged, qCustom] = [
  find('preview without merge fields'),
  find('preview with {first_name|friend}, {branch_name}'),
  find('preview with {first_name|friend}, {baptism_date}'),
  find('queue without merge fields'),
  find('queue with merge fields'),
  find('queue with a member field'),
];
if (pPlain && pMerged && pCustom && qPlain && qMerged && qCustom) {
  const rate = (r: Row) => fmt(MEMBERS / (median(r.runs) / 1000));
  const slower = (median(qMerged.runs) / median(qPlain.runs)).toFixed(1);
  console.log(
    `\nsummary: ${fmt(MEMBERS)} recipients — preview ${cell(median(pPlain.runs))} plain, ` +
      `${cell(median(pMerged.runs))} with merge fields; queueing ${rate(qPlain)} rows/s plain, ` +
      `${rate(qMerged)} rows/s with merge fields (${slower}× the time); with a member field: preview ` +
      `${cell(median(pCustom.runs))}, queueing ${rate(qCustom)} rows/s`,
  );
}
if (problems.length) console.log(`\nPROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
process.exit(problems.length ? 1 : 0);
