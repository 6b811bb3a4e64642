'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc';
import { useCan } from './viewer-context';

/**
 * "9 days left in trial", for the menu: the owner's reminder, linking to the billing page. Shown only while billing is
 * on, the trial runs and no plan is chosen yet (a chosen plan keeps the trial, and says so on the billing page). It
 * reads `billing.status`, the query the billing page polls, so it goes as soon as a plan is confirmed there.
 * On a phone it says "9 days left" (the accessible name keeps "in trial").
 */
export function TrialBadge() {
  const trpc = useTRPC();
  const isOwner = useCan('billing.manage');
  const { data } = useQuery(trpc.billing.status.queryOptions(undefined, { enabled: isOwner, retry: false }));
  if (!isOwner || !data?.configured || data.hasSubscription || !data.trialDaysLeft || data.readOnly) return null;
  const days = data.trialDaysLeft === 1 ? '1 day left' : `${data.trialDaysLeft} days left`;
  return (
    <Link
      href="/settings/billing"
      data-testid="trial-badge"
      className={
        'inline-flex min-h-8 items-center whitespace-nowrap rounded-full bg-brand-50 px-2.5 text-xs font-semibold ' +
        'text-brand-700 ring-1 ring-inset ring-brand-100 hover:bg-brand-100'
      }
    >
      {days}
      <span className="sr-only sm:not-sr-only">&nbsp;in trial</span>
    </Link>
  );
}
