import { sql } from 'drizzle-orm';
import { log } from '@/server/log';
import { type Registry, withDeadline } from '@/server/registry';
import type { Wake } from './outbox';

/**
 * Waking the jobs that send notifications: one per church and person for email (`notify:<church>:<person>`, a minute
 * on, so what comes in meanwhile goes in the same email) and one for the browser (`notify-push:…`, at once). A job
 * takes every notification of that person still owed when it runs, so one wake serves any number of events, and a
 * wake lost to a crash is made good by that person's next one, or within minutes by the worker's sweep (sweep.ts).
 *
 * Inbound texts wake them on their hot path, so wakes are committed in groups: while one registry statement is in
 * flight, the wakes that arrive wait for it and then go together in the next. A lone text costs one round trip, a
 * burst a handful.
 */
export const EMAIL_TASK = 'notify_email';
export const PUSH_TASK = 'notify_push';
export const DIGEST_TASK = 'notify_digest';

/** No email sooner than this after the first thing it lists, nor after the person's last one. */
export const EMAIL_BATCH_MS = 60_000;

export const emailJobKey = (tenantId: string, adminId: string) => `notify:${tenantId}:${adminId}`;
export const pushJobKey = (tenantId: string, adminId: string) => `notify-push:${tenantId}:${adminId}`;
export const digestJobKey = (tenantId: string, adminId: string) => `digest:${tenantId}:${adminId}`;

type JobSpec = {
  task: string;
  payload: { tenantId: string; adminId: string };
  max_attempts: number;
  job_key: string;
  run_at: string;
  mode: 'replace' | 'earliest';
};

/** The job a wake needs: 'earliest' keeps a sooner one already waiting (and replaces one out of attempts). */
function jobFor(tenantId: string, wake: Wake, now = Date.now()): JobSpec {
  const payload = { tenantId, adminId: wake.adminId };
  return wake.channel === 'email'
    ? {
        task: EMAIL_TASK,
        payload,
        max_attempts: 10,
        job_key: emailJobKey(tenantId, wake.adminId),
        run_at: new Date(now + EMAIL_BATCH_MS).toISOString(),
        mode: 'earliest',
      }
    : {
        task: PUSH_TASK,
        payload,
        max_attempts: 5,
        job_key: pushJobKey(tenantId, wake.adminId),
        run_at: new Date(now).toISOString(),
        mode: 'earliest',
      };
}

/** Add (or move) several jobs in one statement, in key order so two of these at once never wait on each other. */
export async function enqueueJobs(registry: Registry, specs: JobSpec[]) {
  if (specs.length === 0) return;
  await withDeadline(
    registry.db.execute(sql`
      select steeple_enqueue(w.task, w.payload, w.max_attempts, w.job_key, w.run_at, w.mode)
        from (select * from json_to_recordset(${JSON.stringify(specs)}::json)
                     as s(task text, payload json, max_attempts int, job_key text, run_at timestamptz, mode text)
               order by s.job_key offset 0) w`),
    registry.timeoutMs,
  );
}

/** Group commit of wakes for one registry (one per process in production). */
class Waker {
  private pending = new Map<string, JobSpec>();
  private waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(private registry: Registry) {}

  wake(specs: JobSpec[]): Promise<void> {
    // The same person's job twice in one group: the earlier run time stands ('earliest' would keep it anyway).
    for (const spec of specs) {
      const seen = this.pending.get(spec.job_key);
      if (!seen || spec.run_at < seen.run_at) this.pending.set(spec.job_key, spec);
    }
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (!this.flushing) void this.flush();
    return done;
  }

  private async flush() {
    this.flushing = true;
    while (this.pending.size > 0) {
      const specs = [...this.pending.values()];
      const waiting = this.waiting;
      this.pending = new Map();
      this.waiting = [];
      try {
        await enqueueJobs(this.registry, specs);
        for (const w of waiting) w.resolve();
      } catch (err) {
        for (const w of waiting) w.reject(err);
      }
    }
    this.flushing = false;
  }
}

const wakers = new WeakMap<Registry, Waker>();

/**
 * Wake the jobs of these notifications. Never throws: a notification that cannot be woken now is logged and waits
 * for that person's next wake or the sweep (its row is kept), so no text or card ever fails because of a notification.
 */
export async function wakeNotifications(registry: Registry, tenantId: string, wakes: Wake[] | undefined) {
  if (!wakes?.length) return;
  let waker = wakers.get(registry);
  if (!waker) wakers.set(registry, (waker = new Waker(registry)));
  await waker
    .wake(wakes.map((w) => jobFor(tenantId, w)))
    .catch((err) => log.warn('notification jobs not woken; the next notification wakes them', { tenantId, err }));
}
