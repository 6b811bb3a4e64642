'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useEffect, useRef, useState } from 'react';
import { useBrowserValue } from '../_components/use-browser';
import { errorMessage, forgetOtherSessions } from '../_components/errors';
import { Alert, AuthFrame, Button, Card, Loading, SigninFallback } from '../_components/ui';
import { useTRPC } from '../trpc';
import { TICKET_KEY } from './ticket';

const labels: Record<string, string> = {
  create_database: 'Making room for your church',
  create_role: 'Locking it to your church alone',
  create_admin: 'Adding you as the owner',
  start_trial: 'Starting your free trial',
  activate: 'Opening your workspace',
};

const storedTicket = () => sessionStorage.getItem(TICKET_KEY);

const stateText = { pending: 'waiting', running: 'in progress', done: 'done', failed: 'failed' } as const;

export default function OnboardingPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  // The ticket signup left in this tab (undefined until hydrated); `pinned` holds a retry's fresh one, and the one
  // being signed in with once it has left storage, so the page never falls back to "nothing to set up".
  const stored = useBrowserValue(storedTicket, undefined);
  const [pinned, setPinned] = useState<string | null>(null);
  const ticket = pinned ?? stored;
  const [signinError, setSigninError] = useState('');
  const signingIn = useRef(false);

  const status = useQuery({
    ...trpc.onboarding.status.queryOptions({ ticket: ticket ?? '' }),
    enabled: !!ticket,
    // Poll quickly while the job runs; stop as soon as it is ready or failed.
    refetchInterval: (q) => (q.state.data?.state === 'ready' || q.state.data?.state === 'failed' ? false : 250),
    retry: 2,
  });
  const data = status.data;

  const retry = useMutation(
    trpc.onboarding.retry.mutationOptions({
      onSuccess: async ({ ticket: fresh }) => {
        sessionStorage.setItem(TICKET_KEY, fresh);
        // Forget the failed answer so polling starts again, for the new ticket.
        await queryClient.resetQueries({ queryKey: trpc.onboarding.status.queryKey() });
        setPinned(fresh);
      },
    }),
  );

  // Ready: exchange the ticket for a session (once; the ticket is single-use) and go to the dashboard.
  useEffect(() => {
    if (data?.state !== 'ready' || !ticket || signingIn.current) return;
    signingIn.current = true;
    void (async () => {
      const res = await signIn('signup-ticket', { ticket, redirect: false }).catch(() => null);
      if (res?.ok && !res.error) {
        setPinned(ticket);
        sessionStorage.removeItem(TICKET_KEY);
        forgetOtherSessions(queryClient);
        router.replace('/dashboard');
      } else {
        setSigninError(
          res?.error && res.error !== 'CredentialsSignin'
            ? res.error
            : 'We could not sign you in automatically. Please sign in with your email and password.',
        );
      }
    })();
  }, [data?.state, ticket, router, queryClient]);

  if (ticket === null) {
    return (
      <AuthFrame>
        <Card title="Nothing to set up">
          <p className="text-sm text-slate-600">
            We could not find a signup in progress in this browser.{' '}
            <Link className="font-medium text-brand-600 underline" href="/signup">
              Create a workspace
            </Link>{' '}
            or{' '}
            <Link className="font-medium text-brand-600 underline" href="/login">
              sign in
            </Link>
            .
          </p>
        </Card>
      </AuthFrame>
    );
  }

  const failed = data?.state === 'failed';
  const ready = data?.state === 'ready';
  const doneCount = data?.steps.filter((s) => s.state === 'done').length ?? 0;
  const total = data?.steps.length ?? 0;

  return (
    <AuthFrame>
      <Card
        title={ready ? 'Your workspace is ready' : failed ? 'Setup did not finish' : 'Setting up your workspace'}
        subtitle={
          ready ? 'Signing you in…' : failed ? undefined : 'This usually takes about a second. Keep this page open.'
        }
      >
        {!data && !status.error && <Loading label="Checking on your workspace…" />}
        {data && (
          <>
            <div className="mb-4 h-1.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
              <div
                className={`h-full rounded-full transition-all duration-300 ${failed ? 'bg-red-500' : 'bg-brand-600'}`}
                style={{ width: `${total ? (doneCount / total) * 100 : 0}%` }}
              />
            </div>
            <ol className="space-y-3" aria-label="Setup progress">
              {data.steps.map((step) => (
                <li key={step.name} className="flex items-center gap-3 text-sm" data-state={step.state}>
                  <StepIcon state={step.state} />
                  <span className={step.state === 'pending' ? 'text-slate-500' : 'text-slate-900'}>
                    {labels[step.name] ?? step.name}
                  </span>
                  <span className="sr-only">({stateText[step.state]})</span>
                </li>
              ))}
            </ol>
          </>
        )}
        <div className="mt-6 space-y-3" aria-live="polite">
          {ready && !signinError && (
            <p className="text-sm font-medium text-green-700">All set. Taking you to your dashboard…</p>
          )}
          {signinError && <SigninFallback message={signinError} />}
          {failed && (
            <>
              <Alert>{data.message ?? 'We could not finish setting up your workspace.'}</Alert>
              <p className="text-sm text-slate-600">
                Nothing was charged and your details are kept. Trying again usually works.
              </p>
              <Button block onClick={() => ticket && retry.mutate({ ticket })} disabled={retry.isPending}>
                {retry.isPending ? 'Trying again…' : 'Try again'}
              </Button>
            </>
          )}
          {retry.error && (
            <>
              <Alert>{errorMessage(retry.error)}</Alert>
              <Link href="/signup" className="inline-block text-sm font-medium text-brand-600 underline">
                Start a new signup
              </Link>
            </>
          )}
          {status.error && !data && (
            <>
              <Alert>{errorMessage(status.error)}</Alert>
              {status.error.data?.code === 'NOT_FOUND' ? (
                <Link href="/signup" className="inline-block text-sm font-medium text-brand-600 underline">
                  Start a new signup
                </Link>
              ) : (
                <Button variant="secondary" onClick={() => void status.refetch()}>
                  Check again
                </Button>
              )}
            </>
          )}
        </div>
      </Card>
    </AuthFrame>
  );
}

function StepIcon({ state }: { state: 'pending' | 'running' | 'done' | 'failed' }) {
  if (state === 'done')
    return (
      <span
        aria-hidden
        className="grid size-5 place-items-center rounded-full bg-green-600 text-[11px] font-bold text-white"
      >
        ✓
      </span>
    );
  if (state === 'failed')
    return (
      <span
        aria-hidden
        className="grid size-5 place-items-center rounded-full bg-red-600 text-[11px] font-bold text-white"
      >
        ✕
      </span>
    );
  if (state === 'running')
    return (
      <span aria-hidden className="size-5 animate-spin rounded-full border-2 border-brand-100 border-t-brand-600" />
    );
  return <span aria-hidden className="size-5 rounded-full border-2 border-slate-200" />;
}
