'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../../_components/errors';
import { Alert, Button, Loading, Notice, Panel } from '../../../_components/ui';
import type { RouterOutputs } from '../../../_lib/router-types';
import { useTRPC } from '../../../trpc';
import { useViewer } from '../../viewer-context';
import { LocalTime } from '../../../_components/local-time';
import { longDate } from '../../../_components/time';

type Status = RouterOutputs['billing']['status'];
export type CheckoutReturn = 'success' | 'canceled' | null;

/** After Checkout, Stripe's webhook records the subscription a moment later: poll for this long, every POLL_MS. */
const POLL_FOR_MS = 30_000;
const POLL_MS = 2_000;

const STATUS_LABEL: Record<Status['status'], string> = {
  trialing: 'Free trial',
  active: 'Active',
  past_due: 'Past due — the last payment failed',
  canceled: 'Canceled',
  unpaid: 'Unpaid',
  incomplete: 'Waiting for the first payment',
  incomplete_expired: 'Checkout not completed',
  paused: 'Paused',
};

/** Paying: a subscription Stripe is charging (or about to). */
const subscribed = (s: Status) => s.hasSubscription && ['active', 'trialing', 'past_due'].includes(s.status);

export function BillingOverview({ checkout }: { checkout: CheckoutReturn }) {
  const trpc = useTRPC();
  const [polling, setPolling] = useState(checkout === 'success');
  useEffect(() => {
    if (!polling) return;
    const timer = setTimeout(() => setPolling(false), POLL_FOR_MS);
    return () => clearTimeout(timer);
  }, [polling]);
  const status = useQuery(
    trpc.billing.status.queryOptions(undefined, {
      refetchInterval: (q) => (polling && q.state.data && !subscribed(q.state.data) ? POLL_MS : false),
    }),
  );
  useBannerFollows(status.data);

  return (
    <div className="space-y-6">
      {checkout && status.data && <CheckoutNote checkout={checkout} status={status.data} polling={polling} />}
      <Panel id="plan" title="Your plan">
        {status.isPending ? (
          <Loading />
        ) : status.error ? (
          <Alert>{errorMessage(status.error)}</Alert>
        ) : (
          <PlanDetails s={status.data} />
        )}
      </Panel>
    </div>
  );
}

function CheckoutNote({
  checkout,
  status,
  polling,
}: {
  checkout: 'success' | 'canceled';
  status: Status;
  polling: boolean;
}) {
  if (checkout === 'canceled')
    return (
      <Notice tone="info">
        Checkout was canceled, so nothing was charged. You can choose a plan whenever you are ready.
      </Notice>
    );
  return (
    <Notice>
      <span data-testid="checkout-thanks">
        Thank you!{' '}
        {subscribed(status)
          ? 'Your subscription is active.'
          : polling
            ? 'Stripe is confirming your payment; this page updates by itself in a few seconds.'
            : 'Stripe has not confirmed the payment yet. It shows here as soon as it does — reload in a minute.'}
      </span>
    </Notice>
  );
}

function PlanDetails({ s }: { s: Status }) {
  const trialOver = s.status === 'trialing' && s.readOnly;
  const needsPlan = !subscribed(s);
  return (
    <div className="space-y-5">
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
        {s.planName && <Row label="Plan" value={s.planName} testId="billing-plan" />}
        <Row label="Status" value={trialOver ? 'Free trial ended' : STATUS_LABEL[s.status]} testId="billing-status" />
        {s.trialDaysLeft !== null && s.trialDaysLeft > 0 && (
          <Row
            label="Trial"
            testId="billing-trial"
            value={
              <>
                <strong className="font-semibold">
                  {s.trialDaysLeft === 1 ? '1 day left' : `${s.trialDaysLeft} days left`} in your free trial
                </strong>
                {s.trialEndsAt && (
                  <span className="text-slate-600">
                    {' '}
                    (it ends on <LocalTime value={s.trialEndsAt} format={longDate} />)
                  </span>
                )}
              </>
            }
          />
        )}
        {subscribed(s) && s.currentPeriodEnd && !s.cancelAtPeriodEnd && (
          <Row
            label="Next invoice"
            value={<LocalTime value={s.currentPeriodEnd} format={longDate} />}
            testId="billing-next-invoice"
          />
        )}
        {subscribed(s) && s.currentPeriodEnd && s.cancelAtPeriodEnd && (
          <Row
            label="Ends on"
            value={<LocalTime value={s.currentPeriodEnd} format={longDate} />}
            testId="billing-ends"
          />
        )}
      </dl>

      {s.cancelAtPeriodEnd && subscribed(s) && (
        <Notice tone="info">
          Your subscription is canceled and will not renew
          {s.currentPeriodEnd ? (
            <>
              {' '}
              after <LocalTime value={s.currentPeriodEnd} format={longDate} />
            </>
          ) : (
            ''
          )}
          . After that the workspace becomes read-only. You can renew it in Manage billing before then.
        </Notice>
      )}
      {s.banner === 'past_due' && (
        <Alert>
          Your last payment
          {s.paymentFailedAt ? (
            <>
              {' '}
              (<LocalTime value={s.paymentFailedAt} format={longDate} />)
            </>
          ) : (
            ''
          )}{' '}
          failed — update your payment method in Manage billing to keep your workspace running.
        </Alert>
      )}
      {s.readOnly && (
        <Alert>
          This workspace is read-only: your subscription is not active. Your members, conversations and broadcasts are
          all kept and you can still read and export them;{' '}
          {s.configured
            ? 'choose a plan to make changes again.'
            : 'billing is not configured on this server, so ask whoever runs it.'}
        </Alert>
      )}

      {s.configured ? (
        <BillingActions needsPlan={needsPlan} hasSubscription={s.hasSubscription} />
      ) : (
        <p
          className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-200"
          data-testid="billing-not-configured"
        >
          Billing is not configured on this server, so there is no plan to choose and nothing is charged. The free trial
          still counts down.
        </p>
      )}
    </div>
  );
}

function Row({ label, value, testId }: { label: string; value: React.ReactNode; testId: string }) {
  return (
    <>
      <dt className="font-medium text-slate-500">{label}</dt>
      <dd className="text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </>
  );
}

/** Both buttons go to a Stripe page (Checkout, or the customer portal); Stripe sends the owner back here. */
function BillingActions({ needsPlan, hasSubscription }: { needsPlan: boolean; hasSubscription: boolean }) {
  const trpc = useTRPC();
  const go = { onSuccess: ({ url }: { url: string }) => window.location.assign(url) };
  const checkout = useMutation(trpc.billing.checkout.mutationOptions(go));
  const portal = useMutation(trpc.billing.portal.mutationOptions(go));
  const leaving = checkout.isPending || checkout.isSuccess || portal.isPending || portal.isSuccess;
  const failed = checkout.error ?? portal.error;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {needsPlan && (
          <Button
            disabled={leaving}
            onClick={() => {
              portal.reset();
              checkout.mutate();
            }}
          >
            {checkout.isPending || checkout.isSuccess ? 'Opening Stripe…' : 'Choose a plan'}
          </Button>
        )}
        {hasSubscription && (
          <Button
            variant={needsPlan ? 'secondary' : 'primary'}
            disabled={leaving}
            onClick={() => {
              checkout.reset();
              portal.mutate();
            }}
          >
            {portal.isPending || portal.isSuccess ? 'Opening Stripe…' : 'Manage billing'}
          </Button>
        )}
      </div>
      <p className="text-xs text-slate-500">
        {needsPlan
          ? 'Choosing a plan opens Stripe’s secure checkout.'
          : 'Manage billing opens Stripe, where you can change the payment method, see invoices or cancel.'}
      </p>
      {failed && <Alert>{errorMessage(failed)}</Alert>}
    </div>
  );
}

/**
 * The banner above every page comes from the layout's server render. When this page sees the billing state move on
 * (a payment confirmed, a subscription ended), re-render the layout so the banner agrees with the page.
 */
function useBannerFollows(s: Status | undefined) {
  const router = useRouter();
  const { access } = useViewer();
  const readOnly = s?.readOnly;
  const banner = s?.banner;
  useEffect(() => {
    if (readOnly === undefined) return;
    if (readOnly !== access.readOnly || banner !== access.banner) router.refresh();
  }, [readOnly, banner, access.readOnly, access.banner, router]);
}
