import { startBench, summary } from './bench-env';

/**
 * `npm run bench:provision`: signups through the real tRPC procedure, polled until ready, 50 one after another and
 * then 50 at once. Prints p50/p95/max signup-to-ready and the peak number of server connections. Runs on the embedded
 * PostgreSQL, or on the server in DATABASE_URL when set, in a registry of its own that it drops afterwards.
 */
const N = Number(process.env.BENCH_SIGNUPS ?? 50);
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
