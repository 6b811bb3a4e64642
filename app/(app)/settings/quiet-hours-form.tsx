'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { clockOf } from '@/server/messaging/clock';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { SaveBar } from '../../_components/save-bar';
import { Alert, Loading, Panel } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';

type Quiet = RouterOutputs['church']['quietHours'];

/** "21:30" → 1290. */
const minutesOf = (clock: string) => {
  const [h, m] = clock.split(':').map(Number);
  return Number.isInteger(h) && Number.isInteger(m) ? h! * 60 + m! : NaN;
};

/**
 * When the church does not text people, in each member's own timezone (their branch's, or the church's). Broadcasts
 * wait for those inside them; a reply from the inbox asks first. Automatic replies are never held.
 */
export function QuietHoursForm({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const quiet = useQuery(trpc.church.quietHours.queryOptions());
  return (
    <Panel
      id="quiet-hours"
      title="Quiet hours"
      description="Broadcasts wait for people inside these hours (by each member’s own timezone) until they end."
    >
      {quiet.isPending ? (
        <Loading />
      ) : quiet.error ? (
        <Alert>{errorMessage(quiet.error)}</Alert>
      ) : (
        <QuietFields initial={quiet.data} canEdit={canEdit} />
      )}
    </Panel>
  );
}

function QuietFields({ initial, canEdit }: { initial: Quiet; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [enabled, setEnabled] = useState(initial.enabled);
  const [start, setStart] = useState(clockOf(initial.startMinute));
  const [end, setEnd] = useState(clockOf(initial.endMinute));
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.church.updateQuietHours.mutationOptions({
      onError: (err) => setErrors(fieldErrors(err)),
      onSuccess: (row) => {
        setSaved(true);
        queryClient.setQueryData(trpc.church.quietHours.queryKey(), row);
      },
    }),
  );
  const edited = () => {
    setSaved(false);
    setErrors({});
  };
  const submit = async () => {
    const input = { enabled, startMinute: minutesOf(start), endMinute: minutesOf(end) };
    const parsed = await check('quietHoursInput', input);
    if (!parsed.success) return setErrors(firstIssues(parsed.error.issues));
    update.mutate(parsed.data);
  };
  return (
    <CheckedForm className="space-y-4" onSubmit={submit} aria-label="Quiet hours">
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input
          type="checkbox"
          checked={enabled}
          disabled={!canEdit}
          onChange={(e) => {
            setEnabled(e.target.checked);
            edited();
          }}
          className="size-4 rounded border-slate-300"
        />
        Hold broadcasts during quiet hours
      </label>
      <fieldset className="grid max-w-sm grid-cols-2 gap-3" disabled={!canEdit || !enabled}>
        <legend className="sr-only">Quiet hours</legend>
        <TextField
          id={`${id}-start`}
          label="From"
          type="time"
          value={start}
          error={errors.startMinute && 'Choose a time'}
          onChange={(e) => {
            setStart(e.target.value);
            edited();
          }}
        />
        <TextField
          id={`${id}-end`}
          label="Until"
          type="time"
          value={end}
          error={errors.endMinute && (Number.isNaN(minutesOf(end)) ? 'Choose a time' : errors.endMinute)}
          onChange={(e) => {
            setEnd(e.target.value);
            edited();
          }}
        />
      </fieldset>
      {canEdit ? (
        <SaveBar
          saved={saved}
          error={update.error}
          fieldError={Object.values(errors).some(Boolean)}
          pending={update.isPending}
          label="Save quiet hours"
        />
      ) : (
        <p className="text-sm text-slate-600">Only admins and the owner can change these.</p>
      )}
    </CheckedForm>
  );
}
