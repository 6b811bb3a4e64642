import { EventEmitter } from 'node:events';
import { Logger, run, type Runner, type Task, type WorkerEvents } from 'graphile-worker';
import { sql } from 'drizzle-orm';
import type { RegistryDb } from '@/db/registry';
import { log } from '@/server/log';

/**
 * The durable job queue: graphile-worker, in the registry database. Chosen over pg-boss because it wakes workers
 * with LISTEN/NOTIFY (a job starts milliseconds after it is added, which keeps signup-to-ready well under a second)
 * and because jobs can be added in the same SQL transaction as the rows they act on.
 */
export const PROVISION_TASK = 'provision_tenant';
/** Job keys name the church as well as what they act on: ids are only unique within one church, or one table. */
export const provisionJobKey = (tenantId: string, jobId: string) => `provision:${tenantId}:${jobId}`;

/** Add a job inside the caller's transaction, so the job exists if and only if the transaction commits. */
export async function addJobInTransaction(
  tx: Pick<RegistryDb, 'execute'>,
  task: string,
  payload: Record<string, unknown>,
  opts: {
    jobKey: string;
    maxAttempts: number;
    runAt?: Date;
    mode?: 'replace' | 'preserve_run_at' | 'earliest';
    /** Jobs of one named queue run one at a time. */
    queueName?: string;
  },
) {
  const runAt = opts.runAt?.toISOString() ?? null;
  // mode: what a job already waiting under the same key becomes (graphile-worker's job_key_mode).
  await tx.execute(
    sql`select steeple_enqueue(${task}, ${JSON.stringify(payload)}::json, ${opts.maxAttempts}::int, ${opts.jobKey},
                               ${runAt}::timestamptz, ${opts.mode ?? 'replace'}, ${opts.queueName ?? null}::text)`,
  );
}

export const queueLogger = new Logger((scope) => (level, message, meta) => {
  const fields = { ...scope, ...meta } as Record<string, unknown>;
  if (level === 'error') log.error(`queue: ${message}`, fields);
  else if (level === 'warning') log.warn(`queue: ${message}`, fields);
  else log.debug(`queue: ${message}`, fields);
});

export type QueueRunner = { runner: Runner; workerIds: Set<string> };

export async function startQueue(opts: {
  connectionString: string;
  concurrency: number;
  tasks: Record<string, Task>;
}): Promise<QueueRunner> {
  // Listen before starting: workers are created (and announce their ids) while run() starts.
  const events = new EventEmitter() as WorkerEvents;
  const workerIds = new Set<string>();
  events.on('worker:create', ({ worker }) => workerIds.add(worker.workerId));
  events.on('worker:release', ({ worker }) => workerIds.delete(worker.workerId));
  const runner = await run({
    events,
    connectionString: opts.connectionString,
    concurrency: opts.concurrency,
    maxPoolSize: opts.concurrency + 2,
    taskList: opts.tasks,
    noHandleSignals: true, // the host process owns shutdown
    pollInterval: 2_000, // a fallback only: new jobs arrive by NOTIFY
    logger: queueLogger,
  });
  return { runner, workerIds };
}
