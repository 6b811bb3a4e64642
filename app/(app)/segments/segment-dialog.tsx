'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TextField } from '../../_components/fields';
import { saveHandlers } from '../../_components/save-handlers';
import { useTRPC } from '../../trpc';
import { AudienceBuilder } from './audience-builder';
import {
  draftIncomplete,
  draftOf,
  emptyDraft,
  filterOf,
  segmentNameProblem,
  type AudienceDraft,
} from './audience-draft';
import type { SegmentItem } from './types';

type Errors = Record<string, string | undefined>;

/**
 * Add a segment (no `segment`) or edit one: its name and its conditions, with the live count. A name already used
 * comes back from the server beside the name; conditions it cannot answer (a value of the wrong kind) under them.
 */
export function SegmentDialog({
  open,
  segment,
  onClose,
  onSaved,
}: {
  open: boolean;
  segment: SegmentItem | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const trpc = useTRPC();
  const fields = useQuery(trpc.customFields.list.queryOptions());
  const [name, setName] = useState(segment?.name ?? '');
  const [draft, setDraft] = useState<AudienceDraft>(() => (segment ? draftOf(segment.filter) : emptyDraft));
  const [checked, setChecked] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const { showErrors, ...handlers } = saveHandlers({
    editing: !!segment,
    idPrefix: 'segment-',
    fields: ['name'],
    conflictField: 'name',
    nameOf: (saved: { name: string }) => saved.name,
    setErrors,
    onSaved,
  });
  const create = useMutation(trpc.segments.create.mutationOptions(handlers));
  const update = useMutation(trpc.segments.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const typeOf = (fieldId: string) => fields.data?.find((f) => f.id === fieldId)?.type;

  const submit = () => {
    setChecked(true);
    const nameProblem = segmentNameProblem(name);
    if (nameProblem) return showErrors({ name: nameProblem });
    if (draftIncomplete(draft, typeOf)) return setErrors({});
    setErrors({});
    const input = { name: name.trim(), filter: filterOf(draft) };
    if (segment) update.mutate({ id: segment.id, ...input });
    else create.mutate(input);
  };

  return (
    <FormDialog
      open={open}
      title={segment ? `Edit ${segment.name}` : 'Add segment'}
      description="Members in it meet every condition you set here. Leave a condition empty to include everyone."
      submitLabel={segment ? 'Save changes' : 'Add segment'}
      pending={pending}
      error={failed && !Object.values(errors).some(Boolean) ? errorMessage(failed) : ''}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextField
        id="segment-name"
        label="Name"
        autoComplete="off"
        maxLength={80}
        value={name}
        error={errors.name}
        hint="What the team picks it by, like “Youth parents” or “New guests”."
        onChange={(e) => {
          setName(e.target.value);
          if (errors.name) setErrors({ ...errors, name: undefined });
        }}
      />
      <AudienceBuilder
        value={draft}
        checked={checked}
        problem={errors.fields ?? errors.filter}
        onChange={(next) => {
          setDraft(next);
          if (errors.fields || errors.filter) setErrors({ ...errors, fields: undefined, filter: undefined });
        }}
      />
    </FormDialog>
  );
}
