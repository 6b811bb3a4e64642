'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { errorMessage } from '../../_components/errors';
import { SelectField } from '../../_components/fields';
import { Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan, useViewer } from '../viewer-context';
import { TOUCH } from './display';
import { useInboxRefresh } from './use-inbox-refresh';

type Props = { conversationId: string; assignedAdminId: string | null };

/**
 * Who answers this thread. Admins and the owner see the team and give the thread to anyone (or back to everyone);
 * staff, who cannot see the team list, take a thread themselves or hand it back.
 */
export function AssignControl({ conversationId, assignedAdminId }: Props) {
  const trpc = useTRPC();
  const refresh = useInboxRefresh();
  const assign = useMutation(trpc.conversations.assign.mutationOptions({ onSuccess: () => refresh(conversationId) }));
  const to = (adminId: string | null) => assign.mutate({ id: conversationId, adminId });
  const error = assign.error ? errorMessage(assign.error) : undefined;
  return useCan('team.view') ? (
    <TeamPicker assignedAdminId={assignedAdminId} onPick={to} busy={assign.isPending} error={error} />
  ) : (
    <TakeButton assignedAdminId={assignedAdminId} onPick={to} busy={assign.isPending} error={error} />
  );
}

type ChoiceProps = Omit<Props, 'conversationId'> & {
  onPick: (adminId: string | null) => void;
  busy: boolean;
  error?: string;
};

function TeamPicker({ assignedAdminId, onPick, busy, error }: ChoiceProps) {
  const trpc = useTRPC();
  const me = useViewer();
  const team = useQuery(trpc.church.admins.queryOptions());
  const id = useId();
  return (
    <SelectField
      id={id}
      label="Assigned to"
      value={assignedAdminId ?? ''}
      disabled={busy || !team.data}
      error={error}
      onChange={(e) => onPick(e.target.value || null)}
    >
      <option value="">Everyone</option>
      {(team.data ?? []).map((a) => (
        <option key={a.id} value={a.id}>
          {a.id === me.id ? `${a.name} (you)` : a.name}
        </option>
      ))}
    </SelectField>
  );
}

function TakeButton({ assignedAdminId, onPick, busy, error }: ChoiceProps) {
  const me = useViewer();
  const mine = assignedAdminId === me.id;
  const status = mine ? 'Assigned to you' : assignedAdminId ? 'Assigned to a teammate' : 'Not assigned';
  return (
    <div className="space-y-1">
      <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
        <span data-testid="assignment">{status}</span>
        <Button
          variant="secondary"
          size="sm"
          className={TOUCH}
          disabled={busy}
          onClick={() => onPick(mine ? null : me.id)}
        >
          {mine ? 'Hand back to everyone' : 'Assign to me'}
        </Button>
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
