'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage } from '../../_components/errors';
import { Alert, Badge, Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { ROLE_LABELS as roleLabel, type Role } from '@/server/auth/permissions';
import { LocalTime } from '../../_components/local-time';
import { shortDate } from '../../_components/time';
import { useRefreshTeam } from './use-refresh-team';

const roleTone = { owner: 'brand', admin: 'amber', staff: 'slate' } as const;

type Member = { id: string; name: string; email: string; role: Role };

export function MemberRow({
  member,
  isSelf,
  canManage,
  onDone,
}: {
  member: Member;
  isSelf: boolean;
  canManage: boolean;
  onDone: (m: string) => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshTeam();
  const selectId = useId();
  const [role, setRole] = useState<Role>(member.role);
  const [confirming, setConfirming] = useState(false);
  const changeRole = useMutation(
    trpc.team.changeRole.mutationOptions({
      onSuccess: (_r, input) => {
        onDone(`${member.name} is now ${roleLabel[input.role].toLowerCase()}.`);
        void refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.team.remove.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        onDone(`${member.name} was removed and signed out.`);
        void refresh();
      },
    }),
  );
  const manageable = canManage && !isSelf;

  return (
    <li
      className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center sm:justify-between"
      data-testid="member"
      data-email={member.email}
    >
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
          <span className="truncate">{member.name}</span>
          {isSelf && <span className="text-xs font-normal text-slate-500">(you)</span>}
          {!manageable && <Badge tone={roleTone[member.role]}>{roleLabel[member.role]}</Badge>}
        </p>
        <p className="truncate text-sm text-slate-500">{member.email}</p>
      </div>
      {manageable && (
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={selectId} className="sr-only">
            Role for {member.name}
          </label>
          <select
            id={selectId}
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            className="rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-base shadow-sm sm:text-sm"
          >
            <option value="staff">Staff</option>
            <option value="admin">Admin</option>
            <option value="owner">Owner</option>
          </select>
          {role !== member.role && (
            <Button
              size="sm"
              disabled={changeRole.isPending}
              onClick={() => changeRole.mutate({ adminId: member.id, role })}
              aria-label={`Save role for ${member.name}`}
            >
              {changeRole.isPending ? 'Saving…' : 'Save'}
            </Button>
          )}
          <Button
            size="sm"
            variant="dangerOutline"
            onClick={() => setConfirming(true)}
            aria-label={`Remove ${member.name}`}
          >
            Remove
          </Button>
        </div>
      )}
      {(changeRole.error || (remove.error && !confirming)) && (
        <div className="sm:basis-full">
          <Alert>{errorMessage(changeRole.error ?? remove.error)}</Alert>
        </div>
      )}
      {manageable && (
        <ConfirmDialog
          open={confirming}
          title={`Remove ${member.name}?`}
          confirmLabel="Remove"
          pending={remove.isPending}
          error={remove.error}
          onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate({ adminId: member.id })}
        >
          <p>
            They will be signed out everywhere and can no longer sign in to your church. You can invite them again
            later.
          </p>
        </ConfirmDialog>
      )}
    </li>
  );
}

export function InviteRow({
  invite,
  canManage,
  onDone,
}: {
  invite: { id: string; email: string; role: Role; expiresAt: Date };
  canManage: boolean;
  onDone: (m: string) => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshTeam();
  const revoke = useMutation(
    trpc.team.revokeInvite.mutationOptions({
      onSuccess: () => {
        onDone(`The invitation to ${invite.email} was withdrawn.`);
        void refresh();
      },
    }),
  );
  return (
    <li
      className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between"
      data-testid="invite"
      data-email={invite.email}
    >
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
          <span className="truncate">{invite.email}</span>
          <Badge tone={roleTone[invite.role]}>{roleLabel[invite.role]}</Badge>
        </p>
        <p className="text-xs text-slate-500">
          Expires <LocalTime value={invite.expiresAt} format={shortDate} />
        </p>
      </div>
      {canManage && (
        <Button
          size="sm"
          variant="secondary"
          className="self-start sm:self-auto"
          disabled={revoke.isPending}
          onClick={() => revoke.mutate({ id: invite.id })}
          aria-label={`Withdraw the invitation to ${invite.email}`}
        >
          {revoke.isPending ? 'Withdrawing…' : 'Withdraw'}
        </Button>
      )}
      {revoke.error && <Alert>{errorMessage(revoke.error)}</Alert>}
    </li>
  );
}
