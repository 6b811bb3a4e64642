import { ConfigError, loadConfig, type Config } from './config';
import { startWorker } from './jobs/worker';
import { log } from './log';
import { getServices } from './services';
import { prepareDatabases } from './tenancy/setup';

/** Validate configuration and bring the registry, queue tables and template up to date; exit with one clear line if not. */
export async function prepare(): Promise<Config> {
  try {
    const config = loadConfig();
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
  const stop = async () => {
    await worker.stop();
    await services.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Next.js server start (instrumentation.ts): prepare, then the worker in-process unless it runs on its own. */
export async function boot() {
  const config = await prepare();
  if (config.WORKER_MODE === 'inline') await runWorker();
}
