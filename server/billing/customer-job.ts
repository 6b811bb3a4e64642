import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { RegistryDb } from '@/db/registry';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import type { Services } from '@/server/services';
import { ensureCustomer } from './accounts';
import { isStripeUnreachable } from './stripe-errors';

/**
 * The church's Stripe customer, made by a job queued with its activation: signup never waits on Stripe (slow, down or
 * misconfigured), and the customer is there long before the owner opens checkout. Idempotent twice over: a recorded
 * customer is not asked for again, and the request's idempotency key is the church's, so a retry after a lost answer
 * gets the same customer. Checkout still calls ensureCustomer, for a church whose job has not succeeded yet.
 */
export const CUSTOMER_TASK = 'create_stripe_customer';
const payload = z.object({ tenantId: z.string().uuid() });

/** In the caller's registry transaction (the church's activation). */
export function enqueueCustomer(tx: Pick<RegistryDb, 'execute'>, tenantId: string) {
  // Retried with the queue's exponential backoff: about a day and a half of Stripe outage before it gives up. One at a
  // time (a queue of their own), so a slow Stripe holds one worker and never delays a signup's provisioning.
  return addJobInTransaction(
    tx,
    CUSTOMER_TASK,
    { tenantId },
    { jobKey: `stripe-customer:${tenantId}`, maxAttempts: 12, queueName: 'stripe' },
  );
}

export function customerTask(services: Pick<Services, 'billing' | 'registry'>): Task {
  return async (raw) => {
    const { tenantId } = payload.parse(raw);
    if (!services.billing) return; // billing was turned off since: checkout is off too
    try {
      await ensureCustomer(services.registry, services.billing, tenantId);
    } catch (err) {
      // Thrown either way, so the queue retries: an outage passes, and a refusal (a bad key) is fixed by an operator.
      if (isStripeUnreachable(err)) log.warn('stripe unreachable; the customer is created later', { tenantId, err });
      else log.error('stripe refused to create the customer; retrying later', { tenantId, err });
      throw err;
    }
  };
}
