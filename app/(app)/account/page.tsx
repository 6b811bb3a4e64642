import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { AccountSettings } from './account-settings';

export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  await prefetch(trpc.notifications.get.queryOptions()); // the Notifications section's choices
  return (
    <>
      <PageHeading title="Account" description="Your sign-in details, sessions and notifications." />
      <HydrateClient>
        <AccountSettings />
      </HydrateClient>
    </>
  );
}
