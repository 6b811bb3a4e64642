'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { ToneBadge, type Tone } from '../../_components/tone-badge';
import { Button, Panel } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';

type Series = RouterOutputs['broadcasts']['series']['items'][number];
type Occurrence = Series['next'][number];

const statusLabel: Record<Series['status'], { text: string; tone: Tone }> = {
  active: { text: 'Repeating', tone: 'brand' },
  finished: { text: 'Finished', tone: 'green' },
  stopped: { text: 'Stopped', tone: 'slate' },
};

/**
 * The church's repeating broadcasts: each in words, to whom, and its next dates (in the series' own timezone), each of
 * which can be skipped (and the skip undone); a series can be stopped. Each date is also a broadcast in the list
 * below once it is scheduled. Hidden until the church has one.
 */
export function SeriesList({ canManage, onDone }: { canManage: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const series = useQuery(
    trpc.broadcasts.series.queryOptions(undefined, {
      // The next dates move on as each goes out.
      refetchInterval: (q) => (q.state.data?.items.some((s) => s.status === 'active') ? 30_000 : false),
    }),
  );
  const items = series.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <Panel
      id="series"
      title="Repeating broadcasts"
      description="Each date goes out as its own broadcast, with its own progress. Skip a date, or stop the series."
    >
      <ul aria-label="Repeating broadcasts" className="divide-y divide-slate-100">
        {items.map((s) => (
          <SeriesRow key={s.id} series={s} canManage={canManage} onDone={onDone} />
        ))}
      </ul>
    </Panel>
  );
}

function SeriesRow({
  series: s,
  canManage,
  onDone,
}: {
  series: Series;
  canManage: boolean;
  onDone: (message: string) => void;
}) {
  const status = statusLabel[s.status];
  return (
    <li className="space-y-2 py-4" data-testid="series" data-status={s.status}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <ToneBadge tone={status.tone} testId="series-status">
            {status.text}
          </ToneBadge>
          <span className="break-words font-medium text-slate-900" data-testid="series-description">
            {s.description}
          </span>
        </p>
        {canManage && s.status === 'active' && <StopSeries series={s} onDone={onDone} />}
      </div>
      <p className="text-sm text-slate-600">
        To <span data-testid="series-audience">{s.audienceSummary}</span> · church time ({s.timezone})
        {s.sent > 0 && ` · ${s.sent.toLocaleString()} sent so far`}
      </p>
      {s.mediaId && <p className="text-xs text-slate-500">📷 With a picture (MMS)</p>}
      <p className="line-clamp-3 whitespace-pre-wrap break-words text-sm text-slate-700">{s.body}</p>
      {s.next.length > 0 && (
        <div>
          <h3 className="text-xs font-medium text-slate-500">Next dates</h3>
          <ul aria-label={`Next dates: ${s.description}`} className="mt-1 space-y-1">
            {s.next.map((o) => (
              <OccurrenceRow key={o.at.toISOString()} series={s} occurrence={o} canManage={canManage} onDone={onDone} />
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

function OccurrenceRow({
  series: s,
  occurrence: o,
  canManage,
  onDone,
}: {
  series: Series;
  occurrence: Occurrence;
  canManage: boolean;
  onDone: (message: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.series.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.dashboard.summary.queryKey() });
  };
  const skip = useMutation(
    trpc.broadcasts.skipOccurrence.mutationOptions({
      onSuccess: () => {
        onDone(`${o.label} will be skipped. Undo it from the list if you change your mind.`);
        refresh();
      },
    }),
  );
  const unskip = useMutation(
    trpc.broadcasts.unskipOccurrence.mutationOptions({
      onSuccess: () => {
        onDone(`${o.label} will go out after all.`);
        refresh();
      },
    }),
  );
  const pending = skip.isPending || unskip.isPending;
  const error = skip.error ?? unskip.error;
  return (
    <li
      className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-sm"
      data-testid="occurrence"
      data-skipped={o.skipped}
    >
      <span className={o.skipped ? 'text-slate-500 line-through' : 'text-slate-800'}>{o.label}</span>
      {o.skipped && <span className="sr-only">(skipped)</span>}
      <span className="flex items-center gap-2">
        {o.skipped && (
          <span className="text-xs text-slate-500" aria-hidden>
            Skipped
          </span>
        )}
        {canManage && (
          <Button
            size="sm"
            variant={o.skipped ? 'secondary' : 'ghost'}
            disabled={pending}
            aria-label={o.skipped ? `Undo skip of ${o.label}` : `Skip ${o.label}`}
            onClick={() => (o.skipped ? unskip : skip).mutate({ seriesId: s.id, at: o.at })}
          >
            {o.skipped ? 'Undo skip' : 'Skip'}
          </Button>
        )}
      </span>
      {error && (
        <p role="alert" className="w-full text-xs text-red-700">
          {fieldErrors(error).at ?? errorMessage(error)}
        </p>
      )}
    </li>
  );
}

function StopSeries({ series: s, onDone }: { series: Series; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const stop = useMutation(
    trpc.broadcasts.stopSeries.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        onDone('Repeating broadcast stopped. Nothing more will be sent; texts already sent stay sent.');
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.series.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.list.pathKey() });
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
        aria-label={`Stop the series: ${s.description}`}
      >
        Stop the series
      </Button>
      <ConfirmDialog
        open={confirming}
        title="Stop this repeating broadcast?"
        confirmLabel="Stop the series"
        cancelLabel="Keep it"
        pending={stop.isPending}
        error={stop.error}
        onCancel={() => setConfirming(false)}
        onConfirm={() => stop.mutate({ id: s.id })}
      >
        <p>
          {s.description}. Its scheduled date is cancelled and no more are made. Texts already sent stay sent; a date
          that is sending now finishes (cancel it in the list below to stop it).
        </p>
      </ConfirmDialog>
    </>
  );
}
