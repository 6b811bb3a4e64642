'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { Alert, Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { LocalTime } from '../../_components/local-time';
import { shortDate } from '../../_components/time';

/** Owner only: the numbers the church texts from. A member's reply comes back to the number they were texted from. */
export function PhoneNumbers({ localOutbox }: { localOutbox: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.phoneNumbers.list.queryOptions());
  const [status, setStatus] = useState('');
  return (
    <Panel
      id="phone-numbers"
      title="Sending numbers"
      description={
        localOutbox
          ? 'Steeple is in local mode (no Telnyx account): nothing is really sent, so any valid number works, ' +
            'for example +1 202 555 0100.'
          : 'Add the numbers you bought in your Telnyx account. New conversations and broadcasts go out from ' +
            'the first one added; replies go back from the number a member texted.'
      }
    >
      <div className="space-y-4">
        <AddNumber onDone={setStatus} />
        <StatusNotice message={status} />
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : list.data.length === 0 ? (
          <p className="text-sm text-slate-600">No sending number yet. Add one above before texting members.</p>
        ) : (
          <ul aria-label="Sending numbers" className="divide-y divide-slate-100">
            {list.data.map((n) => (
              <NumberRow key={n.number} {...n} onDone={setStatus} />
            ))}
          </ul>
        )}
      </div>
    </Panel>
  );
}

function useRefreshNumbers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.phoneNumbers.list.queryKey() });
}

function AddNumber({ onDone }: { onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshNumbers();
  const [number, setNumber] = useState('');
  const assign = useMutation(
    trpc.phoneNumbers.assign.mutationOptions({
      onSuccess: (res) => {
        setNumber('');
        onDone(`${res.display} added. You can text members now.`);
        void refresh();
      },
    }),
  );
  // Refusals about the number itself (invalid, taken) belong beside the field.
  const fieldError =
    fieldErrors(assign.error).number ??
    (assign.error && ['BAD_REQUEST', 'CONFLICT'].includes(assign.error.data?.code ?? '')
      ? assign.error.message
      : undefined);
  return (
    <form
      noValidate
      className="flex flex-col gap-2 sm:flex-row sm:items-start"
      onSubmit={(e) => {
        e.preventDefault();
        onDone('');
        assign.mutate({ number });
      }}
    >
      <div className="flex-1">
        <TextField
          id="new-number"
          label="Phone number"
          type="tel"
          autoComplete="off"
          value={number}
          error={fieldError}
          onChange={(e) => {
            setNumber(e.target.value);
            if (assign.error) assign.reset();
          }}
        />
      </div>
      <div className="sm:pt-6">
        <Button type="submit" disabled={assign.isPending || !number.trim()}>
          {assign.isPending ? 'Adding…' : 'Add number'}
        </Button>
      </div>
      {assign.error && !fieldError && (
        <div className="sm:basis-full">
          <Alert>{errorMessage(assign.error)}</Alert>
        </div>
      )}
    </form>
  );
}

function NumberRow({
  number,
  display,
  assignedAt,
  onDone,
}: {
  number: string;
  display: string;
  assignedAt: Date;
  onDone: (message: string) => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshNumbers();
  const [confirming, setConfirming] = useState(false);
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
      <div>
        <p className="text-sm font-medium text-slate-900">{display}</p>
        <p className="text-xs text-slate-500">
          Added <LocalTime value={assignedAt} format={shortDate} />
        </p>
      </div>
      <Button size="sm" variant="dangerOutline" onClick={() => setConfirming(true)} aria-label={`Release ${display}`}>
        Release
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Release ${display}?`}
        confirmLabel="Release"
        pending={release.isPending}
        error={release.error}
        onCancel={() => setConfirming(false)}
        onConfirm={() => release.mutate({ number })}
      >
        <p>Steeple stops texting from it, and texts members send to it no longer reach your inbox.</p>
      </ConfirmDialog>
    </li>
  );
}
