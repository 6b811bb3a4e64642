'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { LocalTime } from '../../_components/local-time';
import { fullWhen } from '../../_components/time';
import { ToneBadge } from '../../_components/tone-badge';
import { Button } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { FailureReasons } from './failure-reasons';
import { stateLabel } from './labels';

type Broadcast = RouterOutputs['broadcasts']['list']['items'][number];

/** What happened when: the words, and the date (in the reader's own time, so it appears once hydrated). */
function timeLine(b: Broadcast): [string, Date] {
  switch (b.state) {
    case 'scheduled':
      return ['Scheduled for', b.scheduledAt];
    case 'sending':
      return ['Sending since', b.startedAt ?? b.scheduledAt];
    case 'sent':
      return ['Sent', b.finishedAt ?? b.scheduledAt];
    case 'canceled':
      // Stopped part-way, or cancelled before it began (then the time it was meant for still shows, below).
      return [b.startedAt ? 'Stopped' : 'Cancelled', b.finishedAt ?? b.createdAt];
    case 'failed':
      return ['Failed', b.finishedAt ?? b.scheduledAt];
  }
}

/** One broadcast: what, to whom, when, and how far it got. */
export function BroadcastRow({
  broadcast: b,
  canCancel,
  onDone,
}: {
  broadcast: Broadcast;
  canCancel: boolean;
  onDone: (message: string) => void;
}) {
  const state = stateLabel[b.state];
  const cancellable = canCancel && (b.state === 'scheduled' || b.state === 'sending');
  return (
    <li className="space-y-2 py-4" data-testid="broadcast" data-state={b.state}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <ToneBadge tone={state.tone} testId="broadcast-state">
            {state.text}
          </ToneBadge>
          {/* The server's words: "Everyone", "Branch: North", "Segment: Parents", or the conditions built. */}
          <span className="break-words font-medium text-slate-900" data-testid="broadcast-audience">
            {b.audienceSummary}
          </span>
          <span className="text-slate-500">
            {timeLine(b)[0]} <LocalTime value={timeLine(b)[1]} format={fullWhen} />
          </span>
          {b.state === 'canceled' && !b.startedAt && (
            <span className="text-slate-500" data-testid="broadcast-was-scheduled">
              (was scheduled for <LocalTime value={b.scheduledAt} format={fullWhen} />)
            </span>
          )}
          {/* A date of a repeating broadcast: which series ("Every Saturday at 17:00"). */}
          {b.seriesSummary && (
            <span
              className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700"
              data-testid="broadcast-series"
            >
              <span aria-hidden>↻</span> Repeats: {b.seriesSummary}
            </span>
          )}
        </p>
        {cancellable && <CancelBroadcast broadcast={b} onDone={onDone} />}
      </div>
      {b.mediaId && <p className="text-xs text-slate-500">📷 With a picture (MMS)</p>}
      <p className="line-clamp-3 whitespace-pre-wrap break-words text-sm text-slate-700">{b.body}</p>
      {b.state === 'failed' && b.error && (
        <p className="text-sm text-red-700" data-testid="broadcast-error">
          {b.error}
        </p>
      )}
      {b.state === 'scheduled' ? (
        <p className="text-xs text-slate-500">
          Recipients are counted when it starts, so members who unsubscribe before then are skipped, and those who opt
          in are included.
        </p>
      ) : b.state === 'canceled' && !b.startedAt ? (
        <p className="text-xs text-slate-500">Cancelled before it began: nothing was sent.</p>
      ) : (
        <Progress b={b} />
      )}
    </li>
  );
}

/**
 * Counts come from the messages themselves; "skipped" are members in the audience who had unsubscribed or never opted
 * in.
 */
function Progress({ b }: { b: Broadcast }) {
  const done = b.sent + b.failed;
  const counts = [
    { id: 'recipients', label: 'Recipients', value: b.recipients },
    { id: 'sent', label: 'Sent', value: b.sent },
    { id: 'delivered', label: 'Delivered', value: b.delivered },
    { id: 'failed', label: 'Failed', value: b.failed },
    { id: 'skipped', label: 'Skipped (not opted in)', value: b.skipped },
    ...(b.pending > b.held ? [{ id: 'pending', label: 'Waiting', value: b.pending - b.held }] : []),
    ...(b.held > 0 ? [{ id: 'held', label: 'Held for quiet hours', value: b.held }] : []),
  ];
  return (
    <div className="space-y-2">
      {b.state === 'sending' && b.recipients > 0 && (
        <div
          role="progressbar"
          aria-label="Sent so far"
          aria-valuemin={0}
          aria-valuemax={b.recipients}
          aria-valuenow={done}
          className="h-1.5 overflow-hidden rounded-full bg-slate-100"
        >
          <div className="h-full bg-brand-600 transition-all" style={{ width: `${(done / b.recipients) * 100}%` }} />
        </div>
      )}
      <dl className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-600">
        {counts.map((c) => (
          <div key={c.id} className="flex gap-1">
            <dt>{c.label}</dt>
            <dd
              className={`font-semibold ${c.id === 'failed' && c.value > 0 ? 'text-red-700' : 'text-slate-900'}`}
              data-testid={`count-${c.id}`}
            >
              {c.value.toLocaleString()}
            </dd>
          </div>
        ))}
      </dl>
      {b.failed > 0 && <FailureReasons broadcastId={b.id} failed={b.failed} />}
    </div>
  );
}

/** What cancelling did: before it began nothing was sent; part-way, what had left stays sent. */
function cancelledNotice(repeating: boolean, started: boolean) {
  if (started) return 'Broadcast stopped. Texts already sent stay sent; the rest will not go out.';
  return repeating
    ? 'This date is cancelled; nothing was sent. The repeating broadcast goes on with its next date.'
    : 'Broadcast cancelled. Nothing was sent.';
}

function CancelBroadcast({ broadcast: b, onDone }: { broadcast: Broadcast; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(
    trpc.broadcasts.cancel.mutationOptions({
      onSuccess: (stopped) => {
        setConfirming(false);
        onDone(cancelledNotice(!!b.seriesSummary, !!stopped.startedAt));
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.list.pathKey() });
        // A date of a series is skipped by this (and the next date made): the series list shows it.
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.series.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.summary.queryKey() });
      },
    }),
  );
  return (
    <>
      <Button
        size="sm"
        variant="dangerOutline"
        onClick={() => setConfirming(true)}
        aria-label={`Cancel the broadcast to ${b.audienceSummary}`}
      >
        Cancel
      </Button>
      <ConfirmDialog
        open={confirming}
        title="Cancel this broadcast?"
        confirmLabel="Cancel broadcast"
        cancelLabel="Keep it"
        pending={cancel.isPending}
        error={cancel.error}
        onCancel={() => setConfirming(false)}
        onConfirm={() => cancel.mutate({ id: b.id })}
      >
        <p>
          {b.state === 'sending'
            ? 'It stops now. Messages already sent stay sent; the rest are not sent.'
            : 'Nobody will get it.'}
        </p>
        {b.seriesSummary && (
          <p className="mt-2">
            Only this date is cancelled: the repeating broadcast ({b.seriesSummary}) goes on with its next date. To end
            it, stop it under Repeating broadcasts.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
