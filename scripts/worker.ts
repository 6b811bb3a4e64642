import { prepare, runWorker } from '../server/boot';

/** `npm run worker`: the job queue worker as its own process (set WORKER_MODE=external on the web servers). */
await prepare();
await runWorker();
