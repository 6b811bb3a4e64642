'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { useForm } from '../../_components/use-form';
import { errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { SelectField, TextField } from '../../_components/fields';
import { Alert, Button, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { type Role } from '@/server/auth/permissions';
import { useRefreshTeam } from './use-refresh-team';

/** Without a mail server nothing is emailed: the owner gets the link to pass on, and the words say so. */
const inviteHelp = (emails: boolean) =>
  `${emails ? 'We email them a link' : 'You get a link to send them'} to choose their name and password. ` +
  'What each role can do is listed below.';

/** The owner's and admins' invitation form, and the link it made (to copy when no email was sent). */
export function InviteForm({ emails, onDone }: { emails: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshTeam();
  const initial: { email: string; role: Exclude<Role, 'owner'> } = { email: '', role: 'staff' };
  const { values: form, set, setErrors, bind } = useForm(initial, 'invite-');
  const [result, setResult] = useState<{ email: string; url: string; emailed: boolean } | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const invite = useMutation(
    trpc.team.invite.mutationOptions({
      onSuccess: (res, input) => {
        setResult({ email: input.email, url: res.url, emailed: res.emailed });
        set('email', '');
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
    <Panel id="invite" title="Invite someone" description={inviteHelp(emails)}>
      <CheckedForm
        className="grid gap-4 sm:grid-cols-[1fr_10rem_auto] sm:items-start"
        onSubmit={async () => {
          const parsed = await check('inviteInput', form);
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
        <TextField ref={emailRef} {...bind('email')} label="Email" type="email" autoComplete="off" />
        <SelectField {...bind('role')} label="Role">
          <option value="staff">Staff</option>
          <option value="admin">Admin</option>
        </SelectField>
        <div className="sm:pt-6">
          <Button type="submit" block disabled={invite.isPending}>
            {invite.isPending ? 'Inviting…' : emails ? 'Send invite' : 'Create invite link'}
          </Button>
        </div>
      </CheckedForm>
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
