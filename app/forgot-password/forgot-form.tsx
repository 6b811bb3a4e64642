'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRef } from 'react';
import { EmailField } from '../_components/fields';
import { errorMessage, fieldErrors } from '../_components/errors';
import { useForm } from '../_components/use-form';
import { Alert, Button, Card, Notice } from '../_components/ui';
import { useTRPC } from '../trpc';

/** "Forgot password?": the answer is the same whether or not the email has an account. */
export function ForgotPasswordForm() {
  const trpc = useTRPC();
  const { values: form, setErrors, bind } = useForm({ email: '' });
  const emailRef = useRef<HTMLInputElement>(null);
  const request = useMutation(trpc.passwordReset.request.mutationOptions());
  const failed = request.error && !fieldErrors(request.error).email ? errorMessage(request.error) : '';

  return (
    <Card title="Forgot your password?" subtitle="We'll email you a link to choose a new one.">
      {request.isSuccess ? (
        <div className="space-y-4">
          <Notice>
            If an account uses <strong className="break-all">{request.variables.email}</strong>, a link to reset its
            password is on its way. It works once, for an hour.
          </Notice>
          <p className="text-sm text-slate-600">
            Nothing arrived after a few minutes? Check your spam folder, or ask again.
          </p>
        </div>
      ) : (
        <form
          noValidate
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (!form.email.trim()) {
              setErrors({ email: 'Enter your email' });
              emailRef.current?.focus();
              return;
            }
            setErrors({});
            // The outcome's handlers belong to this submit (an event), where focusing through a ref is allowed.
            request.mutate(
              { email: form.email.trim() },
              {
                onError: (err) => {
                  if (fieldErrors(err).email) setErrors({ email: 'Enter a valid email address' });
                  emailRef.current?.focus();
                },
              },
            );
          }}
        >
          <EmailField ref={emailRef} {...bind('email')} />
          <div aria-live="polite" className="empty:hidden">
            {failed && <Alert>{failed}</Alert>}
          </div>
          <Button type="submit" block disabled={request.isPending}>
            {request.isPending ? 'Sending…' : 'Email me a reset link'}
          </Button>
        </form>
      )}
      <p className="mt-6 text-center text-sm">
        <Link href="/login" className="inline-block py-2 font-medium text-brand-600 underline-offset-2 hover:underline">
          Back to sign in
        </Link>
      </p>
    </Card>
  );
}
