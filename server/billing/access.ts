import { LRUCache } from 'lru-cache';
import type { BillingAccount } from '@/db/registry/schema';
import type { Registry } from '@/server/registry';
import { accountOf } from './accounts';

/**
 * What a church may do, from its subscription: trialing (within the trial, or a chosen plan's trial until Stripe ends
 * it) and active → everything; past_due → everything, with a banner asking to fix the payment; a trial over without a
 * plan, canceled, unpaid and the like → read-only. Enforced by the tenant procedure for every write (server/trpc.ts),
 * cached for a few seconds.
 */
export type Access = { readOnly: boolean; banner: 'past_due' | 'read_only' | null; trialDaysLeft: number | null };

export function accessOf(
  account:
    (Pick<BillingAccount, 'status' | 'trialEndsAt'> & Partial<Pick<BillingAccount, 'subscriptionId'>>) | undefined,
  now = Date.now(),
): Access {
  // No account row: never lock a church out by accident.
  if (!account) return { readOnly: false, banner: null, trialDaysLeft: null };
  const trialLeftMs = new Date(account.trialEndsAt).getTime() - now;
  const trialDaysLeft = Math.max(0, Math.ceil(trialLeftMs / 86_400_000));
  switch (account.status) {
    case 'active':
      return { readOnly: false, banner: null, trialDaysLeft: null };
    case 'past_due':
      return { readOnly: false, banner: 'past_due', trialDaysLeft: null };
    case 'trialing':
    case 'incomplete': // checkout started, first payment pending: the trial still holds
      if (trialLeftMs > 0) return { readOnly: false, banner: null, trialDaysLeft };
      // A plan chosen during the trial kept it (Checkout's trial_end): Stripe ends that trial and its event moves the
      // status on; a webhook arriving late must not lock out a church that has chosen a plan.
      if (account.status === 'trialing' && account.subscriptionId)
        return { readOnly: false, banner: null, trialDaysLeft: 0 };
      return { readOnly: true, banner: 'read_only', trialDaysLeft: 0 };
    default:
      return { readOnly: true, banner: 'read_only', trialDaysLeft: null };
  }
}

/**
 * With billing off (no Stripe) there is no way to pay, so nothing is ever locked and no page counts down: only the
 * billing page shows the trial. Turning billing on later enforces it from then on.
 */
export function accessWith(billingOn: boolean, account: Parameters<typeof accessOf>[0]): Access {
  const access = accessOf(account);
  return billingOn ? access : { readOnly: false, banner: null, trialDaysLeft: null }; // no countdown hint either
}

export const READ_ONLY_MESSAGE =
  'This workspace is read-only because its subscription is not active. ' +
  'The owner can choose a plan in Settings → Billing.';

const TTL_MS = 5_000;

/** Access per church, cached briefly; a webhook that changes a subscription forgets the entry at once. */
export class AccessCache {
  private cache = new LRUCache<string, Access>({ max: 10_000, ttl: TTL_MS });

  constructor(
    private registry: Registry,
    private billingOn: boolean,
  ) {}

  async get(tenantId: string): Promise<Access> {
    const hit = this.cache.get(tenantId);
    if (hit) return hit;
    const access = accessWith(this.billingOn, await accountOf(this.registry, tenantId)); // accountOf has the deadline
    this.cache.set(tenantId, access);
    return access;
  }

  forget(tenantId: string) {
    this.cache.delete(tenantId);
  }
}
