import { ConfigError, loadConfig } from '../server/config';
import { startWorker } from '../server/jobs/worker';
import { getServices } from '../server/services';
import { prepareDatabases } from '../server/tenancy/setup';

/** `npm run worker`: the job queue worker as its own process (set WORKER_MODE=external on the web servers). */
try {
  const config = loadConfig();
  await prepareDatabases(config.DATABASE_URL);
  const services = getServices();
  const worker = await startWorker(services);
  const stop = async () => {
    await worker.stop();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Worker failed to start: ${(err as Error).message}`);
  process.exit(1);
}
