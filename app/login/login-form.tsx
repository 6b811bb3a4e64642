'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useRef, useState } from 'react';
import { useForm } from '../_components/use-form';
import { forgetOtherSessions, safeCallbackUrl } from '../_components/errors';
import { EmailField, TextField } from '../_components/fields';
import { Alert, Button, Card } from '../_components/ui';
import { CODE_NEEDED, CODE_WRONG, SIGNIN_REFUSED as GENERIC } from '@/server/auth/signin-messages';

export function LoginForm({ callbackUrl }: { callbackUrl?: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const { values: form, set, setErrors, bind } = useForm({ email: '', password: '', code: '' });
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);
  // Once the password was right and the account has two-factor sign-in, the form asks for the code too.
  const [askCode, setAskCode] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  async function submit() {
    const missing = {
      email: form.email.trim() ? undefined : 'Enter your email',
      password: form.password ? undefined : 'Enter your password',
      code: askCode && !form.code.trim() ? 'Enter the code from your app' : undefined,
    };
    setErrors(missing);
    if (missing.email || missing.password || missing.code) {
      (missing.email ? emailRef : missing.password ? passwordRef : codeRef).current?.focus();
      return;
    }
    setError('');
    setPending(true);
    const res = await signIn('credentials', {
      email: form.email.trim(),
      password: form.password,
      ...(askCode && { code: form.code.trim() }),
      redirect: false,
    }).catch(() => null);
    if (!res) {
      setPending(false);
      setError('We could not reach Steeple. Check your connection and try again.');
      return;
    }
    if (res.error || !res.ok) {
      setPending(false);
      if (res.error === CODE_NEEDED || res.error === CODE_WRONG) {
        // The password was right: keep it, and ask for (another) code.
        setError(res.error === CODE_WRONG ? CODE_WRONG : '');
        set('code', '');
        if (askCode) codeRef.current?.focus();
        else setAskCode(true); // the field takes the focus as it appears (autoFocus)
        return;
      }
      // next-auth passes our thrown message through; its own code means the same generic refusal.
      setError(!res.error || res.error === 'CredentialsSignin' ? GENERIC : res.error);
      set('password', '');
      setAskCode(false);
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
        <EmailField ref={emailRef} {...bind('email')} />
        <TextField
          ref={passwordRef}
          {...bind('password')}
          label="Password"
          type="password"
          autoComplete="current-password"
        />
        {askCode && (
          <TextField
            ref={codeRef}
            {...bind('code')}
            autoFocus
            label="Two-factor code"
            hint="The 6 digits your authenticator app shows now, or one of your recovery codes."
            autoComplete="one-time-code"
            inputMode="text"
            autoCapitalize="characters"
            spellCheck={false}
          />
        )}
        <div aria-live="polite" className="empty:hidden">
          {error && <Alert>{error}</Alert>}
        </div>
        <Button type="submit" block disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <p className="mt-4 text-center text-sm">
        <Link
          href="/forgot-password"
          className="inline-block py-2 font-medium text-brand-600 underline-offset-2 hover:underline"
        >
          Forgot password?
        </Link>
      </p>
      <p className="mt-2 text-center text-sm text-slate-600">
        New to Steeple?{' '}
        <Link href="/signup" className="font-medium text-brand-600 underline-offset-2 hover:underline">
          Create a workspace
        </Link>
      </p>
    </Card>
  );
}
