import { catchUpChurches, prepare, runWorker } from '../server/boot';

/** `npm run worker`: the job queue worker as its own process (set WORKER_MODE=external on the web servers). */
const config = await prepare();
await runWorker();
catchUpChurches(config);
