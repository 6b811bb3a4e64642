import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../../_lib/trpc-server';
import { requireViewer } from '../../../_lib/viewer';
import { BackLink, PageHeading, Panel } from '../../../_components/ui';
import { BillingOverview, type CheckoutReturn } from './billing-overview';

export const metadata: Metadata = { title: 'Billing' };

/** The plan, the trial and the way to Stripe. Money is the owner's business: everyone else gets a short note. */
export default async function BillingPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  // Stripe Checkout sends the owner back with ?checkout=success|canceled
  const checkout = (await searchParams).checkout;
  const returned: CheckoutReturn = checkout === 'success' || checkout === 'canceled' ? checkout : null;
  if (can(viewer.role, 'billing.manage'))
    await prefetch(trpc.billing.status.queryOptions(), trpc.billing.plan.queryOptions());

  return (
    <>
      <p className="mb-2 text-sm">
        <BackLink href="/settings">Settings</BackLink>
      </p>
      <PageHeading title="Billing" description={`${viewer.churchName}’s plan, free trial and invoices.`} />
      {can(viewer.role, 'billing.manage') ? (
        <HydrateClient>
          <BillingOverview checkout={returned} />
        </HydrateClient>
      ) : (
        <Panel id="billing" title="Billing">
          <p className="text-sm text-slate-600" data-testid="billing-owner-only">
            Only your church’s owner manages billing: the plan, the payment method and invoices. If you see a notice
            about payment, ask them to look here.
          </p>
        </Panel>
      )}
    </>
  );
}
