import { allowanceOf } from '@/server/billing/allowance';
import { billingStatus, openPortal, planOf, startCheckout } from '@/server/billing/checkout';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

// Money is the owner's business: only they start checkout or the portal. Both stay open while the church is
// read-only — that is how it gets out of read-only.
export const billingRouter = router({
  /** What /settings/billing shows. Anyone signed in may read it (the banner needs it); the buttons are the owner's. */
  status: tenantProcedure.query(({ ctx }) => billingStatus(ctx.services, ctx.tenantId)),

  /** The plan's name and price, from Stripe's Price (cached an hour); never fails when Stripe is down. */
  plan: tenantProcedure.query(({ ctx }) => planOf(ctx.services)),

  /** A trial's daily texting allowance (how much is left, when it resets), or { limited: false }. */
  allowance: tenantProcedure.query(({ ctx }) => allowanceOf(ctx.services, ctx.db, ctx.tenantId)),

  /** A Stripe Checkout page for the subscription; the webhook records the result. */
  checkout: permittedProcedure('billing.manage')
    .meta({ readOnlyOk: true })
    .mutation(({ ctx }) => startCheckout(ctx.services, { tenantId: ctx.tenantId, email: ctx.admin.email })),

  /** Stripe's customer portal: payment method, invoices, cancel. */
  portal: permittedProcedure('billing.manage')
    .meta({ readOnlyOk: true })
    .mutation(({ ctx }) => openPortal(ctx.services, { tenantId: ctx.tenantId, email: ctx.admin.email })),
});
