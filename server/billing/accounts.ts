import { and, eq, isNull, sql } from 'drizzle-orm';
import { billingAccounts, churches, provisioningJobs, type BillingAccount } from '@/db/registry/schema';
import { log } from '@/server/log';
import { type Registry, withDeadline } from '@/server/registry';
import type { Billing } from './stripe';

/** A church's billing account in the registry: created with its trial at provisioning, changed by Stripe's events. */
export async function ensureAccount(registry: Registry, tenantId: string, trialDays: number) {
  await registry.db
    .insert(billingAccounts)
    .values({ tenantId, trialEndsAt: sql`now() + make_interval(days => ${trialDays})` })
    .onConflictDoNothing({ target: billingAccounts.tenantId });
}

export async function accountOf(registry: Registry, tenantId: string): Promise<BillingAccount | undefined> {
  const [row] = await withDeadline(
    registry.db.select().from(billingAccounts).where(eq(billingAccounts.tenantId, tenantId)),
    registry.timeoutMs,
  );
  return row;
}

/**
 * The church's Stripe customer, created on first need. The idempotency key is derived from the church id, so a
 * retried or repeated call (a provisioning step re-run after a crash, a checkout racing it) yields one customer.
 *
 * Stripe refuses a key reused with other parameters (`idempotency_error`, for 24 hours), so the keyed request
 * carries only what never changes: the church id and the email the church signed up with (from its provisioning
 * job; `fallbackEmail` only when there is none). The church's name, which may change between provisioning and a
 * later checkout (a renamed church), and which owner is checking out, must not: the name is set by a separate update.
 */
export async function ensureCustomer(
  registry: Registry,
  billing: Billing,
  tenantId: string,
  fallbackEmail?: string,
): Promise<string> {
  const account = await accountOf(registry, tenantId);
  if (account?.stripeCustomerId) return account.stripeCustomerId;
  const [[church], [signup]] = await withDeadline(
    Promise.all([
      registry.db.select({ name: churches.name }).from(churches).where(eq(churches.tenantId, tenantId)),
      registry.db
        .select({ email: provisioningJobs.adminEmail })
        .from(provisioningJobs)
        .where(eq(provisioningJobs.tenantId, tenantId)),
    ]),
    registry.timeoutMs,
  );
  const email = signup?.email ?? fallbackEmail;
  const customer = await billing.stripe.customers.create(
    { ...(email ? { email } : {}), metadata: { tenantId } },
    { idempotencyKey: `steeple-customer-${tenantId}` },
  );
  const [recorded] = await withDeadline(
    registry.db
      .update(billingAccounts)
      .set({ stripeCustomerId: customer.id, updatedAt: new Date() })
      .where(and(eq(billingAccounts.tenantId, tenantId), isNull(billingAccounts.stripeCustomerId)))
      .returning({ id: billingAccounts.stripeCustomerId }),
    registry.timeoutMs,
  );
  if (!recorded) {
    // Someone recorded one first (the same customer, by the key); theirs stands.
    const now = await accountOf(registry, tenantId);
    if (now?.stripeCustomerId) return now.stripeCustomerId;
  }
  log.info('stripe customer created', { tenantId, customer: customer.id });
  // The name is a convenience (invoices show it): failing to set it must not block provisioning or checkout.
  if (church?.name && customer.name !== church.name) {
    await billing.stripe.customers
      .update(customer.id, { name: church.name })
      .catch((err) => log.warn('stripe customer name not updated', { tenantId, customer: customer.id, err }));
  }
  return customer.id;
}
