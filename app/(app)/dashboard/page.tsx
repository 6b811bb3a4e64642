import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getViewer } from '../../_lib/viewer';
import { PageHeading } from '../../_components/ui';
import { DashboardSummary } from './dashboard-summary';

export const metadata: Metadata = { title: 'Dashboard' };

/** The signed-in home: how the church's texting is going, and what to do first when it is new. */
export default async function DashboardPage() {
  const viewer = await getViewer();
  if (!viewer) redirect('/login');
  const firstName = viewer.name.split(/\s+/)[0] || viewer.name;

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
      <DashboardSummary />
    </>
  );
}
