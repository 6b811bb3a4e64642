'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ROLE_LABELS } from '@/server/auth/permissions';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { useForm } from '../../_components/use-form';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { NewPasswordField } from '../../_components/password-field';
import { TextField } from '../../_components/fields';
import { Alert, Badge, Button, Notice, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useViewer } from '../viewer-context';
import { signOutToLogin } from '../../_components/sign-out';
import { MobileNumber } from './mobile-number';
import { NotificationSettings } from './notification-settings';

export function AccountSettings() {
  const viewer = useViewer();
  return (
    <div className="grid items-start gap-6 lg:grid-cols-2">
      <div className="space-y-6">
        <Panel id="profile" title="Profile">
          <dl className="grid grid-cols-[5rem_1fr] gap-x-4 gap-y-3 text-sm">
            <dt className="text-slate-500">Name</dt>
            <dd className="font-medium text-slate-900">{viewer.name}</dd>
            <dt className="text-slate-500">Email</dt>
            <dd className="break-all font-medium text-slate-900">{viewer.email}</dd>
            <dt className="text-slate-500">Church</dt>
            <dd className="font-medium text-slate-900">{viewer.churchName}</dd>
            <dt className="text-slate-500">Role</dt>
            <dd>
              <Badge tone="brand">{ROLE_LABELS[viewer.role]}</Badge>
            </dd>
          </dl>
        </Panel>
        <MobileNumber />
        <SignOutEverywhere />
      </div>
      <ChangePassword />
      <div className="lg:col-span-2">
        <NotificationSettings />
      </div>
    </div>
  );
}

function ChangePassword() {
  const trpc = useTRPC();
  const { values: form, setValues: setForm, setErrors, bind } = useForm({ currentPassword: '', newPassword: '' });
  const [done, setDone] = useState<string>('');
  const currentRef = useRef<HTMLInputElement>(null);
  const newRef = useRef<HTMLInputElement>(null);
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  // A refusal of what was typed (BAD_REQUEST) is shown beside its field (onError), not again above the button.
  const generalError = change.error && errorCode(change.error) !== 'BAD_REQUEST' ? errorMessage(change.error) : '';

  return (
    <Panel
      id="password"
      title="Change password"
      description="Other devices signed in as you are signed out when you change it."
    >
      <CheckedForm
        className="space-y-4"
        onSubmit={async () => {
          setDone('');
          const parsed = await check('changePasswordInput', form);
          if (!parsed.success) {
            const found = firstIssues(parsed.error.issues);
            if (found.currentPassword) found.currentPassword = 'Enter your current password';
            setErrors(found);
            (found.currentPassword ? currentRef : newRef).current?.focus();
            return;
          }
          setErrors({});
          // The outcome's handlers belong to this submit (an event), where focusing through a ref is allowed.
          change.mutate(parsed.data, {
            onSuccess: ({ otherSessionsSignedOut }) => {
              setForm({ currentPassword: '', newPassword: '' });
              const sessions = otherSessionsSignedOut === 1 ? 'session was' : 'sessions were';
              setDone(
                otherSessionsSignedOut > 0
                  ? `Password changed. ${otherSessionsSignedOut} other ${sessions} signed out.`
                  : 'Password changed.',
              );
            },
            onError: (err) => {
              if (err.data?.code !== 'BAD_REQUEST') return;
              // The current password's refusal names no field; others do (a new one equal to the current: "New").
              const found = err.data.zodError ? fieldErrors(err) : { currentPassword: err.message };
              setErrors(found);
              (found.currentPassword ? currentRef : newRef).current?.focus();
            },
          });
        }}
      >
        <TextField
          ref={currentRef}
          {...bind('currentPassword')}
          label="Current password"
          type="password"
          autoComplete="current-password"
        />
        <NewPasswordField ref={newRef} {...bind('newPassword')} label="New password" />
        <div aria-live="polite" className="empty:hidden">
          {generalError && <Alert>{generalError}</Alert>}
          {done && <Notice>{done}</Notice>}
        </div>
        <Button type="submit" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </Button>
      </CheckedForm>
    </Panel>
  );
}

function SignOutEverywhere() {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const everywhere = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      // This session is revoked too; clear the cookie and go to the sign-in page.
      onSuccess: () => void signOutToLogin(),
      onError: () => setConfirming(false),
    }),
  );
  return (
    <Panel
      id="sessions"
      title="Sessions"
      description="Lost a phone, or signed in on a shared computer? End every session, this one included."
    >
      <Button variant="dangerOutline" onClick={() => setConfirming(true)}>
        Sign out everywhere
      </Button>
      <div aria-live="polite" className="mt-3 empty:hidden">
        {everywhere.error && <Alert>{errorMessage(everywhere.error)}</Alert>}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        pending={everywhere.isPending || everywhere.isSuccess}
        onCancel={() => setConfirming(false)}
        onConfirm={() => everywhere.mutate()}
      >
        Every device signed in as you, including this one, will need to sign in again.
      </ConfirmDialog>
    </Panel>
  );
}
