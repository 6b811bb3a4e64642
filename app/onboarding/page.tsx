'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Alert, Card } from '../_components/ui';
import { useTRPC } from '../trpc';
import { TICKET_KEY } from './ticket';

const labels: Record<string, string> = {
  create_database: 'Creating your private database',
  create_role: 'Securing access to it',
  create_admin: 'Adding you as the owner',
  create_billing_customer: 'Starting your free trial',
  activate: 'Opening your workspace',
};

const icons = { pending: '○', running: '◔', done: '✓', failed: '✕' } as const;

export default function OnboardingPage() {
  const trpc = useTRPC();
  const [ticket, setTicket] = useState<string | null | undefined>(undefined);
  useEffect(() => setTicket(sessionStorage.getItem(TICKET_KEY)), []);

  const status = useQuery({
    ...trpc.onboarding.status.queryOptions({ ticket: ticket ?? '' }),
    enabled: !!ticket,
    // Poll quickly while the job runs; stop as soon as it is ready or failed.
    refetchInterval: (q) => (q.state.data?.state === 'ready' || q.state.data?.state === 'failed' ? false : 250),
  });

  if (ticket === null) {
    return (
      <main className="px-4 py-12">
        <Card title="Nothing to set up">
          <p className="text-sm text-slate-600">
            We could not find a signup in progress. <Link className="text-brand-600 underline" href="/signup">Create a workspace</Link>.
          </p>
        </Card>
      </main>
    );
  }

  const data = status.data;
  return (
    <main className="px-4 py-12">
      <Card title={data?.state === 'ready' ? 'Your workspace is ready' : 'Setting up your workspace'}>
        <ol className="space-y-3" aria-label="Setup progress">
          {(data?.steps ?? []).map((step) => (
            <li key={step.name} className="flex items-center gap-3 text-sm" data-state={step.state}>
              <span aria-hidden className={step.state === 'done' ? 'text-green-600' : step.state === 'failed' ? 'text-red-600' : 'text-slate-400'}>
                {icons[step.state]}
              </span>
              <span>{labels[step.name] ?? step.name}</span>
              <span className="sr-only">({step.state})</span>
            </li>
          ))}
        </ol>
        <div className="mt-6" aria-live="polite">
          {data?.state === 'ready' && <p className="text-sm font-medium text-green-700">All set. Sign-in arrives with the next release.</p>}
          {data?.state === 'failed' && <Alert>{data.message}</Alert>}
          {status.error && <Alert>{status.error.message}</Alert>}
        </div>
      </Card>
    </main>
  );
}
