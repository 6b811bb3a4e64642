import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { NotAllowed } from '../not-allowed';
import { PageHeading } from '../../_components/ui';
import { TeamManager } from './team-manager';
import { TeamSecurity } from './team-security';
import { RoleAbilities } from './role-abilities';
import { getServices } from '@/server/services';

export const metadata: Metadata = { title: 'Team' };

export default async function TeamPage() {
  const viewer = await requireViewer();
  if (!can(viewer.role, 'team.view')) {
    return <NotAllowed title="Team" who="Only your church's owner and admins can see the team." />;
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
          <TeamManager emailsInvites={!!getServices().config.SMTP_URL} />
          <RoleAbilities />
          {owner && <TeamSecurity />}
        </div>
      </HydrateClient>
    </>
  );
}
