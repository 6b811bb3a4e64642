'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRef } from 'react';
import { errorCode, errorMessage, fieldErrors } from '../../_components/errors';
import { NewPasswordField } from '../../_components/password-field';
import { useForm } from '../../_components/use-form';
import { Alert, Button, Card, Loading, Notice } from '../../_components/ui';
import { useTRPC } from '../../trpc';

const linkClass = 'inline-block py-2 font-medium text-brand-600 underline-offset-2 hover:underline';

/** The emailed link's page: whose password it resets, and the new one. */
export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const validShape = token.length >= 20 && token.length <= 100;
  const link = useQuery({
    ...trpc.passwordReset.check.queryOptions({ token }),
    enabled: validShape,
    retry: false,
    staleTime: Infinity,
  });
  const { values: form, setErrors, bind } = useForm({ password: '' });
  const passwordRef = useRef<HTMLInputElement>(null);
  const reset = useMutation(trpc.passwordReset.complete.mutationOptions());

  const gone = !validShape || errorCode(link.error) === 'NOT_FOUND' || errorCode(reset.error) === 'NOT_FOUND';
  if (gone)
    return (
      <Card title="This link cannot be used" subtitle="Reset links work once, for an hour.">
        <Alert>This reset link has expired or was already used. Ask for a new one.</Alert>
        <p className="mt-6 text-center text-sm">
          <Link href="/forgot-password" className={linkClass}>
            Email me a new link
          </Link>
        </p>
      </Card>
    );
  if (reset.isSuccess)
    return (
      <Card title="Password changed">
        <Notice>Your new password is set. Every device that was signed in as you has been signed out.</Notice>
        <p className="mt-6 text-center text-sm">
          <Link href="/login" className={linkClass}>
            Sign in with your new password
          </Link>
        </p>
      </Card>
    );
  if (!link.data) return link.error ? <Alert>{errorMessage(link.error)}</Alert> : <Loading />;

  const failed = reset.error && !fieldErrors(reset.error).password ? errorMessage(reset.error) : '';
  return (
    <Card title="Choose a new password" subtitle={`For ${link.data.email}`}>
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (form.password.length < 10) {
            setErrors({ password: 'Use at least 10 characters' });
            passwordRef.current?.focus();
            return;
          }
          setErrors({});
          reset.mutate(
            { token, password: form.password },
            {
              onError: (err) => {
                const fields = fieldErrors(err);
                if (!fields.password) return;
                setErrors({ password: fields.password });
                passwordRef.current?.focus();
              },
            },
          );
        }}
      >
        {/* For password managers: the account the new password belongs to. */}
        <input type="email" name="username" autoComplete="username" value={link.data.email} readOnly hidden />
        <NewPasswordField ref={passwordRef} {...bind('password')} label="New password" />
        <div aria-live="polite" className="empty:hidden">
          {failed && <Alert>{failed}</Alert>}
        </div>
        <Button type="submit" block disabled={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set new password'}
        </Button>
      </form>
    </Card>
  );
}
