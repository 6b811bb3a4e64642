import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { getViewer } from '../../_lib/viewer';
import { PageHeading, Panel } from '../../_components/ui';
import { TeamManager } from './team-manager';
import { TeamSecurity } from './team-security';

export const metadata: Metadata = { title: 'Team' };

export default async function TeamPage() {
  const viewer = await getViewer();
  if (!viewer) redirect('/login');
  if (!can(viewer.role, 'team.view')) {
    return (
      <>
        <PageHeading title="Team" />
        <Panel
          title="You are not allowed to see this page"
          description="Only your church's owner and admins can see the team."
        >
          <Link href="/dashboard" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline">
            Back to the dashboard
          </Link>
        </Panel>
      </>
    );
  }
  const owner = can(viewer.role, 'team.manage');
  await Promise.all([
    prefetch(trpc.team.list.queryOptions()),
    owner ? prefetch(trpc.twoFactor.status.queryOptions()) : null,
  ]);
  return (
    <>
      <PageHeading
        title="Team"
        description={
          owner
            ? `Everyone who can sign in to ${viewer.churchName}, and who you have invited.`
            : `Everyone who can sign in to ${viewer.churchName}. Only the owner can make changes.`
        }
      />
      <HydrateClient>
        <div className="space-y-6">
          <TeamManager />
          {owner && <TeamSecurity />}
        </div>
      </HydrateClient>
    </>
  );
}
