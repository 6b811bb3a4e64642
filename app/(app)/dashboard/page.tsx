import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { PageHeading } from '../../_components/ui';
import { DashboardSummary } from './dashboard-summary';

export const metadata: Metadata = { title: 'Dashboard' };

/** The signed-in home: how the church's texting is going, and what to do first when it is new. */
export default async function DashboardPage() {
  const viewer = await requireViewer();
  const firstName = viewer.name.split(/\s+/)[0] || viewer.name;
  await prefetch(
    trpc.dashboard.summary.queryOptions(),
    // NextSteps asks for the numbers (each says if it is registered) only as the owner, who alone may list them.
    ...(can(viewer.role, 'numbers.manage') ? [trpc.phoneNumbers.list.queryOptions()] : []),
  );

  return (
    <>
      <PageHeading
        title={`Welcome, ${firstName}`}
        description={
          <>
            You are signed in to <strong className="font-semibold text-slate-900">{viewer.churchName}</strong>.
          </>
        }
      />
      <HydrateClient>
        <DashboardSummary />
      </HydrateClient>
    </>
  );
}
