import { and, eq, isNull, sql } from 'drizzle-orm';
import { billingAccounts, churches, type BillingAccount } from '@/db/registry/schema';
import { log } from '@/server/log';
import type { Registry } from '@/server/registry';
import type { Billing } from './stripe';

/** A church's billing account in the registry: created with its trial at provisioning, changed by Stripe's events. */
export async function ensureAccount(registry: Registry, tenantId: string, trialDays: number) {
  await registry.db
    .insert(billingAccounts)
    .values({ tenantId, trialEndsAt: sql`now() + make_interval(days => ${trialDays})` })
    .onConflictDoNothing({ target: billingAccounts.tenantId });
}

export async function accountOf(registry: Registry, tenantId: string): Promise<BillingAccount | undefined> {
  const [row] = await registry.db.select().from(billingAccounts).where(eq(billingAccounts.tenantId, tenantId));
  return row;
}

/**
 * The church's Stripe customer, created on first need. The idempotency key is derived from the church id, so a
 * retried or repeated call (a provisioning step re-run after a crash, a checkout racing it) yields one customer.
 */
export async function ensureCustomer(registry: Registry, billing: Billing, tenantId: string, email?: string): Promise<string> {
  const account = await accountOf(registry, tenantId);
  if (account?.stripeCustomerId) return account.stripeCustomerId;
  const [church] = await registry.db.select({ name: churches.name }).from(churches).where(eq(churches.tenantId, tenantId));
  const customer = await billing.stripe.customers.create(
    { name: church?.name, email, metadata: { tenantId } },
    { idempotencyKey: `steeple-customer-${tenantId}` },
  );
  await registry.db
    .update(billingAccounts)
    .set({ stripeCustomerId: customer.id, updatedAt: new Date() })
    .where(and(eq(billingAccounts.tenantId, tenantId), isNull(billingAccounts.stripeCustomerId)));
  log.info('stripe customer created', { tenantId, customer: customer.id });
  return customer.id;
}
