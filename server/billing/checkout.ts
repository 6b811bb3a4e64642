import { Conflict, Precondition, TryAgain } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { accessOf, accessWith } from './access';
import { accountOf, ensureCustomer } from './accounts';
import type { Billing } from './stripe';

/**
 * The plan, the trial and Stripe's pages: what /settings/billing shows, Checkout to subscribe, the portal to manage.
 * Stripe's webhook (webhook.ts) records what happened there; nothing here changes the account itself.
 */

type Deps = Pick<Services, 'billing' | 'config' | 'registry'>;
type Payer = { tenantId: string; email: string };

export async function billingStatus({ registry, billing }: Pick<Services, 'billing' | 'registry'>, tenantId: string) {
  const account = await accountOf(registry, tenantId);
  return {
    configured: !!billing,
    planName: billing?.planName ?? null,
    status: account?.status ?? 'trialing',
    trialEndsAt: account?.trialEndsAt ?? null,
    currentPeriodEnd: account?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: account?.cancelAtPeriodEnd ?? false,
    hasSubscription: !!account?.subscriptionId,
    paymentFailedAt: account?.paymentFailedAt ?? null,
    ...accessWith(!!billing, account),
    trialDaysLeft: accessOf(account).trialDaysLeft, // shown here even with billing off: the trial still counts down
  };
}

/** A Stripe Checkout page for the subscription; the webhook records the result. */
export async function startCheckout(deps: Deps, { tenantId, email }: Payer) {
  const billing = requireBilling(deps.billing);
  const account = await accountOf(deps.registry, tenantId);
  if (account?.subscriptionId && ['active', 'past_due', 'trialing'].includes(account.status))
    throw new Conflict('This church already has a plan. Use “Manage billing” to change it.');
  const customer = await ensureCustomer(deps.registry, billing, tenantId, email);
  const session = await billing.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    client_reference_id: tenantId,
    line_items: [{ price: billing.priceId, quantity: 1 }],
    success_url: appUrl(deps, '/settings/billing?checkout=success'),
    cancel_url: appUrl(deps, '/settings/billing?checkout=canceled'),
  });
  if (!session.url) throw new TryAgain('Stripe did not open a checkout page. Please try again.');
  return { url: session.url };
}

/** Stripe's customer portal: payment method, invoices, cancel. */
export async function openPortal(deps: Deps, { tenantId, email }: Payer) {
  const billing = requireBilling(deps.billing);
  const customer = await ensureCustomer(deps.registry, billing, tenantId, email);
  const session = await billing.stripe.billingPortal.sessions.create({
    customer,
    return_url: appUrl(deps, '/settings/billing'),
  });
  return { url: session.url };
}

function requireBilling(billing: Billing | null): Billing {
  if (!billing) throw new Precondition('Billing is not configured on this Steeple server.');
  return billing;
}

const appUrl = ({ config }: Pick<Services, 'config'>, path: string) =>
  new URL(path, config.NEXTAUTH_URL ?? 'http://localhost:3000').toString();
