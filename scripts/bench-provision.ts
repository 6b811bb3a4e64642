import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
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
 * `npm run bench:provision`: signups through the real tRPC procedure, polled until ready, 50 one after another and
 * then 50 at once. Prints p50/p95/max signup-to-ready and the peak number of server connections. Runs on the embedded
 * PostgreSQL, or on the server in DATABASE_URL when set, in a registry of its own that it drops afterwards.
 */
const N = Number(process.env.BENCH_SIGNUPS ?? 50);
process.env.LOG_LEVEL ??= 'warn';

const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres('bench-pg', 56432);
const serverUrl = process.env.DATABASE_URL ?? withDatabase(embedded!.url, 'postgres');
process.env.TEST_DATABASE_URL = serverUrl; // dropRegistry cleans up on this server
const registryName = `bench_${randomBytes(4).toString('hex')}`;
const url = withDatabase(serverUrl, registryName);

const config = loadConfig({ ...process.env, DATABASE_URL: url, STEEPLE_SECRET_KEY: randomBytes(32).toString('base64'), NEXTAUTH_SECRET: randomBytes(32).toString('base64'), SIGNUPS_PER_HOUR_PER_IP: '100000' });
await prepareDatabases(url, { secretKey: config.STEEPLE_SECRET_KEY });
const services = createServices(config);
const worker = await startWorker(services);
const caller = createCallerFactory(appRouter)(createContext({ session: null, services }));
const sampler = postgres(serverUrl, { max: 1 });
let peakTotal = 0;
let peakTenant = 0;
let sampling = true;
const sampling$ = (async () => {
  while (sampling) {
    const [row] = await sampler`select count(*)::int as total,
      count(*) filter (where usename like ${services.naming.prefix + '\\_r\\_%'})::int as tenant
      from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`;
    peakTotal = Math.max(peakTotal, row!.total);
    peakTenant = Math.max(peakTenant, row!.tenant);
    await new Promise((r) => setTimeout(r, 20));
  }
})();

let seq = 0;
async function signupUntilReady(): Promise<number> {
  const started = performance.now();
  const { ticket } = await caller.onboarding.signup({
    churchName: `Bench Church ${++seq}`,
    timezone: 'UTC',
    adminName: 'Bench Admin',
    email: `bench-${seq}-${randomBytes(3).toString('hex')}@example.org`,
    password: 'bench password 123',
  });
  for (;;) {
    const status = await caller.onboarding.status({ ticket });
    if (status.state === 'ready') return performance.now() - started;
    if (status.state === 'failed') throw new Error('provisioning failed');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms · p95 ${pct(xs, 95).toFixed(0)} ms · max ${Math.max(...xs).toFixed(0)} ms`;

try {
  await signupUntilReady(); // warm-up: first connections, JIT
  const sequential: number[] = [];
  for (let i = 0; i < N; i++) sequential.push(await signupUntilReady());
  const t0 = performance.now();
  const concurrent = await Promise.all(Array.from({ length: N }, () => signupUntilReady()));
  const wall = performance.now() - t0;
  sampling = false;
  await sampling$;
  const stats = services.connections.stats();
  console.log(`\nprovisioning benchmark on ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server'} (worker concurrency ${config.WORKER_CONCURRENCY}, budget ${config.CONNECTION_BUDGET})`);
  console.log(`  ${N} sequential signups, signup-to-ready: ${fmt(sequential)}`);
  console.log(`  ${N} concurrent signups, signup-to-ready: ${fmt(concurrent)}; all ready in ${(wall / 1000).toFixed(2)} s`);
  console.log(`  peak server connections: ${peakTotal} in all, ${peakTenant} by tenant roles (budget ${config.CONNECTION_BUDGET}); manager peak ${stats.peakConnections}, potentialLeaks ${stats.potentialLeaks}`);
} finally {
  sampling = false;
  await sampling$.catch(() => {});
  await sampler.end();
  await worker.stop();
  await services.close();
  await dropRegistry(registryName);
  await embedded?.stop();
}
