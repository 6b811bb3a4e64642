'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { can, ROLE_LABELS } from '@/server/auth/permissions';
import { errorCode } from '../_components/errors';
import type { Viewer } from '../_lib/viewer';
import { useTRPC } from '../trpc';
import { unreadBadgeInput } from './first-queries';
import { ViewerProvider } from './viewer-context';
import { MainMenu, type NavGroup } from './main-menu';
import { TrialBadge } from './trial-badge';
import { VerificationBanner } from './verification-banner';
import { TwoFactorSettings } from './account/two-factor-settings';
import { signOutToLogin } from '../_components/sign-out';

const skipLinkClass =
  'sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-50 focus:rounded-lg focus:bg-white ' +
  'focus:px-3 focus:py-2 focus:shadow';
const avatarClass =
  'grid size-8 place-items-center rounded-full bg-slate-100 text-xs font-semibold text-slate-700 md:hidden';
const signOutClass =
  'rounded-lg px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 ' +
  'disabled:opacity-60';

export function AppShell({ viewer, children }: { viewer: Viewer; children: React.ReactNode }) {
  const [signingOut, setSigningOut] = useState(false);
  const unread = useUnreadThreads(!signingOut);
  useRefreshOnPaymentRequired(viewer.access.readOnly);
  const menu: NavGroup[] = [
    {
      label: null,
      links: [
        { href: '/dashboard', label: 'Dashboard' },
        { href: '/inbox', label: 'Inbox', count: unread },
      ],
    },
    {
      label: 'People',
      links: [
        { href: '/members', label: 'Members' },
        { href: '/segments', label: 'Segments' },
        { href: '/branches', label: 'Branches' },
        { href: '/connect-card', label: 'Connect card' },
      ],
    },
    {
      label: 'Texting',
      links: [
        { href: '/broadcasts', label: 'Broadcasts' },
        { href: '/keywords', label: 'Keywords' },
        { href: '/automations', label: 'Automations' },
        { href: '/templates', label: 'Templates' },
      ],
    },
    {
      label: 'Church',
      links: [
        { href: '/settings', label: 'Settings' },
        ...(can(viewer.role, 'team.view') ? [{ href: '/team', label: 'Team' }] : []),
        ...(can(viewer.role, 'activity.view') ? [{ href: '/activity', label: 'Activity' }] : []),
        { href: '/account', label: 'Account' },
      ],
    },
  ];
  const initials = viewer.name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');

  return (
    <ViewerProvider value={viewer}>
      <a href="#main" className={skipLinkClass}>
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <div className="flex min-w-0 items-center gap-6">
            <Link href="/dashboard" className="flex min-w-0 items-center gap-2 rounded-md">
              <span
                aria-hidden
                className="grid size-8 shrink-0 place-items-center rounded-lg bg-brand-600 text-sm font-bold text-white"
              >
                S
              </span>
              <span className="min-w-0">
                <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">Steeple</span>
                <span
                  className="block truncate text-sm font-semibold text-slate-900"
                  data-testid="church-name"
                  title={viewer.churchName}
                >
                  {viewer.churchName}
                </span>
              </span>
            </Link>
          </div>
          <div className="flex shrink-0 items-center gap-3">
            <TrialBadge />
            <div className="hidden text-right md:block">
              <p className="text-sm font-medium text-slate-900" data-testid="admin-name">
                {viewer.name}
              </p>
              <p className="text-xs text-slate-500">{ROLE_LABELS[viewer.role]}</p>
            </div>
            <span title={viewer.name} className={avatarClass}>
              <span aria-hidden>{initials}</span>
              <span className="sr-only">{viewer.name}</span>
            </span>
            <button
              type="button"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                signOutToLogin().catch(() => setSigningOut(false)); // offline: the button comes back
              }}
              className={signOutClass}
            >
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>
      <BillingBanner access={viewer.access} isOwner={can(viewer.role, 'billing.manage')} />
      <VerificationBanner viewer={viewer} />
      <div className="mx-auto w-full max-w-7xl lg:flex lg:px-4">
        <MainMenu groups={menu} />
        <main id="main" className="min-w-0 flex-1 px-4 py-6 sm:px-6 sm:py-10 lg:px-8">
          {/* The church requires two-factor sign-in and this admin has none yet: every page asks for it first. */}
          {viewer.mustSetUpTwoFactor ? <TwoFactorSettings required /> : children}
        </main>
      </div>
    </ViewerProvider>
  );
}

/**
 * Unread conversations for the Inbox link. `conversations.list` with one item is the cheapest call that carries the
 * count; the inbox invalidates the same key when it marks a thread read, so the badge follows at once.
 */
function useUnreadThreads(enabled: boolean): number {
  const trpc = useTRPC();
  const { data } = useQuery(
    trpc.conversations.list.queryOptions(unreadBadgeInput, { enabled, refetchInterval: 15_000, retry: false }),
  );
  return data?.unreadThreads ?? 0;
}

/**
 * The church's billing state, on every page (from `account.me`, read by the layout): a failed payment, a read-only
 * workspace, or the last week of the trial. Only the owner can act on it, so others are told to ask them.
 */
function BillingBanner({ access, isOwner }: { access: Viewer['access']; isOwner: boolean }) {
  const link = (label: string) => (
    <Link href="/settings/billing" className="font-semibold underline underline-offset-2 hover:no-underline">
      {label}
    </Link>
  );
  let tone: string;
  let content: React.ReactNode;
  if (access.banner === 'read_only') {
    tone = 'bg-red-50 text-red-900 ring-red-200';
    content = (
      <>
        <strong className="font-semibold">This workspace is read-only: your subscription is not active.</strong>{' '}
        {isOwner ? (
          <>Everything is kept, and you can still read and export it. {link('Choose a plan')} to make changes again.</>
        ) : (
          'Everything is kept and you can still read it; ask the owner to choose a plan.'
        )}
      </>
    );
  } else if (access.banner === 'past_due') {
    tone = 'bg-amber-50 text-amber-900 ring-amber-200';
    content = isOwner ? (
      <>
        <strong className="font-semibold">Your last payment failed — update your payment method</strong> in{' '}
        {link('Billing')} to keep your workspace running.
      </>
    ) : (
      <strong className="font-semibold">
        Your church’s last payment failed — ask the owner to update the payment method.
      </strong>
    );
  } else if (access.trialDaysLeft !== null && access.trialDaysLeft <= 7) {
    tone = 'bg-brand-50 text-brand-700 ring-brand-100';
    content = (
      <>
        {daysLeft(access.trialDaysLeft)} in trial.{' '}
        {isOwner ? (
          <>Your plan and payment are in {link('Billing')}.</>
        ) : (
          'The owner can choose a plan to keep the workspace after it ends.'
        )}
      </>
    );
  } else {
    return null;
  }
  return (
    <div data-testid="billing-banner" data-kind={access.banner ?? 'trial'} className={`ring-1 ring-inset ${tone}`}>
      <p className="mx-auto max-w-7xl px-4 py-2.5 text-sm sm:px-6">{content}</p>
    </div>
  );
}

const daysLeft = (n: number) => (n === 1 ? '1 day left' : `${n} days left`);

/**
 * The layout reads the billing state once per server render, and moving between pages keeps that render. A write
 * refused because the church became read-only (PAYMENT_REQUIRED) re-reads it at once, so the banner explains why.
 */
function useRefreshOnPaymentRequired(readOnly: boolean) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const trpc = useTRPC();
  useEffect(() => {
    if (readOnly) return;
    return queryClient.getMutationCache().subscribe((event) => {
      if (
        event.type !== 'updated' ||
        event.action.type !== 'error' ||
        errorCode(event.action.error) !== 'PAYMENT_REQUIRED'
      )
        return;
      void queryClient.invalidateQueries({ queryKey: trpc.billing.status.queryKey() });
      router.refresh();
    });
  }, [readOnly, queryClient, router, trpc]);
}
