'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { createMemberInput } from '@/server/members/inputs';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TextareaField } from '../../_components/textarea-field';
import { SelectField, TextField } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { fullName, type BranchItem, type MemberItem } from './types';

type Form = { firstName: string; lastName: string; phone: string; email: string; branchId: string; tags: string; notes: string; subscription: 'subscribed' | 'unsubscribed' };

const blank: Form = { firstName: '', lastName: '', phone: '', email: '', branchId: '', tags: '', notes: '', subscription: 'subscribed' };

const formOf = (m: MemberItem): Form => ({
  firstName: m.firstName,
  lastName: m.lastName,
  phone: m.phoneDisplay,
  email: m.email ?? '',
  branchId: m.branchId ?? '',
  tags: m.tags.join(', '),
  notes: m.notes ?? '',
  subscription: m.subscription,
});

const inputOf = (f: Form) => ({ ...f, branchId: f.branchId || null, tags: f.tags.split(',').map((t) => t.trim()).filter(Boolean) });

/** Add a member (no `member`) or edit one. Errors appear beside their fields, from the browser's check or the server's. */
export function MemberDialog({
  open,
  member,
  branches,
  onClose,
  onSaved,
}: {
  open: boolean;
  member: MemberItem | null;
  branches: BranchItem[];
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState<Form>(member ? formOf(member) : blank);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const handlers = {
    onSuccess: (saved: MemberItem) => onSaved(member ? `${fullName(saved)} was saved.` : `${fullName(saved)} was added.`),
    onError: (err: unknown) => {
      const fields = errorCode(err) === 'CONFLICT' ? { phone: errorMessage(err) } : fieldErrors(err);
      setErrors(fields);
      focusFirst(fields);
    },
  };
  const create = useMutation(trpc.members.create.mutationOptions(handlers));
  const update = useMutation(trpc.members.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const general = failed && Object.keys(errors).length === 0 ? errorMessage(failed) : '';

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const submit = () => {
    const parsed = createMemberInput.safeParse(inputOf(form));
    if (!parsed.success) {
      const fields = firstIssues(parsed.error.issues);
      setErrors(fields);
      focusFirst(fields);
      return;
    }
    setErrors({});
    const input = inputOf(form);
    if (member) update.mutate({ id: member.id, ...input });
    else create.mutate(input);
  };
  const field = (key: keyof Form) => ({ id: `member-${key}`, value: form[key], error: errors[key], onChange: (e: { target: { value: string } }) => set(key, e.target.value as never) });

  return (
    <FormDialog
      open={open}
      title={member ? `Edit ${fullName(member)}` : 'Add member'}
      submitLabel={member ? 'Save changes' : 'Add member'}
      pending={pending}
      error={general}
      onSubmit={submit}
      onClose={onClose}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="First name" autoComplete="off" {...field('firstName')} />
        <TextField label="Last name" autoComplete="off" {...field('lastName')} />
      </div>
      <TextField label="Mobile phone" type="tel" autoComplete="off" hint="Numbers from another country need their country code, like +44." {...field('phone')} />
      <TextField label="Email (optional)" type="email" autoComplete="off" {...field('email')} />
      <SelectField label="Branch" {...field('branchId')}>
        <option value="">No branch</option>
        {branches.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </SelectField>
      <TextField label="Tags (optional)" autoComplete="off" hint="Separate tags with commas, like: choir, youth" {...field('tags')} />
      <TextareaField label="Notes (optional)" rows={3} {...field('notes')} />
      <SelectField label="Texts" hint="Unsubscribed members get no broadcasts or texts from your team." {...field('subscription')}>
        <option value="subscribed">Subscribed</option>
        <option value="unsubscribed">Unsubscribed</option>
      </SelectField>
    </FormDialog>
  );
}

function focusFirst(fields: Record<string, string | undefined>) {
  const first = Object.keys(fields).find((k) => fields[k]);
  if (first) document.getElementById(`member-${first}`)?.focus();
}
