import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { signInWithPassword } from '../server/auth/signin';
import { loadConfig } from '../server/config';
import { startWorker } from '../server/jobs/worker';
import { appRouter } from '../server/routers/_app';
import { createServices } from '../server/services';
import { prepareDatabases } from '../server/tenancy/setup';
import { createCallerFactory, createContext } from '../server/trpc';
import { withDatabase } from '../server/tenancy/urls';
import { dropRegistry } from '../tests/support/harness';
import { startEmbeddedPostgres } from './embedded-pg';

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
process.env.LOG_LEVEL ??= 'warn';

const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres('bench-pg', 56432);
const serverUrl = process.env.DATABASE_URL ?? withDatabase(embedded!.url, 'postgres');
process.env.TEST_DATABASE_URL = serverUrl; // dropRegistry cleans up on this server
const registryName = `benchauth_${randomBytes(4).toString('hex')}`;
const url = withDatabase(serverUrl, registryName);

const config = loadConfig({
  ...process.env,
  DATABASE_URL: url,
  STEEPLE_SECRET_KEY: randomBytes(32).toString('base64'),
  NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
  SIGNUPS_PER_HOUR_PER_IP: '100000',
});
await prepareDatabases(url, { secretKey: config.STEEPLE_SECRET_KEY });
const services = createServices(config);
const worker = await startWorker(services);
const caller = createCallerFactory(appRouter)(createContext({ session: null, services, ip: '203.0.113.10' }));
const sampler = postgres(serverUrl, { max: 1, onnotice: () => {} });
const tenantRoles = services.naming.prefix + '\\_r\\_%';
let peakTotal = 0;
let peakTenant = 0;
let sampling = true;
const resetPeaks = () => {
  peakTotal = 0;
  peakTenant = 0;
};
const sampling$ = (async () => {
  while (sampling) {
    const [row] = await sampler`select count(*)::int as total,
      count(*) filter (where usename like ${tenantRoles})::int as tenant
      from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`;
    peakTotal = Math.max(peakTotal, row!.total);
    peakTenant = Math.max(peakTenant, row!.tenant);
    await new Promise((r) => setTimeout(r, 20));
  }
})();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms · p95 ${pct(xs, 95).toFixed(0)} ms · max ${Math.max(...xs).toFixed(0)} ms`;

/** Run `total` tasks with at most `concurrency` in flight. */
async function pooled<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

async function signupUntilReady(i: number): Promise<string> {
  const email = `bench-${i}-${randomBytes(3).toString('hex')}@example.org`;
  const { ticket } = await caller.onboarding.signup({ churchName: `Bench Church ${i}`, timezone: 'UTC', adminName: `Bench Admin ${i}`, email, password: PASSWORD });
  for (;;) {
    const status = await caller.onboarding.status({ ticket });
    if (status.state === 'ready') return email;
    if (status.state === 'failed') throw new Error(`provisioning of church ${i} failed`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const randomEmail = (emails: string[]) => emails[Math.floor(Math.random() * emails.length)]!;

/** One client: `count` sign-ins one after another, each to a random church; returns each one's latency. */
async function client(id: number, count: number, emails: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const s = await signInWithPassword(services, { email: randomEmail(emails), password: PASSWORD }, `198.51.100.${id + 1}`);
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
  resetPeaks();
  const w1 = performance.now();
  const single = await client(0, SIGNINS_1, emails);
  const wall1 = performance.now() - w1;
  const peaks1 = { total: peakTotal, tenant: peakTenant };
  const pools1 = services.connections.counters.created - before1.created;

  const before2 = { ...services.connections.counters };
  resetPeaks();
  const w2 = performance.now();
  const perClient = Math.ceil(SIGNINS_N / CLIENTS);
  const concurrent = (await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id, perClient, emails)))).flat();
  const wall2 = performance.now() - w2;
  const peaks2 = { total: peakTotal, tenant: peakTenant };
  const pools2 = services.connections.counters.created - before2.created;

  sampling = false;
  await sampling$;
  const stats = services.connections.stats();
  const [counted] = await services.registry.sql<{ n: number }[]>`select count(*)::int as n from auth_sessions`;
  const sessions = counted!.n;
  const p50 = pct(single, 50);

  console.log(`\nsign-in benchmark on ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server'} (budget ${config.CONNECTION_BUDGET}, pool ${config.TENANT_POOL_SIZE} per church, Redis ${services.redis.state})`);
  console.log(`  ${CHURCHES} churches provisioned through signup + worker in ${provisionSeconds.toFixed(1)} s (${SIGNUP_CONCURRENCY} signups at a time)`);
  console.log(`  1 client,  ${single.length} sign-ins: ${fmt(single)}; ${(single.length / (wall1 / 1000)).toFixed(1)}/s; ${pools1} church pools opened; peak connections ${peaks1.total} (${peaks1.tenant} tenant)`);
  console.log(`  ${CLIENTS} clients, ${concurrent.length} sign-ins: ${fmt(concurrent)}; ${(concurrent.length / (wall2 / 1000)).toFixed(1)}/s; ${pools2} church pools opened; peak connections ${peaks2.total} (${peaks2.tenant} tenant)`);
  console.log(`  peak tenant connections: ${Math.max(peaks1.tenant, peaks2.tenant)} on the server, manager peak ${stats.peakConnections} (budget ${config.CONNECTION_BUDGET}); potentialLeaks ${stats.potentialLeaks}; evicted ${stats.evicted}; budget timeouts ${stats.budgetTimeouts}`);
  console.log(`  sessions recorded: ${sessions}`);
  console.log(`  target: p50 < 150 ms at 1 client (old system 288 ms): ${p50 < 150 ? 'met' : 'NOT met'} (${p50.toFixed(0)} ms)`);
  if (stats.potentialLeaks !== 0) process.exitCode = 1;
} finally {
  sampling = false;
  await sampling$.catch(() => {});
  await sampler.end();
  await worker.stop();
  await services.close();
  await dropRegistry(registryName);
  await embedded?.stop();
}
