'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useRef, useState } from 'react';
import { useForm } from '../_components/use-form';
import { forgetOtherSessions, safeCallbackUrl } from '../_components/errors';
import { TextField } from '../_components/fields';
import { Alert, Button, Card } from '../_components/ui';

const GENERIC = 'Email or password is incorrect.';

export function LoginForm({ callbackUrl }: { callbackUrl?: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const { values: form, set, setErrors, bind } = useForm({ email: '', password: '' });
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function submit() {
    const missing = {
      email: form.email.trim() ? undefined : 'Enter your email',
      password: form.password ? undefined : 'Enter your password',
    };
    setErrors(missing);
    if (missing.email || missing.password) {
      (missing.email ? emailRef : passwordRef).current?.focus();
      return;
    }
    setError('');
    setPending(true);
    const res = await signIn('credentials', {
      email: form.email.trim(),
      password: form.password,
      redirect: false,
    }).catch(() => null);
    if (!res) {
      setPending(false);
      setError('We could not reach Steeple. Check your connection and try again.');
      return;
    }
    if (res.error || !res.ok) {
      setPending(false);
      // next-auth passes our thrown message through; its own code means the same generic refusal.
      setError(!res.error || res.error === 'CredentialsSignin' ? GENERIC : res.error);
      set('password', '');
      passwordRef.current?.focus();
      return;
    }
    forgetOtherSessions(queryClient);
    router.replace(safeCallbackUrl(callbackUrl, window.location.origin));
  }

  return (
    <Card title="Sign in" subtitle="Welcome back. Sign in to your church's workspace.">
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          ref={emailRef}
          {...bind('email')}
          label="Email"
          type="email"
          autoComplete="username"
          inputMode="email"
        />
        <TextField
          ref={passwordRef}
          {...bind('password')}
          label="Password"
          type="password"
          autoComplete="current-password"
        />
        <div aria-live="polite" className="empty:hidden">
          {error && <Alert>{error}</Alert>}
        </div>
        <Button type="submit" block disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-600">
        New to Steeple?{' '}
        <Link href="/signup" className="font-medium text-brand-600 underline-offset-2 hover:underline">
          Create a workspace
        </Link>
      </p>
    </Card>
  );
}
