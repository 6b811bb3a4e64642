'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { SUBSCRIPTION_LABELS } from '@/db/tenant/enums';
import { errorMessage } from '../../../_components/errors';
import { ToneBadge } from '../../../_components/tone-badge';
import { Alert, Button, Loading, Panel, StatusNotice } from '../../../_components/ui';
import type { RouterOutputs } from '../../../_lib/router-types';
import { useTRPC } from '../../../trpc';
import { ConsentHistory } from '../consent-history';
import { MemberDialog } from '../member-dialog';
import { fullName } from '../types';
import { MemberConversation, MemberNotes } from './member-conversation';
import { MemberDetails } from './member-details';
import { MemberScheduled } from './member-scheduled';

export type Profile = RouterOutputs['members']['profile'];

const TONES = { subscribed: 'green', unsubscribed: 'red', not_opted_in: 'slate' } as const;
const TOUCH = 'min-h-11 sm:min-h-0';
const PRIMARY_LINK =
  'inline-flex items-center rounded-lg bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-sm ' +
  'hover:bg-brand-700';

/**
 * A member's page: who they are, their conversation and the team's notes, their consent history, and what is
 * scheduled for them. Edited here with the members list's own dialog.
 */
export function MemberProfile({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const profile = useQuery(trpc.members.profile.queryOptions({ id }));
  const branches = useQuery(trpc.branches.list.queryOptions());
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState('');

  if (profile.isPending) return <Loading label="Loading the member…" />;
  if (profile.error) return <Alert>{errorMessage(profile.error)}</Alert>;
  const { member, fields, conversationId, scheduled } = profile.data;
  const name = fullName(member);
  const textHref = conversationId ? `/inbox?c=${conversationId}` : `/inbox?member=${id}`;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight [overflow-wrap:anywhere] sm:text-3xl">{name}</h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <span className="tabular-nums">{member.phoneDisplay}</span>
            <ToneBadge tone={TONES[member.subscription]} testId="subscription">
              {SUBSCRIPTION_LABELS[member.subscription]}
            </ToneBadge>
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href={textHref} className={`${TOUCH} ${PRIMARY_LINK}`}>
            {conversationId ? 'Open in the inbox' : 'Send a text'}
          </Link>
          <Button variant="secondary" className={TOUCH} onClick={() => setEditing(true)}>
            Edit
          </Button>
        </div>
      </div>
      <StatusNotice message={status} />

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.3fr)] lg:items-start">
        <div className="min-w-0 space-y-6">
          <Panel id="details" title="Details">
            <MemberDetails member={member} fields={fields} />
          </Panel>
          <Panel id="consent" title="Texts and consent">
            <ConsentHistory memberId={id} empty="No change to their consent has been recorded yet." />
          </Panel>
          <Panel id="scheduled" title="Scheduled for them">
            <MemberScheduled memberId={id} subscription={member.subscription} broadcasts={scheduled} />
          </Panel>
        </div>
        <div className="min-w-0 space-y-6">
          <Panel id="conversation" title="Conversation">
            <MemberConversation conversationId={conversationId} name={name} textHref={textHref} />
          </Panel>
          <Panel
            id="notes"
            title="Notes for your team"
            description="Written in their conversation. Only your team sees them; they are never texted."
          >
            <MemberNotes conversationId={conversationId} />
          </Panel>
        </div>
      </div>

      {editing && (
        <MemberDialog
          open
          member={member}
          branches={branches.data ?? []}
          onClose={() => setEditing(false)}
          onSaved={(message) => {
            setEditing(false);
            setStatus(message);
            void queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.sequences.forMember.queryKey({ memberId: id }) });
          }}
        />
      )}
    </div>
  );
}
