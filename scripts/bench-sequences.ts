import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { phoneNumberIndex } from '../db/registry/schema';
import type { TenantDb } from '../db/tenant';
import { members, quietHours, sequences, sequenceSteps } from '../db/tenant/schema';
import { buildLimiter } from '../server/auth/throttle';
import type { MessagingProvider } from '../server/messaging/provider';
import { enqueueSequenceRun, SEQUENCES_TASK } from '../server/sequences/jobs';
import { percentile, pooled, startBench } from './bench-env';

/**
 * `npm run bench:sequences`: BENCH_CHURCHES churches (default 100), each with BENCH_MEMBERS subscribed members
 * (default 100) enrolled in one manual sequence whose one step waits 0 hours: 10,000 texts due at the same moment.
 * Each church's `run_sequences` job is enqueued for that moment (enqueueSequenceRun) and the real queue worker
 * (startBench's, WORKER_CONCURRENCY, default 8) runs them: the runner (server/sequences/runner.ts) writes each due
 * step as a queued text and sends it through sender.ts at the church's sending rate, handing the worker back while
 * the rate refills. A stand-in provider records each send.
 *
 * Measured from the due time until the provider has seen every text and every message row is 'sent': total time,
 * sends/s, lag per text (due → its row marked sent), and where the time went — each run of a church's job (how many,
 * how long, how late it started against the time it asked for), the take-due transaction, the send-rate checks,
 * the opt-out checks. Duplicates: provider calls per (church number, member) above 1, and messages per
 * (enrollment, step) above 1. Exits 1 when a text is missing or duplicated.
 *
 * Pass 1 uses SENDS_PER_SECOND_PER_CHURCH (default 5: a church's 100 texts take at least 19 s by design, the first
 * five at once and five a second after). Pass 2 (BENCH_FAST_RATE, default 50; 0 to skip) enrolls everyone again in a
 * second sequence and sends at that rate, so the limit is the machine's rather than the rate's.
 * Target: all 10,000 sent within 60 s of the due time on 2 cores.
 */
const CHURCHES = Number(process.env.BENCH_CHURCHES ?? 100);
const MEMBERS_PER_CHURCH = Number(process.env.BENCH_MEMBERS ?? 100);
const FAST_RATE = Number(process.env.BENCH_FAST_RATE ?? 50);
/** How far ahead of the enrolling the steps fall due: enough to enroll everyone and enqueue every run first. */
const LEAD_MS = Number(process.env.BENCH_LEAD_MS ?? 5_000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 300) * 1000;
const TARGET_MS = 60_000;
const TOTAL = CHURCHES * MEMBERS_PER_CHURCH;
const BODY = 'Hi {first_name|friend}, welcome to {church_name}! We are glad you came. Reply to say hello.';

// As bench:webhooks: on the embedded server (max_connections 300) every church's pool stays cached, so this measures
// sequences, not eviction; a stock server (max_connections 100) gets one connection per church, 70 in all.
const stock = !!process.env.DATABASE_URL;
process.env.TENANT_POOL_SIZE ??= stock ? '1' : '2';
process.env.CONNECTION_BUDGET ??= String(stock ? 70 : 2 * CHURCHES + 20);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const dist = (xs: number[]) =>
  xs.length ? `p50 ${ms(percentile(xs, 50))} · p95 ${ms(percentile(xs, 95))} · max ${ms(Math.max(...xs))}` : '(none)';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const bench = await startBench('benchseq');
const { services, config } = bench;
console.log(
  `bench:sequences on ${bench.where}: ${CHURCHES} churches × ${MEMBERS_PER_CHURCH} members = ${fmt(TOTAL)} ` +
    `enrollments due at one moment; worker concurrency ${config.WORKER_CONCURRENCY}, ` +
    `budget ${config.CONNECTION_BUDGET}, ${config.TENANT_POOL_SIZE} per church; send-rate counters in ` +
    `${services.redis.client ? 'Redis' : 'the registry (PostgreSQL)'}`,
);

// The stand-in provider: records every send (and when), answers at once.
type Call = { from: string; to: string; at: number };
let calls: Call[] = [];
const sentFrom = new Map<string, number>(); // sends per church number, for each run's own count
const recorder: MessagingProvider = {
  name: 'outbox',
  async send({ from, to }) {
    calls.push({ from, to, at: Date.now() });
    sentFrom.set(from, (sentFrom.get(from) ?? 0) + 1);
    return { providerMessageId: `bench-${randomUUID()}` };
  },
};
services.messaging.provider = recorder;

// Where the time goes, without touching server code: the worker reaches each church through
// services.connections.withTenant, the runner's only transaction is the take-due one, and the sender's rate and
// opt-out checks go through services.messaging. Each is wrapped here to time it.
type Run = { tenantId: string; start: number; ms: number; late: number | null; sends: number; first: boolean };
const profile = {
  runs: [] as Run[],
  takeDue: [] as number[],
  rateChecks: [] as number[],
  optOutChecks: [] as number[],
  reset() {
    this.runs = [];
    this.takeDue = [];
    this.rateChecks = [];
    this.optOutChecks = [];
  },
};
const asked = new Map<string, number>(); // when each church's next run was asked for (its job's run_at)
const watching = new Map<string, string>(); // churches whose runs are profiled (during a pass), to their number
const timed = <A extends unknown[], R>(into: () => number[], fn: (...a: A) => Promise<R>) =>
  async function (this: unknown, ...a: A) {
    const t0 = performance.now();
    try {
      return await fn.apply(this, a);
    } finally {
      into().push(performance.now() - t0);
    }
  };
const withTimedTransaction = (db: TenantDb): TenantDb =>
  new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'transaction') return value;
      return timed(() => profile.takeDue, (value as TenantDb['transaction']).bind(target));
    },
  });
/** The bench's own reads and writes go around the wrapper: only the worker's runs are profiled. */
const withTenant = services.connections.withTenant.bind(services.connections);
services.connections.withTenant = (async (tenantId, fn, gate) => {
  const wrapped = fn as (db: TenantDb, route: unknown) => Promise<unknown>;
  const number = watching.get(tenantId);
  if (number === undefined) return withTenant(tenantId, fn, gate);
  const start = Date.now();
  const sentBefore = sentFrom.get(number) ?? 0;
  const expected = asked.get(tenantId);
  const result = await withTenant(tenantId, (db, route) => wrapped(withTimedTransaction(db), route), gate);
  const next = result instanceof Date ? result.getTime() : null;
  if (next !== null) asked.set(tenantId, Math.max(next, Date.now()));
  const first = !profile.runs.some((r) => r.tenantId === tenantId);
  profile.runs.push({
    tenantId,
    start,
    ms: Date.now() - start,
    late: expected === undefined ? null : start - expected,
    sends: (sentFrom.get(number) ?? 0) - sentBefore,
    first,
  });
  return result;
}) as typeof services.connections.withTenant;
const wrapLimiter = () => {
  const limiter = services.messaging.sendRate;
  limiter.get = timed(() => profile.rateChecks, limiter.get.bind(limiter));
  limiter.consume = timed(() => profile.rateChecks, limiter.consume.bind(limiter));
};
wrapLimiter();
const inbound = services.messaging.inbound;
inbound.optOutPending = timed(() => profile.optOutChecks, inbound.optOutPending.bind(inbound));

type Church = { tenantId: string; number: string; phones: Map<string, number> };
const churches: Church[] = [];
const problems: string[] = [];
let exitCode = 0;

try {
  // 1. Churches, signed up through the real pipeline, each with a registered number (texts to US numbers need one).
  const t0 = performance.now();
  let made = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (made < CHURCHES) {
        const n = made++;
        const { tenantId } = await bench.churchReady();
        churches[n] = { tenantId, number: `+1202555${String(1000 + n).padStart(4, '0')}`, phones: new Map() };
      }
    }),
  );
  await services.registry.db.insert(phoneNumberIndex).values(
    churches.map((c) => ({
      e164: c.number,
      tenantId: c.tenantId,
      provider: 'simulated' as const,
      registeredAt: new Date(),
    })),
  );
  const byNumber = new Map(churches.map((c, i) => [c.number, i]));
  console.log(`churches: ${CHURCHES} signed up and given a registered number in ${secs(performance.now() - t0)}`);

  // 2. Members, subscribed, inserted directly; quiet hours off (the step is due whatever the hour).
  const t1 = performance.now();
  await pooled(CHURCHES, 8, (i) =>
    withTenant(churches[i]!.tenantId, async (db) => {
      await db.update(quietHours).set({ enabled: false });
      const rows = Array.from({ length: MEMBERS_PER_CHURCH }, (_, k) => ({
        firstName: k % 10 === 3 ? 'New contact' : `Member${k}`,
        lastName: `Church${i}`,
        phone: `+1312${String(5_000_000 + i * 1000 + k).padStart(7, '0')}`,
        subscription: 'subscribed' as const,
        subscriptionSource: 'import' as const,
      }));
      await db.insert(members).values(rows);
      rows.forEach((r, k) => churches[i]!.phones.set(r.phone, k));
    }),
  );
  console.log(`members:  ${fmt(TOTAL)} subscribed, inserted in ${secs(performance.now() - t1)}`);

  // 3. The passes.
  type PassResult = { label: string; rate: number; totalMs: number | null; ok: boolean };
  const results: PassResult[] = [];
  const pass = async (label: string, rate: number) => {
    calls = [];
    sentFrom.clear();
    profile.reset();
    asked.clear();
    // A manual sequence with one step, "wait 0 hours", in each church; everyone enrolled, due at one moment.
    const sequenceIds = await pooled(CHURCHES, 8, (i) =>
      withTenant(churches[i]!.tenantId, async (db) => {
        const [s] = await db
          .insert(sequences)
          .values({ name: `Welcome (${label})`, trigger: 'manual' })
          .returning({ id: sequences.id });
        await db.insert(sequenceSteps).values({ sequenceId: s!.id, position: 0, wait: 0, unit: 'hours', body: BODY });
        return s!.id;
      }),
    );
    const enrollStart = Date.now();
    const due = new Date(Math.ceil((enrollStart + LEAD_MS) / 1000) * 1000);
    const dueSql = sql`${due.toISOString()}::timestamptz`;
    await pooled(CHURCHES, 8, async (i) => {
      const { tenantId } = churches[i]!;
      await withTenant(tenantId, (db) =>
        db.execute(sql`
          insert into sequence_enrollments (sequence_id, member_id, source, anchor_at, next_at)
          select ${sequenceIds[i]!}::uuid, m.id, 'manual', ${dueSql}, ${dueSql} from members m`),
      );
      await enqueueSequenceRun(services.registry, tenantId, due);
      asked.set(tenantId, due.getTime());
      watching.set(tenantId, churches[i]!.number);
    });
    const ready = Date.now();
    if (ready > due.getTime())
      problems.push(`${label}: enrolling took ${ready - enrollStart} ms, past the due time (raise BENCH_LEAD_MS)`);

    // Wait for every send, then for every row to say so.
    const deadline = due.getTime() + TIMEOUT_MS;
    while (calls.length < TOTAL && Date.now() < deadline) await sleep(20);
    const lastCall = calls.length ? Math.max(...calls.map((c) => c.at)) : null;
    type Counted = { sent: number; other: number; dupSteps: number; lags: number[]; last: number | null };
    const count = () =>
      pooled(CHURCHES, 8, (i) =>
        withTenant(churches[i]!.tenantId, async (db): Promise<Counted> => {
          const rows = await db.execute<{ status: string; lag: number; n: number }>(sql`
            select m.status, extract(epoch from m.status_at - ${dueSql}) * 1000 as lag,
                   count(*) over (partition by m.enrollment_id, m.step_position)::int as n
              from messages m join sequence_enrollments e on e.id = m.enrollment_id
             where e.sequence_id = ${sequenceIds[i]!}::uuid`);
          const sent = rows.filter((r) => r.status === 'sent');
          return {
            sent: sent.length,
            other: rows.length - sent.length,
            dupSteps: rows.filter((r) => r.n > 1).length,
            lags: sent.map((r) => Number(r.lag)),
            last: sent.length ? Math.max(...sent.map((r) => Number(r.lag))) : null,
          };
        }),
      );
    let counted = await count();
    while (sum(counted.map((c) => c.sent)) < TOTAL && Date.now() < deadline) {
      await sleep(200);
      counted = await count();
    }
    const sent = sum(counted.map((c) => c.sent));
    const totalMs = sent === TOTAL ? Math.max(...counted.map((c) => c.last ?? 0)) : null;

    // Duplicates: provider calls per (church number, member); rows per (enrollment, step). And strays.
    const perPair = new Map<string, number>();
    let strays = 0;
    for (const c of calls) {
      const church = byNumber.get(c.from);
      if (church === undefined || !churches[church]!.phones.has(c.to)) strays++;
      perPair.set(`${c.from}>${c.to}`, (perPair.get(`${c.from}>${c.to}`) ?? 0) + 1);
    }
    const dupCalls = sum([...perPair.values()].map((n) => n - 1));
    const dupRows = sum(counted.map((c) => c.dupSteps));
    const missing = TOTAL - perPair.size + strays;
    const notSent = sum(counted.map((c) => c.other));

    // Settle: each church's last run ends its enrollments and leaves one job, an hour out (its hourly look).
    let settled = false;
    for (const stop = Date.now() + 30_000; !settled && Date.now() < stop; await sleep(200)) {
      const [row] = await services.registry.sql<{ busy: number }[]>`
        select count(*)::int as busy from graphile_worker.jobs
         where task_identifier = ${SEQUENCES_TASK}
           and (locked_at is not null or run_at < now() + interval '10 minutes')`;
      settled = row!.busy === 0;
    }
    watching.clear();
    const states = await pooled(CHURCHES, 8, (i) =>
      withTenant(churches[i]!.tenantId, (db) =>
        db.execute<{ state: string; n: number }>(sql`
          select state, count(*)::int as n from sequence_enrollments
           where sequence_id = ${sequenceIds[i]!}::uuid group by state`),
      ),
    );
    const byState = new Map<string, number>();
    for (const rows of states) for (const r of rows) byState.set(r.state, (byState.get(r.state) ?? 0) + r.n);
    const [jobs] = await services.registry.sql<{ n: number; soonest: number }[]>`
      select count(*)::int as n, extract(epoch from min(run_at) - now())::int as soonest
        from graphile_worker.jobs where task_identifier = ${SEQUENCES_TASK}`;

    // The figures.
    const lags = counted.flatMap((c) => c.lags);
    const design = Math.ceil(MEMBERS_PER_CHURCH / rate) - 1;
    console.log(`\n## ${label}: ${fmt(TOTAL)} texts due at ${due.toISOString()}, ${rate}/s per church\n`);
    console.log(
      `by design: a church's ${MEMBERS_PER_CHURCH} texts at ${rate}/s take ≥ ${design} s ` +
        `(${rate} at once, then ${rate} a second); all churches at once: ≤ ${fmt(CHURCHES * rate)} sends/s`,
    );
    console.log(
      `sent:        ${fmt(sent)} of ${fmt(TOTAL)} rows 'sent' (${fmt(notSent)} otherwise); ` +
        `provider saw ${fmt(calls.length)} calls for ${fmt(perPair.size)} (church, member) pairs`,
    );
    if (totalMs !== null)
      console.log(
        `total:       ${secs(totalMs)} from due to the last row 'sent' ` +
          `(last provider call at +${secs((lastCall ?? 0) - due.getTime())}); ` +
          `${fmt(TOTAL / (totalMs / 1000))} sends/s`,
      );
    else console.log(`total:       NOT ALL SENT within ${secs(TIMEOUT_MS)}`);
    console.log(`lag/text:    due → 'sent': ${dist(lags)}`);
    console.log(
      `duplicates:  provider calls per (church, member) > 1: ${dupCalls}; ` +
        `messages per (enrollment, step) > 1: ${dupRows}; calls to no enrolled member: ${strays}`,
    );
    console.log(
      `after:       enrollments ${[...byState].map(([s, n]) => `${s} ${fmt(n)}`).join(', ')}; ` +
        `${jobs!.n} run_sequences jobs waiting, the soonest in ${fmt(jobs!.soonest / 60)} min` +
        (settled ? '' : ' (runs still busy 30 s after the last send)'),
    );

    // Where the time went.
    const runs = profile.runs;
    const perChurch = new Map<string, Run[]>();
    for (const r of runs) perChurch.set(r.tenantId, [...(perChurch.get(r.tenantId) ?? []), r]);
    const firstStart = [...perChurch.values()].map((rs) => Math.min(...rs.map((r) => r.start)) - due.getTime());
    const churchDone = churches.map((_, i) => counted[i]!.last ?? 0);
    // A church's later runs: how long after the time its previous run asked for (the first runs are above).
    const late = runs.filter((r) => !r.first && r.late !== null).map((r) => r.late!);
    const runCounts = [...perChurch.values()].map((rs) => rs.length);
    const busy = sum(runs.map((r) => r.ms));
    const windowMs = totalMs ?? Date.now() - due.getTime();
    console.log(`\nprofile (${label}):`);
    console.log(
      `  job runs:        ${fmt(runs.length)} (${(runs.length / CHURCHES).toFixed(1)} per church; ` +
        `min ${Math.min(...runCounts)}, max ${Math.max(...runCounts)}); run time ${dist(runs.map((r) => r.ms))}`,
    );
    const idle = runs.filter((r) => r.sends === 0).length;
    console.log(
      `  sends per run:   ${dist(runs.map((r) => r.sends)).replace(/ ms/g, '')}; ${fmt(idle)} runs sent nothing`,
    );
    console.log(
      `  worker busy:     ${secs(busy)} of runs over ${secs(windowMs)} = ` +
        `${(busy / windowMs).toFixed(1)} of ${config.WORKER_CONCURRENCY} slots on average; ` +
        `${ms(busy / Math.max(1, calls.length))} of a worker per text`,
    );
    console.log(`  first run:       due → a church's first run starts: ${dist(firstStart)}`);
    console.log(`  wake-up lag:     ${fmt(late.length)} later runs, asked-for time → start: ${dist(late)}`);
    console.log(`  church done:     due → a church's last text 'sent': ${dist(churchDone)}`);
    console.log(
      `  take-due tx:     ${fmt(profile.takeDue.length)} transactions (≤ 100 steps each): ` +
        `${dist(profile.takeDue)}; total ${secs(sum(profile.takeDue))}`,
    );
    console.log(
      `  send-rate checks: ${fmt(profile.rateChecks.length)} (get + consume): ${dist(profile.rateChecks)}; ` +
        `total ${secs(sum(profile.rateChecks))}`,
    );
    console.log(
      `  opt-out checks:  ${fmt(profile.optOutChecks.length)} (registry): ${dist(profile.optOutChecks)}; ` +
        `total ${secs(sum(profile.optOutChecks))}`,
    );
    const ok = sent === TOTAL && dupCalls === 0 && dupRows === 0 && missing === 0 && strays === 0 && notSent === 0;
    if (!ok)
      problems.push(
        `${label}: ${fmt(sent)}/${fmt(TOTAL)} sent, ${missing} members never texted, ${dupCalls} duplicate calls, ` +
          `${dupRows} duplicate rows, ${strays} stray calls, ${notSent} rows not 'sent'`,
      );
    results.push({ label, rate, totalMs, ok });
  };

  await pass('pass 1', config.SENDS_PER_SECOND_PER_CHURCH);
  if (FAST_RATE > 0) {
    services.messaging.sendRate = buildLimiter(services.registry, services.redis, {
      keyPrefix: 'send_rate_bench',
      points: FAST_RATE,
      duration: 1,
      blockDuration: 0,
    });
    wrapLimiter();
    await pass('pass 2', FAST_RATE);
  }

  // 4. The summary.
  const stats = services.connections.stats();
  const peaks = bench.peaks();
  console.log(
    `\nconnections: peak ${peaks.total} (church roles ${peaks.tenant}); created ${stats.created}, ` +
      `evictions ${stats.evicted}, budget timeouts ${stats.budgetTimeouts}; potentialLeaks ${stats.potentialLeaks}`,
  );
  console.log(
    `\nsummary (${CHURCHES} churches × ${MEMBERS_PER_CHURCH}, worker concurrency ${config.WORKER_CONCURRENCY}):`,
  );
  for (const r of results)
    console.log(
      `  ${r.label}: ${r.rate}/s per church — ` +
        (r.totalMs === null
          ? 'not all sent'
          : `all ${fmt(TOTAL)} sent ${secs(r.totalMs)} after due, ${fmt(TOTAL / (r.totalMs / 1000))} sends/s; ` +
            (r.totalMs <= TARGET_MS ? 'target met (≤ 60 s)' : 'target MISSED (> 60 s)')) +
        (r.ok ? '; 0 missing, 0 duplicates' : '; MISSING OR DUPLICATED'),
    );
  if (stats.potentialLeaks !== 0) console.log(`WARNING: ${stats.potentialLeaks} connection pools unaccounted for`);
} catch (err) {
  problems.push(`bench failed: ${(err as Error).stack ?? err}`);
} finally {
  await bench.close();
}
if (problems.length) {
  console.log(`\nPROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  exitCode = 1;
}
process.exit(exitCode);
