'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { createBranchInput } from '@/server/members/inputs';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TimezoneField } from '../../_components/timezone-field';
import { TextField } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import type { BranchItem } from '../members/types';

type Form = { name: string; address: string; timezone: string };

/** Add a branch (no `branch`) or edit one; a taken name is shown beside the name field. */
export function BranchDialog({
  open,
  branch,
  onClose,
  onSaved,
}: {
  open: boolean;
  branch: BranchItem | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState<Form>({
    name: branch?.name ?? '',
    address: branch?.address ?? '',
    timezone: branch?.timezone ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const handlers = {
    onSuccess: (saved: { name: string }) => onSaved(branch ? `${saved.name} was saved.` : `${saved.name} was added.`),
    onError: (err: unknown) =>
      setErrors(errorCode(err) === 'CONFLICT' ? { name: errorMessage(err) } : fieldErrors(err)),
  };
  const create = useMutation(trpc.branches.create.mutationOptions(handlers));
  const update = useMutation(trpc.branches.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const set = (key: keyof Form, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const submit = () => {
    const input = { name: form.name, address: form.address, timezone: form.timezone || undefined };
    const parsed = createBranchInput.safeParse(input);
    if (!parsed.success) {
      setErrors(firstIssues(parsed.error.issues));
      document.getElementById('branch-name')?.focus();
      return;
    }
    setErrors({});
    if (branch) update.mutate({ id: branch.id, ...input });
    else create.mutate(input);
  };

  return (
    <FormDialog
      open={open}
      title={branch ? `Edit ${branch.name}` : 'Add branch'}
      submitLabel={branch ? 'Save changes' : 'Add branch'}
      pending={pending}
      error={failed && !Object.values(errors).some(Boolean) ? errorMessage(failed) : ''}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextField
        id="branch-name"
        label="Name"
        autoComplete="off"
        value={form.name}
        error={errors.name}
        onChange={(e) => set('name', e.target.value)}
      />
      <TextField
        id="branch-address"
        label="Address (optional)"
        autoComplete="off"
        value={form.address}
        error={errors.address}
        onChange={(e) => set('address', e.target.value)}
      />
      <TimezoneField
        id="branch-timezone"
        label="Timezone"
        value={form.timezone}
        error={errors.timezone}
        hint="Used to schedule this branch’s texts."
        emptyOption={branch ? undefined : 'Same as the church'}
        onChange={(tz) => set('timezone', tz)}
      />
    </FormDialog>
  );
}
