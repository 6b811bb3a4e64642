'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AudienceFilter } from '@/server/audiences/inputs';
import { errorCode, errorMessage, fieldErrors } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TextField } from '../../_components/fields';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { segmentNameProblem } from '../segments/audience-draft';

type Segment = RouterOutputs['segments']['create'];

/**
 * The composer's built audience kept under a name (segments.create), for the next broadcast and the members list.
 * Outside the composer's form (a form may not hold another). A name already used is said beside the name.
 */
export function SaveSegmentDialog({
  open,
  filter,
  summary,
  onClose,
  onSaved,
}: {
  open: boolean;
  filter: AudienceFilter;
  /** The conditions in the server's words, when the preview has them. */
  summary?: string;
  onClose: () => void;
  onSaved: (segment: Segment) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const create = useMutation(
    trpc.segments.create.mutationOptions({
      onSuccess: (segment) => {
        // In the segment select at once, before the list is fetched again.
        queryClient.setQueryData(trpc.segments.list.queryKey(), (old) =>
          [...(old ?? []), segment].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })),
        );
        void queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() });
        onSaved(segment);
      },
      onError: (err) => {
        if (errorCode(err) === 'CONFLICT') setNameError(errorMessage(err));
        else if (fieldErrors(err).name) setNameError(fieldErrors(err).name);
      },
    }),
  );
  const e = create.error ? fieldErrors(create.error) : {};
  const failed = create.error && !nameError ? (e.fields ?? e.filter ?? errorMessage(create.error)) : '';

  return (
    <FormDialog
      open={open}
      title="Save as segment"
      description={summary ? `Members who meet these conditions: ${summary}.` : undefined}
      submitLabel="Save segment"
      pending={create.isPending}
      error={failed}
      onClose={onClose}
      onSubmit={() => {
        const problem = segmentNameProblem(name);
        setNameError(problem);
        if (problem) return document.getElementById('save-segment-name')?.focus();
        create.mutate({ name: name.trim(), filter });
      }}
    >
      <TextField
        id="save-segment-name"
        label="Segment name"
        autoComplete="off"
        maxLength={80}
        value={name}
        error={nameError}
        hint="Like “Youth parents” or “New guests”. It is chosen for this broadcast once saved."
        onChange={(ev) => {
          setName(ev.target.value);
          setNameError(undefined);
        }}
      />
    </FormDialog>
  );
}
