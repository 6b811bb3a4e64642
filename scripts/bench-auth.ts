import { signInWithPassword } from '../server/auth/signin';
import { percentile, pooled, startBench, summary } from './bench-env';

/**
 * `npm run bench:auth`: provisions BENCH_CHURCHES churches (default 200) through the real signup procedure and queue
 * worker, then measures signInWithPassword — the full path: throttle check, email index → church route → the church's
 * own database → argon2id verify → session row — picking a random church each time: BENCH_SIGNINS_1 sign-ins from one
 * client (default 200), then BENCH_SIGNINS_N from BENCH_CLIENTS concurrent clients (default 400 from 20). Prints
 * p50/p95/max per phase, peak connections and the connection manager's potentialLeaks. Runs on the embedded
 * PostgreSQL, or on the server in DATABASE_URL when set, in a registry of its own that it drops afterwards.
 * Target: p50 under 150 ms at one client (the old system: 288 ms).
 */
const CHURCHES = Number(process.env.BENCH_CHURCHES ?? 200);
const SIGNINS_1 = Number(process.env.BENCH_SIGNINS_1 ?? 200);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const SIGNINS_N = Number(process.env.BENCH_SIGNINS_N ?? 400);
const SIGNUP_CONCURRENCY = 20;
const PASSWORD = 'bench password 123';
const bench = await startBench('benchauth');
const { config, services } = bench;

const signupUntilReady = async () => (await bench.signupUntilReady(PASSWORD)).email;

const randomEmail = (emails: string[]) => emails[Math.floor(Math.random() * emails.length)]!;

/** One client: `count` sign-ins one after another, each to a random church; returns each one's latency. */
async function client(id: number, count: number, emails: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const s = await signInWithPassword(
      services,
      { email: randomEmail(emails), password: PASSWORD },
      `198.51.100.${id + 1}`,
    );
    times.push(performance.now() - started);
    if (!s.sessionId) throw new Error('no session');
  }
  return times;
}

try {
  const t0 = performance.now();
  const emails = await pooled(CHURCHES, SIGNUP_CONCURRENCY, signupUntilReady);
  const provisionSeconds = (performance.now() - t0) / 1000;

  await client(0, 5, emails); // warm-up: first pools, JIT, the equaliser hash

  const before1 = { ...services.connections.counters };
  bench.resetPeaks();
  const w1 = performance.now();
  const single = await client(0, SIGNINS_1, emails);
  const wall1 = performance.now() - w1;
  const peaks1 = bench.peaks();
  const pools1 = services.connections.counters.created - before1.created;

  const before2 = { ...services.connections.counters };
  bench.resetPeaks();
  const w2 = performance.now();
  const perClient = Math.ceil(SIGNINS_N / CLIENTS);
  const concurrent = (
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id, perClient, emails)))
  ).flat();
  const wall2 = performance.now() - w2;
  const peaks2 = bench.peaks();
  const pools2 = services.connections.counters.created - before2.created;

  const stats = services.connections.stats();
  const [counted] = await services.registry.sql<{ n: number }[]>`select count(*)::int as n from auth_sessions`;
  const sessions = counted!.n;
  const p50 = percentile(single, 50);

  console.log(
    `\nsign-in benchmark on ${bench.where} (budget ${config.CONNECTION_BUDGET}, ` +
      `pool ${config.TENANT_POOL_SIZE} per church, Redis ${services.redis.state})`,
  );
  console.log(
    `  ${CHURCHES} churches provisioned through signup + worker in ${provisionSeconds.toFixed(1)} s ` +
      `(${SIGNUP_CONCURRENCY} signups at a time)`,
  );
  console.log(
    `  1 client,  ${single.length} sign-ins: ${summary(single)}; ${(single.length / (wall1 / 1000)).toFixed(1)}/s; ` +
      `${pools1} church pools opened; peak connections ${peaks1.total} (${peaks1.tenant} tenant)`,
  );
  console.log(
    `  ${CLIENTS} clients, ${concurrent.length} sign-ins: ${summary(concurrent)}; ` +
      `${(concurrent.length / (wall2 / 1000)).toFixed(1)}/s; ${pools2} church pools opened; ` +
      `peak connections ${peaks2.total} (${peaks2.tenant} tenant)`,
  );
  console.log(
    `  peak tenant connections: ${Math.max(peaks1.tenant, peaks2.tenant)} on the server, ` +
      `manager peak ${stats.peakConnections} (budget ${config.CONNECTION_BUDGET}); ` +
      `potentialLeaks ${stats.potentialLeaks}; evicted ${stats.evicted}; budget timeouts ${stats.budgetTimeouts}`,
  );
  console.log(`  sessions recorded: ${sessions}`);
  console.log(
    `  target: p50 < 150 ms at 1 client (old system 288 ms): ${p50 < 150 ? 'met' : 'NOT met'} (${p50.toFixed(0)} ms)`,
  );
  if (stats.potentialLeaks !== 0) process.exitCode = 1;
} finally {
  await bench.close();
}
