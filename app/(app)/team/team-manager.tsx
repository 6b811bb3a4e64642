'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { inviteInput } from '@/server/inputs';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { Alert, Badge, Button, Loading, Panel, SelectField, StatusNotice, TextField } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { ROLE_LABELS as roleLabel, type Role } from '@/server/auth/permissions';
import { useCan, useViewer } from '../viewer-context';
import { LocalTime } from '../../_components/local-time';

const roleTone = { owner: 'brand', admin: 'amber', staff: 'slate' } as const;

const inviteHelp =
  'They get a link to choose their name and password. Staff can use Steeple; admins can also see the team.';

export function TeamManager() {
  const trpc = useTRPC();
  const viewer = useViewer();
  const canManage = useCan('team.manage');
  const list = useQuery(trpc.team.list.queryOptions());
  const [status, setStatus] = useState('');

  return (
    <div className="space-y-6">
      {/* One polite region for the outcome of every change on this page. */}
      <StatusNotice message={status} />
      {canManage && <InviteForm onDone={setStatus} />}

      <Panel id="people" title="People on the team">
        {list.isPending ? (
          <Loading label="Loading your team…" />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="People on the team">
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

function useRefreshTeam() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.team.list.queryKey() });
}

function InviteForm({ onDone }: { onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshTeam();
  const [form, setForm] = useState<{ email: string; role: Exclude<Role, 'owner'> }>({ email: '', role: 'staff' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ email: string; url: string; emailed: boolean } | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const invite = useMutation(
    trpc.team.invite.mutationOptions({
      onSuccess: (res, input) => {
        setResult({ email: input.email, url: res.url, emailed: res.emailed });
        setForm({ email: '', role: form.role });
        onDone('');
        void refresh();
      },
      onError: (err) => {
        const fields = fieldErrors(err);
        if (fields.email) setErrors({ email: fields.email });
        else if (err.data?.code === 'CONFLICT') setErrors({ email: err.message });
      },
    }),
  );
  const serverError =
    invite.error && !fieldErrors(invite.error).email && invite.error.data?.code !== 'CONFLICT'
      ? errorMessage(invite.error)
      : '';

  return (
    <Panel id="invite" title="Invite someone" description={inviteHelp}>
      <form
        noValidate
        className="grid gap-4 sm:grid-cols-[1fr_10rem_auto] sm:items-start"
        onSubmit={(e) => {
          e.preventDefault();
          const parsed = inviteInput.safeParse(form);
          if (!parsed.success) {
            setErrors(firstIssues(parsed.error.issues));
            emailRef.current?.focus();
            return;
          }
          setErrors({});
          setResult(null);
          invite.mutate(parsed.data);
        }}
      >
        <TextField
          ref={emailRef}
          id="invite-email"
          label="Email"
          type="email"
          autoComplete="off"
          value={form.email}
          error={errors.email}
          onChange={(e) => {
            setForm({ ...form, email: e.target.value });
            if (errors.email) setErrors({});
          }}
        />
        <SelectField
          id="invite-role"
          label="Role"
          value={form.role}
          onChange={(e) => setForm({ ...form, role: e.target.value as Exclude<Role, 'owner'> })}
        >
          <option value="staff">Staff</option>
          <option value="admin">Admin</option>
        </SelectField>
        <div className="sm:pt-6">
          <Button type="submit" block disabled={invite.isPending}>
            {invite.isPending ? 'Inviting…' : 'Send invite'}
          </Button>
        </div>
      </form>
      <div aria-live="polite" className="mt-4 space-y-3 empty:hidden">
        {serverError && <Alert>{serverError}</Alert>}
        {result && <InviteLink {...result} />}
      </div>
    </Panel>
  );
}

function InviteLink({ email, url, emailed }: { email: string; url: string; emailed: boolean }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <div className="space-y-3 rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200">
      <p role="status" className="text-sm text-slate-800">
        {emailed ? (
          <>
            We emailed an invitation to <strong>{email}</strong>. You can also copy the link and send it yourself.
          </>
        ) : (
          <>
            Invitation created for <strong>{email}</strong>. Email is not set up, so copy this link and send it to them.
          </>
        )}
      </p>
      <div>
        <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
          <div className="flex-1">
            <TextField
              ref={inputRef}
              id="invite-link"
              label="Invite link"
              readOnly
              value={url}
              onFocus={(e) => e.currentTarget.select()}
            />
          </div>
          <Button
            variant="secondary"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(url);
                setCopied('yes');
              } catch {
                inputRef.current?.select();
                setCopied('no');
              }
            }}
          >
            Copy link
          </Button>
        </div>
        <p aria-live="polite" className="mt-1 text-xs text-slate-600">
          {copied === 'yes' ? 'Link copied.' : copied === 'no' ? 'Press Ctrl+C (or ⌘C) to copy the selected link.' : ''}
        </p>
      </div>
    </div>
  );
}

type Member = { id: string; name: string; email: string; role: Role };

function MemberRow({
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

function InviteRow({
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

const shortDate = (d: Date | string) =>
  new Date(d).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
