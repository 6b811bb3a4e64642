'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { errorCode, errorMessage } from '../../_components/errors';
import { Alert, Button, Card, Notice } from '../../_components/ui';
import { useTRPC } from '../../trpc';

const linkClass = 'inline-block py-2 font-medium text-brand-600 underline-offset-2 hover:underline';

/**
 * The emailed link's page. Verifying takes a press of the button, not the visit alone: mail scanners open links, and
 * a visit should change nothing.
 */
export function VerifyEmail({ token }: { token: string }) {
  const trpc = useTRPC();
  const verify = useMutation(trpc.emailVerification.verify.mutationOptions());
  const validShape = token.length >= 20 && token.length <= 100;

  if (!validShape || errorCode(verify.error) === 'NOT_FOUND')
    return (
      <Card title="This link cannot be used" subtitle="Verification links work once, for 3 days.">
        <Alert>This link has expired or was already used. Sign in and ask for a new one from the banner.</Alert>
        <p className="mt-6 text-center text-sm">
          <Link href="/login" className={linkClass}>
            Sign in
          </Link>
        </p>
      </Card>
    );
  if (verify.isSuccess)
    return (
      <Card title="Email verified">
        <Notice>
          {verify.data.email} is verified. Your church can now text everyone who has agreed to hear from it.
        </Notice>
        <p className="mt-6 text-center text-sm">
          <Link href="/dashboard" className={linkClass}>
            Go to your dashboard
          </Link>
        </p>
      </Card>
    );
  return (
    <Card title="Verify your email" subtitle="One step, and your church can text everyone, not just your team.">
      <div aria-live="polite" className="mb-4 empty:hidden">
        {verify.error && <Alert>{errorMessage(verify.error)}</Alert>}
      </div>
      <Button block disabled={verify.isPending} onClick={() => verify.mutate({ token })}>
        {verify.isPending ? 'Verifying…' : 'Verify my email address'}
      </Button>
    </Card>
  );
}
