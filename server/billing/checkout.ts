import type { BillingAccount } from '@/db/registry/schema';
import { Conflict, Precondition, TryAgain } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { accessOf, accessWith } from './access';
import { accountOf, ensureCustomer } from './accounts';
import type { Billing } from './stripe';
import { explainStripeFailure, UNREACHABLE_MESSAGE } from './stripe-errors';

/**
 * The plan, the trial and Stripe's pages: what /settings/billing shows, Checkout to subscribe, the portal to manage.
 * Stripe's webhook (webhook.ts) records what happened there; nothing here changes the account itself.
 */

type Deps = Pick<Services, 'billing' | 'config' | 'registry'>;
type Payer = { tenantId: string; email: string };

export async function billingStatus(
  { registry, billing, config }: Pick<Services, 'billing' | 'config' | 'registry'>,
  tenantId: string,
) {
  const account = await accountOf(registry, tenantId);
  return {
    configured: !!billing,
    status: account?.status ?? 'trialing',
    trialEndsAt: account?.trialEndsAt ?? null,
    currentPeriodEnd: account?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: account?.cancelAtPeriodEnd ?? false,
    hasSubscription: !!account?.subscriptionId,
    paymentFailedAt: account?.paymentFailedAt ?? null,
    ...accessWith(!!billing, account),
    trialDaysLeft: accessOf(account).trialDaysLeft, // shown here even with billing off: the trial still counts down
    /** What the trial includes: every feature, texting up to this many segments a day (none with billing off). */
    trialDailyTexts: billing ? config.TRIAL_DAILY_SEGMENTS : null,
    /** A plan chosen now is first charged then (the trial's end, kept) — or at once when null. */
    firstChargeIfChosenNow: billing ? keptTrialEnd(account) : null,
  };
}

/** The plan's name and price from Stripe (cached); `unavailable` while Stripe has not answered; `none`: billing off. */
export async function planOf({ billing }: Pick<Services, 'billing'>) {
  if (!billing) return { source: 'none' as const };
  const plan = await billing.plan.get();
  return plan
    ? { source: 'stripe' as const, name: plan.name, price: plan.price }
    : { source: 'unavailable' as const, name: billing.planName, price: null };
}

/** Stripe refuses a Checkout trial (subscription_data.trial_end) that ends less than 48 hours after the request. */
const STRIPE_MIN_TRIAL_MS = 48 * 3_600_000;
/** Room for the minutes between showing the page and Stripe's own check. */
const MARGIN_MS = 10 * 60_000;

/**
 * The trial's end when choosing a plan now keeps it: the subscription then starts with the days left and is first
 * charged when the trial would have ended. Null when there is no trial left to keep, or too little for Stripe.
 */
export function keptTrialEnd(
  account: Pick<BillingAccount, 'status' | 'trialEndsAt'> | undefined,
  now = Date.now(),
): Date | null {
  if (!account || (account.status !== 'trialing' && account.status !== 'incomplete')) return null;
  const end = new Date(account.trialEndsAt);
  return end.getTime() - now >= STRIPE_MIN_TRIAL_MS + MARGIN_MS ? end : null;
}

/** A Stripe Checkout page for the subscription; the webhook records the result. */
export async function startCheckout(deps: Deps, { tenantId, email }: Payer) {
  const billing = requireBilling(deps.billing);
  const account = await accountOf(deps.registry, tenantId);
  if (account?.subscriptionId && ['active', 'past_due', 'trialing'].includes(account.status))
    throw new Conflict('This church already has a plan. Use “Manage billing” to change it.');
  const trialEnd = keptTrialEnd(account);
  const session = await stripeCall('Checkout', tenantId, async () =>
    billing.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: await ensureCustomer(deps.registry, billing, tenantId, email),
      client_reference_id: tenantId,
      line_items: [{ price: billing.priceId, quantity: 1 }],
      // The trial is kept: the days left carry into the subscription, first charged when the trial ends.
      ...(trialEnd ? { subscription_data: { trial_end: Math.floor(trialEnd.getTime() / 1000) } } : {}),
      success_url: appUrl(deps, '/settings/billing?checkout=success'),
      cancel_url: appUrl(deps, '/settings/billing?checkout=canceled'),
    }),
  );
  if (!session.url) throw new TryAgain(UNREACHABLE_MESSAGE); // no page to send the owner to
  return { url: session.url };
}

/** Stripe's customer portal: payment method, invoices, cancel. */
export async function openPortal(deps: Deps, { tenantId, email }: Payer) {
  const billing = requireBilling(deps.billing);
  const session = await stripeCall('Billing management', tenantId, async () =>
    billing.stripe.billingPortal.sessions.create({
      customer: await ensureCustomer(deps.registry, billing, tenantId, email),
      return_url: appUrl(deps, '/settings/billing'),
    }),
  );
  return { url: session.url };
}

/** A Stripe request whose failure the owner is told about in plain words (stripe-errors.ts). */
async function stripeCall<T>(page: 'Checkout' | 'Billing management', tenantId: string, call: () => Promise<T>) {
  try {
    return await call();
  } catch (err) {
    throw explainStripeFailure(err, page, tenantId);
  }
}

function requireBilling(billing: Billing | null): Billing {
  if (!billing) throw new Precondition('Billing is not configured on this Steeple server.');
  return billing;
}

const appUrl = ({ config }: Pick<Services, 'config'>, path: string) =>
  new URL(path, config.NEXTAUTH_URL ?? 'http://localhost:3000').toString();
