'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { Alert, Badge, Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { LocalTime } from '../../_components/local-time';
import { shortDate } from '../../_components/time';
import { monthly, NumberSearch, useRefreshNumbers } from './number-search';

type Owned = RouterOutputs['phoneNumbers']['list']['numbers'][number];

/** Owner only: the numbers the church bought and texts from. A member's reply comes back to the number they texted. */
export function PhoneNumbers() {
  const trpc = useTRPC();
  const list = useQuery(trpc.phoneNumbers.list.queryOptions());
  const [status, setStatus] = useState('');
  const data = list.data;
  return (
    <Panel
      id="phone-numbers"
      title="Sending numbers"
      description={
        data?.simulated
          ? 'Texting is in practice mode: these are pretend 555-01xx numbers that cost nothing and text nobody. ' +
            'Real numbers appear here once your Steeple is connected to a texting carrier.'
          : 'Buy a number for your church here. Texts and broadcasts go out from the first one; replies go back ' +
            'from the number a member texted.'
      }
    >
      <div className="space-y-4">
        <StatusNotice message={status} />
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : (
          <>
            {data!.numbers.length === 0 ? (
              <p className="text-sm text-slate-600">No sending number yet. Find one below before texting members.</p>
            ) : (
              <ul aria-label="Sending numbers" className="divide-y divide-slate-100">
                {data!.numbers.map((n) => (
                  <NumberRow key={n.number} owned={n} onDone={setStatus} />
                ))}
              </ul>
            )}
            {data!.numbers.length < data!.limit ? (
              <NumberSearch onDone={setStatus} />
            ) : (
              <p className="text-sm text-slate-600">
                {data!.limit === 1
                  ? 'Your plan includes one sending number.'
                  : `Your plan includes ${data!.limit} sending numbers.`}{' '}
                To choose a different one, release yours first; to add more, contact Steeple support.
              </p>
            )}
          </>
        )}
      </div>
    </Panel>
  );
}

function NumberRow({ owned, onDone }: { owned: Owned; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshNumbers();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const { number, display, registered } = owned;
  const release = useMutation(
    trpc.phoneNumbers.release.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        onDone(`${display} released.`);
        void refresh();
      },
    }),
  );
  return (
    <li
      className="flex flex-wrap items-center justify-between gap-2 py-3"
      data-testid="phone-number"
      data-number={number}
    >
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
          {display} <NumberState owned={owned} />
        </p>
        <p className="text-xs text-slate-500">
          Bought <LocalTime value={owned.orderedAt} format={shortDate} />
          {owned.monthlyCostCents !== null && ` · ${monthly(owned.monthlyCostCents, owned.currency ?? 'USD')}`}
        </p>
        {owned.status === 'active' && owned.provider !== 'claimed' && (
          <p className="text-xs" data-testid="registration-state" data-registered={registered}>
            {registered ? (
              <span className="font-medium text-green-700">Registered with carriers</span>
            ) : (
              <>
                <span className="font-medium text-amber-800">Not registered yet</span> ·{' '}
                <Link href="/get-ready" className="font-medium text-brand-600 underline-offset-2 hover:underline">
                  Get ready to text <span aria-hidden>→</span>
                </Link>
              </>
            )}
          </p>
        )}
      </div>
      <Button
        size="sm"
        variant="dangerOutline"
        disabled={owned.status !== 'active'}
        onClick={() => {
          setTyped('');
          release.reset();
          setConfirming(true);
        }}
        aria-label={`Release ${display}`}
      >
        Release
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Release ${display}?`}
        confirmLabel="Release"
        pending={release.isPending}
        error={fieldErrors(release.error).confirmation ? undefined : release.error}
        onCancel={() => setConfirming(false)}
        onConfirm={() => release.mutate({ number, confirmation: typed })}
      >
        <p>
          The number goes back to the carrier and may be given to someone else. Steeple stops texting from it, and texts
          members send to it no longer reach your inbox.
        </p>
        <div className="mt-3">
          <TextField
            id={`release-${number}`}
            label="Type the number to confirm"
            type="tel"
            autoComplete="off"
            value={typed}
            error={fieldErrors(release.error).confirmation}
            onChange={(e) => setTyped(e.target.value)}
          />
        </div>
      </ConfirmDialog>
    </li>
  );
}

function NumberState({ owned }: { owned: Owned }) {
  if (owned.provider === 'claimed')
    return (
      <Badge tone="amber">
        Not bought through Steeple: it sends nothing and receives only opt-outs. Release it and buy one.
      </Badge>
    );
  if (owned.status === 'pending') return <Badge tone="amber">The carrier is still setting it up</Badge>;
  if (owned.status === 'ordering') return <Badge tone="amber">Buying…</Badge>;
  return null;
}
