import type { Metadata } from 'next';
import Link from 'next/link';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { PageHeading, Panel } from '../../_components/ui';
import { ChurchProfileForm } from './church-profile-form';
import { CustomFields } from './custom-fields';
import { PhoneNumbers } from './phone-numbers';
import { QuietHoursForm } from './quiet-hours-form';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const viewer = await requireViewer();
  await prefetch(
    trpc.church.profile.queryOptions(),
    trpc.church.quietHours.queryOptions(),
    trpc.customFields.list.queryOptions(),
    ...(can(viewer.role, 'numbers.manage') ? [trpc.phoneNumbers.list.queryOptions()] : []),
  );

  return (
    <>
      <PageHeading
        title="Settings"
        description={`How ${viewer.churchName} appears to members, and the numbers it texts from.`}
      />
      <HydrateClient>
        <div className="space-y-6">
          <ChurchProfileForm canEdit={can(viewer.role, 'church.edit')} />
          <QuietHoursForm canEdit={can(viewer.role, 'church.edit')} />
          {can(viewer.role, 'numbers.manage') ? (
            <PhoneNumbers />
          ) : (
            <Panel id="phone-numbers" title="Sending numbers">
              <p className="text-sm text-slate-600">
                Only your church’s owner adds and releases sending numbers, because they cost money and decide where
                replies go.
              </p>
            </Panel>
          )}
          <CustomFields />
          <Panel id="more" title="More settings">
            <ul className="space-y-2 text-sm">
              {can(viewer.role, 'billing.manage') && (
                <li>
                  <Link
                    href="/settings/billing"
                    className="font-medium text-brand-600 underline-offset-2 hover:underline"
                  >
                    Billing
                  </Link>{' '}
                  <span className="text-slate-600">— your plan, free trial, payment method and invoices.</span>
                </li>
              )}
              {can(viewer.role, 'team.view') && (
                <li>
                  <Link href="/team" className="font-medium text-brand-600 underline-offset-2 hover:underline">
                    Team
                  </Link>{' '}
                  <span className="text-slate-600">— who can sign in, and their roles.</span>
                </li>
              )}
              <li>
                <Link href="/account" className="font-medium text-brand-600 underline-offset-2 hover:underline">
                  Your account
                </Link>{' '}
                <span className="text-slate-600">— your password and signed-in devices.</span>
              </li>
            </ul>
          </Panel>
        </div>
      </HydrateClient>
    </>
  );
}
