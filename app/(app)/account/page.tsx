import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { AccountSettings } from './account-settings';
import { TwoFactorSettings } from './two-factor-settings';

export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  await Promise.all([
    prefetch(trpc.notifications.get.queryOptions()), // the Notifications section's choices
    prefetch(trpc.twoFactor.status.queryOptions()),
  ]);
  return (
    <>
      <PageHeading
        title="Account"
        description="Your sign-in details, two-factor sign-in, sessions and notifications."
      />
      <HydrateClient>
        <div className="space-y-6">
          <AccountSettings />
          <TwoFactorSettings />
        </div>
      </HydrateClient>
    </>
  );
}
