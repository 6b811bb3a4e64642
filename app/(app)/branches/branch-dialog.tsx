'use client';

import { useMutation } from '@tanstack/react-query';
import { check } from '../../_components/check';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TimezoneField } from '../../_components/timezone-field';
import { TextField } from '../../_components/fields';
import { useForm } from '../../_components/use-form';
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
  const {
    values: form,
    errors,
    setErrors,
    set,
    bind,
  } = useForm<Form>(
    { name: branch?.name ?? '', address: branch?.address ?? '', timezone: branch?.timezone ?? '' },
    'branch-',
  );
  const handlers = {
    onSuccess: (saved: { name: string }) => onSaved(branch ? `${saved.name} was saved.` : `${saved.name} was added.`),
    onError: (err: unknown) =>
      setErrors(errorCode(err) === 'CONFLICT' ? { name: errorMessage(err) } : fieldErrors(err)),
  };
  const create = useMutation(trpc.branches.create.mutationOptions(handlers));
  const update = useMutation(trpc.branches.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const submit = async () => {
    const input = { name: form.name, address: form.address, timezone: form.timezone || undefined };
    const parsed = await check('createBranchInput', input);
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
      <TextField {...bind('name')} label="Name" autoComplete="off" />
      <TextField {...bind('address')} label="Address (optional)" autoComplete="off" />
      <TimezoneField
        {...bind('timezone')}
        label="Timezone"
        hint="Used to schedule this branch’s texts."
        emptyOption={branch ? undefined : 'Same as the church'}
        onChange={(tz) => set('timezone', tz)}
      />
    </FormDialog>
  );
}
