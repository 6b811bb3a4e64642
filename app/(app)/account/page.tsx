import type { Metadata } from 'next';
import { PageHeading } from '../../_components/ui';
import { AccountSettings } from './account-settings';

export const metadata: Metadata = { title: 'Account' };

export default function AccountPage() {
  return (
    <>
      <PageHeading title="Account" description="Your sign-in details and sessions." />
      <AccountSettings />
    </>
  );
}
