import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { purgeDue } from '@/server/fleet/lifecycle';
import { log } from '@/server/log';
import { mediaTasks } from '@/server/media/jobs';
import { messagingTasks } from '@/server/messaging/jobs';
import { notificationTasks } from '@/server/notifications/jobs';
import { ORDER_CHECK_TASK, orderCheckTask } from '@/server/numbers/order-check';
import { REGISTRATION_TASK, registrationTask } from '@/server/registration/progress';
import { SEQUENCES_TASK, sequencesTask } from '@/server/sequences/jobs';
import { VERIFY_MAIL_TASK, verificationMailTask } from '@/server/auth/email-verification';
import { CUSTOMER_TASK, customerTask } from '@/server/billing/customer-job';
import type { Services } from '@/server/services';
import { runProvisioning } from '@/server/tenancy/provisioner';
import { PROVISION_TASK, startQueue } from './queue';
import { startMaintenance } from './maintenance';
import { forgetWorkers, recoverOnce } from './recovery';

/** The parts of Services this module uses. */
type Deps = Pick<
  Services,
  | 'access'
  | 'billing'
  | 'cluster'
  | 'config'
  | 'connections'
  | 'inventory'
  | 'media'
  | 'messaging'
  | 'profiles'
  | 'provision'
  | 'registrar'
  | 'registry'
  | 'resolver'
>;

const provisionPayload = z.object({ jobId: z.string().uuid() });

function provisionTask(services: Deps): Task {
  return async (payload, helpers) => {
    const { jobId } = provisionPayload.parse(payload);
    const finalAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    const outcome = await runProvisioning(services.provision, jobId, { finalAttempt });
    // Throwing hands the job back to the queue, which retries it with exponential backoff.
    if (outcome === 'retry') throw new Error(`provisioning job ${jobId} will be retried`);
  };
}

/** Start the queue worker: in the Next.js server by default, or alone with `npm run worker`. */
export async function startWorker(
  services: Deps,
  opts: { recoveryEveryMs?: number; staleSeconds?: number; maintenanceEveryMs?: number } = {},
) {
  const { runner, workerIds } = await startQueue({
    connectionString: services.config.DATABASE_URL,
    concurrency: services.config.WORKER_CONCURRENCY,
    tasks: {
      [PROVISION_TASK]: provisionTask(services),
      [ORDER_CHECK_TASK]: orderCheckTask(services),
      [REGISTRATION_TASK]: registrationTask(services),
      [SEQUENCES_TASK]: sequencesTask(services),
      [VERIFY_MAIL_TASK]: verificationMailTask(services),
      [CUSTOMER_TASK]: customerTask(services),
      ...messagingTasks(services),
      ...notificationTasks(services),
      ...mediaTasks(services),
    },
  });
  const recover = () =>
    recoverOnce(services.registry.sql, workerIds, {
      staleSeconds: opts.staleSeconds ?? 30,
      maxAttempts: services.config.PROVISION_MAX_ATTEMPTS,
    }).catch((err) => log.warn('queue recovery pass failed', { err }));
  await recover();
  const timer = setInterval(recover, opts.recoveryEveryMs ?? 10_000);
  timer.unref();
  // Closed churches past their grace period are dropped; every worker may try, a conditional update picks one.
  const purge = setInterval(
    () => void purgeDue(services).catch((err) => log.warn('purge pass failed', { err })),
    5 * 60_000,
  );
  purge.unref();
  const stopMaintenance = startMaintenance(services, opts.maintenanceEveryMs);
  log.info('queue worker started', { concurrency: services.config.WORKER_CONCURRENCY });
  return {
    async stop() {
      clearInterval(timer);
      clearInterval(purge);
      stopMaintenance();
      const ids = [...workerIds];
      await runner.stop();
      await forgetWorkers(services.registry.sql, ids).catch(() => {});
    },
  };
}
