import { TRPCError } from '@trpc/server';
import { accessOf, accessWith } from '@/server/billing/access';
import { allowanceOf } from '@/server/billing/allowance';
import { accountOf, ensureCustomer } from '@/server/billing/accounts';
import type { Billing } from '@/server/billing/stripe';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

// The plan, the trial and the Stripe pages. Money is the owner's business: only they start checkout or the portal.
// Both stay open while the church is read-only — that is how it gets out of read-only.
export const billingRouter = router({
  /** What /settings/billing shows. Anyone signed in may read it (the banner needs it); the buttons are the owner's. */
  status: tenantProcedure.query(async ({ ctx }) => {
    const account = await accountOf(ctx.services.registry, ctx.tenantId);
    const billing = ctx.services.billing;
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
  }),

  /** A trial's daily texting allowance (how much is left, when it resets), or { limited: false }. */
  allowance: tenantProcedure.query(({ ctx }) => allowanceOf(ctx.services, ctx.db, ctx.tenantId)),

  /** A Stripe Checkout page for the subscription; the webhook records the result. */
  checkout: permittedProcedure('billing.manage')
    .meta({ readOnlyOk: true })
    .mutation(async ({ ctx }) => {
      const billing = requireBilling(ctx.services.billing);
      const account = await accountOf(ctx.services.registry, ctx.tenantId);
      if (account?.subscriptionId && ['active', 'past_due', 'trialing'].includes(account.status)) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'This church already has a plan. Use “Manage billing” to change it.',
        });
      }
      const customer = await ensureCustomer(ctx.services.registry, billing, ctx.tenantId, ctx.admin.email);
      const session = await billing.stripe.checkout.sessions.create({
        mode: 'subscription',
        customer,
        client_reference_id: ctx.tenantId,
        line_items: [{ price: billing.priceId, quantity: 1 }],
        success_url: appUrl(ctx.services.config.NEXTAUTH_URL, '/settings/billing?checkout=success'),
        cancel_url: appUrl(ctx.services.config.NEXTAUTH_URL, '/settings/billing?checkout=canceled'),
      });
      if (!session.url)
        throw new TRPCError({
          code: 'SERVICE_UNAVAILABLE',
          message: 'Stripe did not open a checkout page. Please try again.',
        });
      return { url: session.url };
    }),

  /** Stripe's customer portal: payment method, invoices, cancel. */
  portal: permittedProcedure('billing.manage')
    .meta({ readOnlyOk: true })
    .mutation(async ({ ctx }) => {
      const billing = requireBilling(ctx.services.billing);
      const customer = await ensureCustomer(ctx.services.registry, billing, ctx.tenantId, ctx.admin.email);
      const session = await billing.stripe.billingPortal.sessions.create({
        customer,
        return_url: appUrl(ctx.services.config.NEXTAUTH_URL, '/settings/billing'),
      });
      return { url: session.url };
    }),
});

function requireBilling(billing: Billing | null): Billing {
  if (!billing)
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'Billing is not configured on this Steeple server.' });
  return billing;
}

const appUrl = (base: string | undefined, path: string) => new URL(path, base ?? 'http://localhost:3000').toString();
