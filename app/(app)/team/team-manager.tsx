'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../_components/errors';
import { Alert, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan, useViewer } from '../viewer-context';
import { InviteForm } from './invite-form';
import { InviteRow, MemberRow } from './team-rows';

/** The team page: the invitation form (owner and admins), the people on the team and pending invitations. */
export function TeamManager({ emailsInvites }: { emailsInvites: boolean }) {
  const trpc = useTRPC();
  const viewer = useViewer();
  const canManage = useCan('team.manage');
  const list = useQuery(trpc.team.list.queryOptions());
  const [status, setStatus] = useState('');

  return (
    <div className="space-y-6">
      {/* One polite region for the outcome of every change on this page. */}
      <StatusNotice message={status} />
      {canManage && <InviteForm emails={emailsInvites} onDone={setStatus} />}

      <Panel id="people" title="Team members">
        {list.isPending ? (
          <Loading label="Loading your team…" />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Team members">
            {list.data.members.map((m) => (
              <MemberRow key={m.id} member={m} isSelf={m.id === viewer.id} canManage={canManage} onDone={setStatus} />
            ))}
          </ul>
        )}
      </Panel>

      <Panel id="invites" title="Pending invitations" description="Invitations expire after 7 days.">
        {list.isPending ? (
          <Loading />
        ) : list.error ? null : list.data.invites.length === 0 ? (
          <p className="text-sm text-slate-500">No pending invitations.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Pending invitations">
            {list.data.invites.map((inv) => (
              <InviteRow key={inv.id} invite={inv} canManage={canManage} onDone={setStatus} />
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}
