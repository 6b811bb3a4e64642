'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { STOP_REASON_LABELS } from '@/db/tenant/enums';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ToneBadge } from '../../_components/tone-badge';
import { Button, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { ChurchTime, TimezoneNote } from './church-time';
import { ENROLLMENT_STATE, textLink, type Enrollment, type SequenceDetail } from './labels';

/**
 * Who is going through the sequence (the next 50 due first) and who left it lately: each one's state, their next
 * step and when, on the church's clock. Admins and the owner take someone out (their remaining steps are not sent).
 */
export function SequencePeople({
  sequence: s,
  canManage,
  timezone,
  onDone,
}: {
  sequence: SequenceDetail;
  canManage: boolean;
  timezone: string | undefined;
  onDone: (message: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<Enrollment | null>(null);
  const remove = useMutation(
    trpc.sequences.remove.mutationOptions({
      onSuccess: () => {
        onDone(`${removing ? removing.name : 'They'} will get no more of ${s.name}.`);
        setRemoving(null);
        void queryClient.invalidateQueries({ queryKey: trpc.sequences.pathKey() });
      },
    }),
  );
  const description =
    s.enrolled > s.people.length
      ? `The ${s.people.length} next due, then those who left it lately, of ${s.enrolled.toLocaleString()} in all.`
      : 'Those going through it, next due first, then those who left it.';
  return (
    <Panel id="people" title="People" description={description}>
      {s.people.length === 0 ? (
        <p className="text-sm text-slate-600">
          Nobody has gone through it yet.
          {s.trigger.kind === 'manual' && canManage ? ' Choose “Enroll people” to add some.' : ''}
        </p>
      ) : (
        <div className="space-y-3">
          <TimezoneNote timezone={timezone} />
          <ul className="divide-y divide-slate-100" aria-label="People in this sequence">
            {s.people.map((p) => (
              <Person
                key={p.id}
                person={p}
                steps={s.steps.length}
                paused={s.state === 'paused'}
                timezone={timezone}
                onRemove={canManage && p.state === 'active' ? () => setRemoving(p) : undefined}
              />
            ))}
          </ul>
        </div>
      )}
      <ConfirmDialog
        open={!!removing}
        title={removing ? `Remove ${removing.name}?` : 'Remove them?'}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate({ enrollmentId: removing.id })}
      >
        <p>
          They get none of the remaining steps of {s.name}. Texts already sent stay in their conversation, and they stay
          a member.
        </p>
      </ConfirmDialog>
    </Panel>
  );
}

function Person({
  person: p,
  steps,
  paused,
  timezone,
  onRemove,
}: {
  person: Enrollment;
  steps: number;
  paused: boolean;
  timezone: string | undefined;
  onRemove?: () => void;
}) {
  const state = ENROLLMENT_STATE[p.state];
  const name = p.name;
  return (
    <li
      className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between sm:gap-4"
      data-testid="enrollment"
      data-name={name}
      data-state={p.state}
      data-next-step={p.state === 'active' ? p.nextStep + 1 : undefined}
    >
      <div className="min-w-0 space-y-0.5">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          {p.memberId ? (
            <Link href={`/inbox?member=${p.memberId}`} className={`${textLink} break-words`}>
              {name}
            </Link>
          ) : (
            <span className="text-slate-600">{name}</span>
          )}
          <ToneBadge tone={state.tone} testId="enrollment-state">
            {state.text}
          </ToneBadge>
        </p>
        <p className="text-xs text-slate-600" data-testid="enrollment-detail">
          {p.state === 'active' ? (
            <>
              Next: step {p.nextStep + 1} of {steps},{' '}
              {paused ? (
                'waiting while the sequence is paused'
              ) : p.nextAt ? (
                <ChurchTime value={p.nextAt} timezone={timezone} />
              ) : (
                'being scheduled'
              )}
            </>
          ) : p.state === 'finished' ? (
            <>Finished{p.endedAt && <> {<ChurchTime value={p.endedAt} timezone={timezone} />}</>}</>
          ) : (
            <>
              Stopped: {p.stopReason ? STOP_REASON_LABELS[p.stopReason] : 'ended'}
              {p.endedAt && <>, {<ChurchTime value={p.endedAt} timezone={timezone} />}</>}
            </>
          )}
          <span className="text-slate-500">
            {' '}
            · enrolled <ChurchTime value={p.enrolledAt} timezone={timezone} />
          </span>
        </p>
      </div>
      {onRemove && (
        <Button
          size="sm"
          variant="dangerOutline"
          className="self-start sm:self-auto"
          onClick={onRemove}
          aria-label={`Remove ${name}`}
        >
          Remove
        </Button>
      )}
    </li>
  );
}
