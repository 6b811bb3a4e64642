import { ConfigError, loadConfig } from './config';
import { startWorker } from './jobs/worker';
import { log } from './log';
import { getServices } from './services';
import { prepareDatabases } from './tenancy/setup';

/** Server start: validate configuration, bring the registry and template up to date, start the in-process worker. */
export async function boot() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  try {
    await prepareDatabases(config.DATABASE_URL);
  } catch (err) {
    log.error('could not prepare the databases', { err });
    console.error(`Startup failed: ${(err as Error).message}`);
    process.exit(1);
  }
  const services = getServices();
  if (config.WORKER_MODE === 'inline') {
    const worker = await startWorker(services);
    const stop = async () => {
      await worker.stop();
      await services.close();
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
}
