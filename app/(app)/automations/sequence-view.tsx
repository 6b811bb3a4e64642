'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { STOP_REASON_LABELS } from '@/db/tenant/enums';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNotice } from '../../_components/error-notice';
import { Figure } from '../../_components/figure';
import { ToneBadge } from '../../_components/tone-badge';
import { useCustomFields } from '../../_components/use-merge-check';
import { Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { useChurchTimezone } from './church-time';
import { EnrollDialog } from './enroll-dialog';
import { secondaryLink, stepsCount, stepWhen, triggerWords, type SequenceDetail } from './labels';
import { SequencePeople } from './sequence-people';

/**
 * While someone's step is about to be worked out or sent (just enrolled, or due within the minute), the page asks
 * again every few seconds, so the people list follows the runner; otherwise it stays still.
 */
const busy = (s: SequenceDetail | undefined) =>
  !!s &&
  s.state === 'active' &&
  s.people.some((p) => p.state === 'active' && (!p.nextAt || new Date(p.nextAt).getTime() < Date.now() + 60_000));

export function SequenceView({ id }: { id: string }) {
  const trpc = useTRPC();
  const canManage = useCan('sequences.manage');
  const sequence = useQuery(
    trpc.sequences.get.queryOptions({ id }, { refetchInterval: (q) => (busy(q.state.data) ? 3_000 : false) }),
  );
  const keywords = useQuery(trpc.keywords.list.queryOptions()).data;
  const fields = useCustomFields().data;
  const timezone = useChurchTimezone();
  const [status, setStatus] = useState('');

  if (sequence.isPending) return <Loading label="Loading the sequence…" />;
  if (sequence.error) return <ErrorNotice error={sequence.error} />;
  const s = sequence.data;
  const paused = s.state === 'paused';
  return (
    <div className="space-y-6" data-testid="sequence-view" data-state={s.state}>
      <div className="space-y-2">
        <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight sm:text-3xl">
          <span className="break-words">{s.name}</span>
          {paused && (
            <ToneBadge tone="amber" testId="sequence-paused">
              Paused
            </ToneBadge>
          )}
        </h1>
        <p className="text-sm text-slate-700 sm:text-base" data-testid="sequence-trigger">
          {triggerWords(s.trigger, { keywords, fields })} · {stepsCount(s.steps.length)}
        </p>
        <p className="text-sm text-slate-600">
          {s.stopOnReply ? 'Stops for anyone who replies.' : 'Goes on when they reply.'}{' '}
          {s.reenroll ? 'People may go through it again.' : 'Each person goes through it once.'}
        </p>
        {paused && (
          <p className="text-sm text-amber-900">
            Paused: nobody new joins by its trigger and no steps are sent. Steps that come due wait for you to resume.
          </p>
        )}
      </div>
      <StatusNotice message={status} />
      {canManage && <Actions sequence={s} onDone={setStatus} />}

      <Panel id="totals" title="How it is doing">
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
          <Figure label="Enrolled" value={s.enrolled.toLocaleString()} testId="total-enrolled" />
          <Figure label="Active" value={s.active.toLocaleString()} testId="total-active" />
          <Figure label="Finished" value={s.finished.toLocaleString()} testId="total-finished" />
          <Figure label="Stopped" value={s.stopped.toLocaleString()} testId="total-stopped" />
        </dl>
        {s.stoppedBecause.length > 0 && (
          <div className="mt-4">
            <h3 className="text-sm font-medium text-slate-900" id="stopped-because">
              Stopped because
            </h3>
            <ul
              className="mt-1 space-y-0.5 text-sm text-slate-700"
              aria-labelledby="stopped-because"
              data-testid="stopped-because"
            >
              {s.stoppedBecause.map((r) => (
                <li key={r.reason} className="flex gap-2" data-reason={r.reason}>
                  <span className="font-semibold text-slate-900">{r.count.toLocaleString()}</span>
                  <span>{STOP_REASON_LABELS[r.reason]}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </Panel>

      <Panel id="steps" title="Steps" description="Texts sent and replies to each step, since the sequence began.">
        <ol className="divide-y divide-slate-100" aria-label="Steps">
          {s.steps.map((st, i) => (
            <li key={i} className="space-y-1.5 py-3 first:pt-0 last:pb-0" data-testid="step">
              <p className="text-sm font-semibold text-slate-900">
                Step {i + 1} <span className="font-normal text-slate-600">· {stepWhen(st, i)}</span>
              </p>
              <p className="whitespace-pre-wrap break-words text-sm text-slate-700" data-testid="step-body">
                {st.body}
              </p>
              <dl className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-600">
                <StepCount label="Sent" value={st.sent} testId="step-sent" />
                <StepCount label="Replies" value={st.replies} testId="step-replies" />
              </dl>
            </li>
          ))}
        </ol>
      </Panel>

      <SequencePeople sequence={s} canManage={canManage} timezone={timezone} onDone={setStatus} />
    </div>
  );
}

/** Pause or resume, edit, enroll people, delete: for admins and the owner. */
function Actions({ sequence: s, onDone }: { sequence: SequenceDetail; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [enrolling, setEnrolling] = useState({ open: false, key: 0 }); // a new key: a fresh form each time
  const [deleting, setDeleting] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.sequences.pathKey() });
  const paused = s.state === 'paused';
  const pause = useMutation(
    trpc.sequences.setPaused.mutationOptions({
      onSuccess: (_, { paused: now }) => {
        onDone(
          now
            ? `${s.name} is paused.`
            : `${s.name} is running again. Steps that came due while it was paused go out now.`,
        );
        refresh();
      },
      onError: () => onDone(''),
    }),
  );
  const remove = useMutation(
    trpc.sequences.delete.mutationOptions({
      onSuccess: () => {
        // Not this page's own query: asked again, it would say the sequence is gone before the list is shown.
        void queryClient.invalidateQueries({ queryKey: trpc.sequences.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.sequences.forMember.pathKey() });
        router.push('/automations');
      },
    }),
  );
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="secondary"
          disabled={pause.isPending}
          onClick={() => pause.mutate({ id: s.id, paused: !paused })}
        >
          {paused ? 'Resume' : 'Pause'}
        </Button>
        <Link href={`/automations/${s.id}/edit`} className={secondaryLink('sm')}>
          Edit
        </Link>
        <Button size="sm" variant="secondary" onClick={() => setEnrolling((e) => ({ open: true, key: e.key + 1 }))}>
          Enroll people
        </Button>
        <Button size="sm" variant="dangerOutline" onClick={() => setDeleting(true)}>
          Delete
        </Button>
      </div>
      {pause.error && <ErrorNotice error={pause.error} />}
      <EnrollDialog
        key={enrolling.key}
        open={enrolling.open}
        sequence={s}
        onClose={() => setEnrolling((e) => ({ ...e, open: false }))}
        onEnrolled={(message) => {
          setEnrolling((e) => ({ ...e, open: false }));
          onDone(message);
          refresh();
        }}
      />
      <ConfirmDialog
        open={deleting}
        title={`Delete ${s.name}?`}
        confirmLabel="Delete"
        pending={remove.isPending || remove.isSuccess}
        error={remove.error}
        onCancel={() => {
          setDeleting(false);
          remove.reset();
        }}
        onConfirm={() => remove.mutate({ id: s.id })}
      >
        <p>Nobody else goes through it{inIt(s.active)}. Texts already sent stay in their conversations.</p>
      </ConfirmDialog>
    </div>
  );
}

/** ", and the 3 people going through it now get none of its remaining texts", for the delete confirmation. */
function inIt(active: number) {
  if (active === 0) return '';
  const who =
    active === 1 ? 'the one person going through it now gets' : `the ${active.toLocaleString()} people in it now get`;
  return `, and ${who} none of its remaining texts`;
}

/** One of a step's figures: "Sent 12". */
function StepCount({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd className="font-semibold text-slate-900" data-testid={testId}>
        {value.toLocaleString()}
      </dd>
    </div>
  );
}
