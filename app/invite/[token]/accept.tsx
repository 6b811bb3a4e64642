'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useRef, useState } from 'react';
import { ROLE_LABELS } from '@/server/auth/permissions';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { useForm } from '../../_components/use-form';
import { errorCode, errorMessage, fieldErrors, firstIssues, forgetOtherSessions } from '../../_components/errors';
import { NewPasswordField } from '../../_components/password-field';
import { TextField } from '../../_components/fields';
import { Alert, Badge, Button, Card, Loading, SigninFallback } from '../../_components/ui';
import { useTRPC } from '../../trpc';

const roleText = { owner: 'owner', admin: 'admin', staff: 'staff member' } as const;
const INVALID = 'This invitation is no longer valid. Ask your church for a new one.';
const detailsClass =
  'mb-6 grid grid-cols-[4rem_1fr] gap-x-3 gap-y-2 rounded-xl bg-slate-50 p-4 text-sm ring-1 ring-slate-200';

export function AcceptInvitation({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const validShape = token.length >= 20 && token.length <= 100;
  const invitation = useQuery({
    ...trpc.team.invitation.queryOptions({ token }),
    enabled: validShape,
    retry: false,
    staleTime: Infinity,
  });
  const { values: form, setErrors, bind } = useForm({ name: '', password: '' });
  const [signinError, setSigninError] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const accept = useMutation(
    trpc.team.accept.mutationOptions({
      onSuccess: async ({ email }, input) => {
        // The account exists now: sign in with what was just typed.
        const res = await signIn('credentials', { email, password: input.password, redirect: false }).catch(() => null);
        if (res?.ok && !res.error) {
          forgetOtherSessions(queryClient);
          router.replace('/dashboard');
        } else {
          setSigninError('Your account is ready, but we could not sign you in automatically. Please sign in.');
        }
      },
      onError: (err) => {
        const fields = fieldErrors(err);
        if (fields.name || fields.password) setErrors({ name: fields.name, password: fields.password });
      },
    }),
  );

  const gone = !validShape || ['NOT_FOUND', 'BAD_REQUEST'].includes(errorCode(invitation.error) ?? '');
  if (gone) {
    return (
      <Card title="Invitation not valid">
        <div role="alert" className="space-y-4 text-sm text-slate-600">
          <p>{invitation.error && errorCode(invitation.error) === 'NOT_FOUND' ? invitation.error.message : INVALID}</p>
          <p>
            Already joined?{' '}
            <Link href="/login" className="font-medium text-brand-600 underline-offset-2 hover:underline">
              Sign in
            </Link>
          </p>
        </div>
      </Card>
    );
  }
  if (invitation.error) {
    return (
      <Card title="Join your team">
        <div className="space-y-4">
          <Alert>{errorMessage(invitation.error)}</Alert>
          <Button variant="secondary" onClick={() => void invitation.refetch()}>
            Try again
          </Button>
        </div>
      </Card>
    );
  }
  if (!invitation.data) {
    return (
      <Card title="Join your team">
        <Loading label="Checking your invitation…" />
      </Card>
    );
  }

  const { churchName, email, role } = invitation.data;
  const done = accept.isSuccess && !signinError;
  const acceptError =
    accept.error && !fieldErrors(accept.error).name && !fieldErrors(accept.error).password
      ? errorMessage(accept.error)
      : '';

  return (
    <Card
      title={`Join ${churchName}`}
      subtitle={
        <>You have been invited to Steeple as {roleText[role] === 'admin' ? 'an admin' : `a ${roleText[role]}`}.</>
      }
    >
      <dl className={detailsClass}>
        <dt className="text-slate-500">Church</dt>
        <dd className="font-medium text-slate-900" data-testid="invite-church">
          {churchName}
        </dd>
        <dt className="text-slate-500">Email</dt>
        <dd className="break-all font-medium text-slate-900" data-testid="invite-email">
          {email}
        </dd>
        <dt className="text-slate-500">Role</dt>
        <dd>
          <Badge tone={role === 'staff' ? 'slate' : 'amber'}>{ROLE_LABELS[role]}</Badge>
        </dd>
      </dl>
      <CheckedForm
        className="space-y-4"
        onSubmit={async () => {
          if (accept.isPending || done) return;
          const parsed = await check('acceptInviteInput', { token, ...form });
          if (!parsed.success) {
            const found = firstIssues(parsed.error.issues);
            setErrors(found);
            (found.name ? nameRef : passwordRef).current?.focus();
            return;
          }
          setErrors({});
          accept.mutate(parsed.data);
        }}
      >
        {/* The email is fixed by the invitation; password managers still get it. */}
        <input type="email" name="email" autoComplete="username" value={email} readOnly hidden />
        <TextField ref={nameRef} {...bind('name')} label="Full name" autoComplete="name" />
        <NewPasswordField ref={passwordRef} {...bind('password')} label="Password" />
        <div aria-live="polite" className="space-y-3 empty:hidden">
          {acceptError && <Alert>{acceptError}</Alert>}
          {signinError && <SigninFallback message={signinError} />}
        </div>
        <Button type="submit" block disabled={accept.isPending || done}>
          {accept.isPending || done ? 'Joining…' : 'Accept invitation'}
        </Button>
      </CheckedForm>
    </Card>
  );
}
