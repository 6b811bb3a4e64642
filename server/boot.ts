import { ConfigError, loadConfig, type Config } from './config';
import { migrateFleet, MigrationInProgressError } from './fleet/migrate';
import { startWorker } from './jobs/worker';
import { log } from './log';
import { installCrashHandlers } from './observability/crash';
import { initSentry } from './observability/sentry';
import { getServices } from './services';
import { prepareDatabases } from './tenancy/setup';

/**
 * Validate configuration and bring the registry, queue tables and template up to date; exit with one clear line if
 * not.
 */
export async function prepare(opts: { exitOnRejection: boolean } = { exitOnRejection: true }): Promise<Config> {
  installCrashHandlers(opts); // from here on, nothing ends this process without a word in the log
  try {
    const config = loadConfig();
    await initSentry(config.SENTRY_DSN); // errors are reported from here on when SENTRY_DSN is set
    await prepareDatabases(config.DATABASE_URL, { secretKey: config.STEEPLE_SECRET_KEY });
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) log.error('startup failed', { err });
    console.error(err instanceof ConfigError ? err.message : `Startup failed: ${(err as Error).message}`);
    process.exit(1);
  }
}

/** Run the queue worker in this process until SIGTERM/SIGINT, then stop it and close every connection. */
export async function runWorker() {
  const services = getServices();
  const worker = await startWorker(services);
  stopOnSignal(() => worker.stop());
}

/** Next.js server start (instrumentation.ts): prepare, then the worker in-process unless it runs on its own. */
export async function boot() {
  const config = await prepare({ exitOnRejection: false });
  if (config.WORKER_MODE === 'inline') await runWorker();
  else stopOnSignal(async () => {});
  catchUpChurches(config);
}

/** On SIGTERM/SIGINT: finish `stop` (the worker hands its jobs back), close every connection, exit. */
function stopOnSignal(stop: () => Promise<void>) {
  const handler = async () => {
    try {
      await stop();
      await getServices().close();
    } catch (err) {
      log.error('shutdown did not finish cleanly', { err });
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

/**
 * Churches behind the latest schema are migrated in the background (each is refused with a 503 until its turn), so a
 * deploy never waits on the fleet. Only one process runs it; the others find the fleet lock taken and skip.
 */
export function catchUpChurches(config: Config) {
  if (!config.MIGRATE_TENANTS_ON_START) return;
  void migrateFleet(getServices(), { skipFailing: true }).catch((err) => {
    if (MigrationInProgressError.is(err)) log.info('fleet migration already running elsewhere');
    else log.error('fleet migration at start failed; run `npm run tenants -- migrate`', { err });
  });
}
