import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { addJobInTransaction } from '@/server/jobs/queue';
import { type Registry, withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { unavailableReason } from '@/server/tenancy/availability';
import { fetchInboundPicture } from './fetch';

/**
 * The durable job that fetches a received picture into our store (fetch.ts), keyed by church and picture: queueing
 * it again (a replayed webhook) is the same job. Retried with the queue's backoff for about six hours, so a Telnyx
 * outage does not lose a member's picture.
 */
export const FETCH_PICTURE_TASK = 'fetch_picture';
const payload = z.object({ tenantId: z.string().uuid(), mediaId: z.string().uuid() });

export function enqueuePictureFetch(registry: Registry, tenantId: string, mediaId: string) {
  const job = addJobInTransaction(
    registry.db,
    FETCH_PICTURE_TASK,
    { tenantId, mediaId },
    { jobKey: `picture:${tenantId}:${mediaId}`, maxAttempts: 10 },
  );
  return withDeadline(job, registry.timeoutMs);
}

export function mediaTasks(services: Pick<Services, 'connections' | 'media'>): Record<string, Task> {
  return {
    [FETCH_PICTURE_TASK]: async (raw, helpers) => {
      const { tenantId, mediaId } = payload.parse(raw);
      const finalAttempt = helpers.job.attempts >= helpers.job.max_attempts;
      try {
        await services.connections.withTenant(tenantId, (db) =>
          fetchInboundPicture(services, db, tenantId, mediaId, { finalAttempt }),
        );
      } catch (err) {
        // A church closed or purged meanwhile keeps nothing more; anything else (paused, an outage) is retried.
        const reason = unavailableReason(err);
        if (reason !== 'closed' && reason !== 'gone') throw err;
      }
    },
  };
}
