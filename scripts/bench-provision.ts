import { FakeStripe } from '../tests/support/fake-stripe';
import { startBench, summary } from './bench-env';

/**
 * `npm run bench:provision`: signups through the real tRPC procedure, polled until ready, 50 one after another and
 * then 50 at once. Prints p50/p95/max signup-to-ready and the peak number of server connections. Then, in the same
 * run, signups with billing on against a Stripe stand-in that is down (503) and one that answers after 2 s: the
 * Stripe customer is a job after activation, so neither should move signup-to-ready. Runs on the embedded
 * PostgreSQL, or on the server in DATABASE_URL when set, in registries of its own that it drops afterwards.
 */
const N = Number(process.env.BENCH_SIGNUPS ?? 50);
const N_BILLING = Number(process.env.BENCH_BILLING_SIGNUPS ?? 20);

async function mainRun() {
  const bench = await startBench('bench');
  const { config, services } = bench;
  try {
    await bench.signupUntilReady(); // warm-up: first connections, JIT
    const sequential: number[] = [];
    for (let i = 0; i < N; i++) sequential.push((await bench.signupUntilReady()).ms);
    const t0 = performance.now();
    const concurrent = (await Promise.all(Array.from({ length: N }, () => bench.signupUntilReady()))).map((r) => r.ms);
    const wall = performance.now() - t0;
    const stats = services.connections.stats();
    const peaks = bench.peaks();
    console.log(
      `\nprovisioning benchmark on ${bench.where} ` +
        `(worker concurrency ${config.WORKER_CONCURRENCY}, budget ${config.CONNECTION_BUDGET})`,
    );
    console.log(`  ${N} sequential signups, signup-to-ready: ${summary(sequential)}`);
    console.log(
      `  ${N} concurrent signups, signup-to-ready: ${summary(concurrent)}; all ready in ${(wall / 1000).toFixed(2)} s`,
    );
    console.log(
      `  peak server connections: ${peaks.total} in all, ${peaks.tenant} by tenant roles ` +
        `(budget ${config.CONNECTION_BUDGET}); manager peak ${stats.peakConnections}, ` +
        `potentialLeaks ${stats.potentialLeaks}`,
    );
    if (stats.potentialLeaks !== 0) process.exitCode = 1;
  } finally {
    await bench.close();
  }
}

/** N_BILLING sequential signups with billing on, Stripe's stand-in behaving as `stripe` says. */
async function billingRun(stripe: 'up' | 'down' | 'slow (2 s)') {
  const fake = await FakeStripe.start();
  if (stripe === 'down') fake.fail(503);
  if (stripe === 'slow (2 s)') fake.fail({ kind: 'slow', ms: 2_000 });
  const bench = await startBench('bench_billing', fake.env());
  try {
    await bench.signupUntilReady();
    const times: number[] = [];
    for (let i = 0; i < N_BILLING; i++) times.push((await bench.signupUntilReady()).ms);
    console.log(`  billing on, Stripe ${stripe}: ${N_BILLING} sequential signups, signup-to-ready: ${summary(times)}`);
  } finally {
    await bench.close();
    await fake.stop();
  }
}

await mainRun();
for (const stripe of ['up', 'down', 'slow (2 s)'] as const) await billingRun(stripe);
