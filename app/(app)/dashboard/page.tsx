import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getViewer } from '../../_lib/viewer';
import { PageHeading, Panel } from '../../_components/ui';

export const metadata: Metadata = { title: 'Dashboard' };

/** The signed-in home. The workspace issue fills it with members and messages later. */
export default async function DashboardPage() {
  const viewer = await getViewer();
  if (!viewer) redirect('/login');
  const firstName = viewer.name.split(/\s+/)[0] || viewer.name;
  const canManageTeam = viewer.role === 'owner';

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
      <div className="grid gap-4 sm:grid-cols-2">
        <Panel title="Your workspace is ready" description="Members, groups and texting arrive here next.">
          <p className="text-sm text-slate-600">Everything your church keeps in Steeple lives in its own private database.</p>
        </Panel>
        {canManageTeam ? (
          <Panel title="Bring in your team" description="Invite staff and volunteers to help run things.">
            <Link href="/team" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline">
              Invite someone →
            </Link>
          </Panel>
        ) : (
          <Panel title="Your account" description="Change your password or sign out of other devices.">
            <Link href="/account" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline">
              Account settings →
            </Link>
          </Panel>
        )}
      </div>
    </>
  );
}
