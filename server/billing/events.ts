import { and, eq, isNull, lte, ne, notInArray, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { billingAccounts, billingStatus, type BillingAccount } from '@/db/registry/schema';
import type { RegistryDb } from '@/db/registry';

/**
 * The effect of each Stripe event we handle, written in the caller's registry transaction (beside the event id).
 * Subscription state carries the event's `created` time, and an event older than the state we hold is ignored, so
 * out-of-order delivery can never move a church back to a stale status. A church that subscribes again holds its
 * newest subscription: the end of an older one never ends it (see `applies` below).
 */
type Tx = Parameters<Parameters<RegistryDb['transaction']>[0]>[0];

/** What an applied event changed, for the church's activity log (webhook.ts writes it); null: nothing changed. */
export type BillingChange = {
  action:
    'billing.checkout_completed' | 'billing.subscription_changed' | 'billing.payment_failed' | 'billing.invoice_paid';
  subject: string;
  details: Record<string, string | number | boolean | null>;
};
export const HANDLED = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'invoice.payment_failed',
  'invoice.paid',
] as const;

/** A status Stripe may add later is treated as not paying (read-only) rather than crashing the webhook. */
const statusOf = (status: string): BillingAccount['status'] =>
  (billingStatus.enumValues as readonly string[]).includes(status) ? (status as BillingAccount['status']) : 'unpaid';

/** Statuses under which a subscription is the one that counts (it gives access, or is about to). */
const LIVE = ['trialing', 'active', 'past_due', 'incomplete'] as const satisfies readonly BillingAccount['status'][];

const idOf = (ref: string | { id: string } | null | undefined) => (typeof ref === 'string' ? ref : (ref?.id ?? null));
const at = (unix: number | null | undefined) => (unix ? new Date(unix * 1000) : null);

/** The church an event is about: the checkout's client_reference_id, or the customer we recorded for it. */
export async function tenantOf(tx: Tx, event: Stripe.Event): Promise<string | null> {
  const object = event.data.object as {
    client_reference_id?: string | null;
    customer?: string | { id: string } | null;
  };
  const reference = event.type === 'checkout.session.completed' ? object.client_reference_id : null;
  if (reference && /^[0-9a-f-]{36}$/i.test(reference)) {
    const [row] = await tx
      .select({ id: billingAccounts.tenantId })
      .from(billingAccounts)
      .where(eq(billingAccounts.tenantId, reference));
    if (row) return row.id;
  }
  const customer = idOf(object.customer);
  if (!customer) return null;
  const [row] = await tx
    .select({ id: billingAccounts.tenantId })
    .from(billingAccounts)
    .where(eq(billingAccounts.stripeCustomerId, customer));
  return row?.id ?? null;
}

export async function applyEvent(tx: Tx, tenantId: string, event: Stripe.Event): Promise<BillingChange | null> {
  const where = eq(billingAccounts.tenantId, tenantId);
  switch (event.type) {
    case 'checkout.session.completed': {
      const s = event.data.object;
      await tx
        .update(billingAccounts)
        .set({
          subscriptionId: sql`coalesce(${billingAccounts.subscriptionId}, ${idOf(s.subscription)})`,
          stripeCustomerId: sql`coalesce(${billingAccounts.stripeCustomerId}, ${idOf(s.customer)})`,
          updatedAt: new Date(),
        })
        .where(where);
      return { action: 'billing.checkout_completed', subject: 'Plan chosen', details: { event: event.id } };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const sub = event.data.object;
      const item = sub.items?.data?.[0];
      const stateAt = new Date(event.created * 1000);
      const status = event.type === 'customer.subscription.deleted' ? 'canceled' : statusOf(sub.status);
      const newer = or(isNull(billingAccounts.stateAt), lte(billingAccounts.stateAt, stateAt));
      // The subscription we hold moves only to newer events. Another one (the church subscribed again after an
      // unpaid or canceled one) replaces it only while live — and then even if the ended one's last event is newer —
      // so a late `deleted` of the old subscription can never lock out a church that pays for the new one.
      const applies = (LIVE as readonly string[]).includes(status)
        ? or(newer, and(ne(billingAccounts.subscriptionId, sub.id), notInArray(billingAccounts.status, [...LIVE])))
        : and(newer, or(isNull(billingAccounts.subscriptionId), eq(billingAccounts.subscriptionId, sub.id)));
      const applied = await tx
        .update(billingAccounts)
        .set({
          subscriptionId: sub.id,
          status,
          priceId: item?.price?.id ?? null,
          currentPeriodEnd: at(item?.current_period_end),
          cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
          ...(sub.trial_end ? { trialEndsAt: new Date(sub.trial_end * 1000) } : {}),
          stateAt,
          updatedAt: new Date(),
        })
        .where(and(where, applies))
        .returning({ status: billingAccounts.status });
      if (!applied.length) return null; // an older event, or another subscription's: nothing changed
      return {
        action: 'billing.subscription_changed',
        subject: status,
        details: { event: event.id, status, cancelAtPeriodEnd: sub.cancel_at_period_end ?? false },
      };
    }
    case 'customer.subscription.trial_will_end':
      await tx.update(billingAccounts).set({ trialEndingNoticeAt: new Date(), updatedAt: new Date() }).where(where);
      return null; // a notice, not a change
    case 'invoice.payment_failed':
      await tx
        .update(billingAccounts)
        .set({ paymentFailedAt: new Date(event.created * 1000), updatedAt: new Date() })
        .where(where);
      return { action: 'billing.payment_failed', subject: 'Payment failed', details: { event: event.id } };
    case 'invoice.paid': {
      const invoice = event.data.object;
      // The period paid for is on the lines: `invoice.period_end` is only when items could last be added (for a
      // renewal, the start of the new period). Timestamps go to SQL as text with a cast: postgres.js cannot send a
      // Date bound inside a raw sql fragment.
      const paidThrough = Math.max(0, ...(invoice.lines?.data ?? []).map((line) => line.period?.end ?? 0));
      const paidAt = new Date(event.created * 1000).toISOString();
      await tx
        .update(billingAccounts)
        .set({
          // A failure newer than this payment (a later invoice) stays on record.
          paymentFailedAt: sql`case when ${billingAccounts.paymentFailedAt} <= ${paidAt}::timestamptz
                                    then null else ${billingAccounts.paymentFailedAt} end`,
          ...(paidThrough
            ? {
                currentPeriodEnd: sql`greatest(${billingAccounts.currentPeriodEnd},
                                               ${new Date(paidThrough * 1000).toISOString()}::timestamptz)`,
              }
            : {}),
          updatedAt: new Date(),
        })
        .where(where);
      const amount = typeof invoice.amount_paid === 'number' ? invoice.amount_paid : null;
      return {
        action: 'billing.invoice_paid',
        subject: 'Invoice paid',
        details: { event: event.id, amountCents: amount, currency: invoice.currency ?? null },
      };
    }
  }
  return null;
}
