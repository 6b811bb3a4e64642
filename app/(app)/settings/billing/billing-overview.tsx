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
type Plan = RouterOutputs['billing']['plan'];
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

/** A plan chosen during the trial keeps it: Stripe's subscription is `trialing` until the first charge. */
const statusLabel = (s: Status, trialOver: boolean) =>
  trialOver
    ? 'Free trial ended'
    : s.status === 'trialing' && s.hasSubscription
      ? 'Plan chosen — free until your trial ends'
      : STATUS_LABEL[s.status];

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
  // Never an error for Stripe being down: the server answers `unavailable` and the page says so.
  const plan = useQuery(trpc.billing.plan.queryOptions());
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
          <PlanDetails s={status.data} plan={plan.data} />
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

function PlanDetails({ s, plan }: { s: Status; plan: Plan | undefined }) {
  const trialOver = s.status === 'trialing' && s.readOnly;
  const needsPlan = !subscribed(s);
  const onTrial = s.trialDaysLeft !== null && s.trialDaysLeft > 0;
  return (
    <div className="space-y-5">
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
        <PlanRows plan={plan} />
        <Row label="Status" value={statusLabel(s, trialOver)} testId="billing-status" />
        {onTrial && (
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
                    ({subscribed(s) ? 'your plan starts' : 'it ends'} on{' '}
                    <LocalTime value={s.trialEndsAt} format={longDate} />)
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

      {onTrial && needsPlan && <TrialIncludes dailyTexts={s.trialDailyTexts} />}

      {s.configured ? (
        <BillingActions
          needsPlan={needsPlan}
          hasSubscription={s.hasSubscription}
          before={needsPlan && <WhenBillingStarts s={s} />}
        />
      ) : (
        <p
          className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-200"
          data-testid="billing-not-configured"
        >
          This Steeple server does not take payments, so there is no plan to choose and nothing is ever charged. The
          free trial still counts down, and nothing is limited when it ends.
        </p>
      )}
    </div>
  );
}

/** The plan's name and price as Stripe has them, what is known while Stripe cannot be reached, or no paid plan. */
function PlanRows({ plan }: { plan: Plan | undefined }) {
  if (!plan) return <Row label="Plan" value={<span className="text-slate-500">Loading…</span>} testId="billing-plan" />;
  if (plan.source === 'none') return <Row label="Plan" value="No paid plan on this server" testId="billing-plan" />;
  return (
    <>
      <Row label="Plan" value={plan.name} testId="billing-plan" />
      <Row
        label="Price"
        testId="billing-price"
        value={
          plan.source === 'unavailable' ? (
            <span className="text-slate-600">
              The price could not be loaded right now. Checkout shows it before you pay.
            </span>
          ) : (
            (plan.price ?? 'Shown at checkout, before you pay')
          )
        }
      />
    </>
  );
}

function TrialIncludes({ dailyTexts }: { dailyTexts: number | null }) {
  return (
    <div className="text-sm text-slate-700" data-testid="billing-trial-includes">
      <h3 className="font-semibold text-slate-900">What the free trial includes</h3>
      <p className="mt-1">
        Everything in Steeple: members, the inbox, broadcasts, keywords, automations and your team.{' '}
        {dailyTexts !== null
          ? `Texting is limited to ${dailyTexts.toLocaleString('en-US')} texts a day (a long text counts as several; ` +
            'STOP, START and HELP replies never count). If the trial ends without a plan, the workspace becomes ' +
            'read-only: nothing is deleted, and choosing a plan opens it again.'
          : 'Texting has no daily limit on this server.'}
      </p>
    </div>
  );
}

/** Said before the button: whether the trial's days carry into the plan or billing starts today. */
function WhenBillingStarts({ s }: { s: Status }) {
  const text = s.firstChargeIfChosenNow ? (
    <>
      <strong className="font-semibold">Your trial is kept:</strong> choosing a plan now charges nothing until{' '}
      <LocalTime value={s.firstChargeIfChosenNow} format={longDate} />, when your free trial ends.
    </>
  ) : s.trialDaysLeft ? (
    'Your free trial ends in less than two days, too soon to carry it over: choosing a plan now starts billing today.'
  ) : (
    'Choosing a plan starts billing today.'
  );
  return (
    <p className="text-sm text-slate-700" data-testid="billing-starts">
      {text}
    </p>
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
function BillingActions({
  needsPlan,
  hasSubscription,
  before,
}: {
  needsPlan: boolean;
  hasSubscription: boolean;
  before: React.ReactNode;
}) {
  const trpc = useTRPC();
  const go = { onSuccess: ({ url }: { url: string }) => window.location.assign(url) };
  const checkout = useMutation(trpc.billing.checkout.mutationOptions(go));
  const portal = useMutation(trpc.billing.portal.mutationOptions(go));
  const leaving = checkout.isPending || checkout.isSuccess || portal.isPending || portal.isSuccess;
  const failed = checkout.error ?? portal.error;
  return (
    <div className="space-y-3">
      {before}
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
