'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { CONSENT_NOTE_REQUIRED } from '@/server/members/rules';
import { check } from '../../_components/check';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { SelectField, TextField, TextareaField } from '../../_components/fields';
import { useCustomFields } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import { ConsentField, type ConsentChoice } from './consent-field';
import { ConsentHistory } from './consent-history';
import { CustomFieldInputs, fieldValueProblems } from './custom-field-inputs';
import { MemberSequences } from './member-sequences';
import { fullName, type BranchItem, type MemberItem } from './types';

type Form = {
  firstName: string;
  lastName: string;
  phone: string;
  email: string;
  branchId: string;
  tags: string;
  notes: string;
  firstVisitOn: string;
  consent: ConsentChoice;
};

const blank: Form = {
  firstName: '',
  lastName: '',
  phone: '',
  email: '',
  branchId: '',
  tags: '',
  notes: '',
  firstVisitOn: '',
  consent: { state: 'not_opted_in', note: '' },
};

const formOf = (m: MemberItem): Form => ({
  firstName: m.firstName,
  lastName: m.lastName,
  phone: m.phoneDisplay,
  email: m.email ?? '',
  branchId: m.branchId ?? '',
  tags: m.tags.join(', '),
  notes: m.notes ?? '',
  firstVisitOn: m.firstVisitOn ?? '',
  consent: { state: m.subscription, note: '' },
});

/**
 * Consent is sent only when it changes (or, for someone new, when it is more than "not opted in"); custom fields only
 * those changed ('' clears one).
 */
const inputOf = (
  { consent, ...f }: Form,
  current: MemberItem['subscription'] | null,
  fieldEdits: Record<string, string>,
) => ({
  ...f,
  branchId: f.branchId || null,
  tags: f.tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean),
  ...(consent.state !== (current ?? 'not_opted_in') && {
    subscription: consent.state,
    consentNote: consent.note.trim() || undefined,
  }),
  ...(Object.keys(fieldEdits).length > 0 && { fields: fieldEdits }),
});

/**
 * Add a member (no `member`) or edit one. Errors appear beside their fields, from the browser's check or the
 * server's.
 */
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
  const [fieldEdits, setFieldEdits] = useState<Record<string, string>>({});
  const customFields = useCustomFields();
  const handlers = {
    onSuccess: (saved: MemberItem) =>
      onSaved(member ? `${fullName(saved)} was saved.` : `${fullName(saved)} was added.`),
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
    if (errors[key] || (key === 'consent' && errors.consentNote))
      setErrors((e) => ({ ...e, [key]: undefined, consentNote: undefined }));
  };
  const editField = (fieldId: string, value: string) => {
    setFieldEdits((e) => ({ ...e, [fieldId]: value }));
    if (errors[`fields.${fieldId}`]) setErrors((e) => ({ ...e, [`fields.${fieldId}`]: undefined }));
  };
  const current = member?.subscription ?? null;
  const submit = async () => {
    const input = inputOf(form, current, fieldEdits);
    const parsed = await check('createMemberInput', input);
    const fields = {
      ...(parsed.success ? {} : firstIssues(parsed.error.issues)),
      ...fieldValueProblems(customFields.data, fieldEdits),
    };
    if (input.subscription === 'subscribed' && !input.consentNote) fields.consentNote = CONSENT_NOTE_REQUIRED;
    if (Object.keys(fields).length) {
      setErrors(fields);
      focusFirst(fields);
      return;
    }
    setErrors({});
    if (member) update.mutate({ id: member.id, ...input });
    else create.mutate(input);
  };
  const field = (key: Exclude<keyof Form, 'consent'>) => ({
    id: `member-${key}`,
    value: form[key],
    error: errors[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });

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
      <TextField
        label="Mobile phone"
        type="tel"
        autoComplete="off"
        hint="Numbers from another country need their country code, like +44."
        {...field('phone')}
      />
      <TextField label="Email (optional)" type="email" autoComplete="off" {...field('email')} />
      <SelectField label="Branch" {...field('branchId')}>
        <option value="">No branch</option>
        {branches.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Tags (optional)"
        autoComplete="off"
        hint="Separate tags with commas, like: choir, youth"
        {...field('tags')}
      />
      <TextareaField label="Notes (optional)" rows={3} {...field('notes')} />
      <TextField
        label="First visit (optional)"
        type="date"
        hint="The day they first came. A connect card marked “first visit” fills it in."
        {...field('firstVisitOn')}
      />
      <CustomFieldInputs memberId={member?.id ?? null} edits={fieldEdits} errors={errors} onChange={editField} />
      <ConsentField
        current={current}
        value={form.consent}
        error={errors.consentNote}
        onChange={(v) => set('consent', v)}
      />
      {member && <ConsentHistory memberId={member.id} />}
      {member && <MemberSequences memberId={member.id} />}
    </FormDialog>
  );
}

function focusFirst(fields: Record<string, string | undefined>) {
  const first = Object.keys(fields).find((k) => fields[k]);
  if (first) document.getElementById(`member-${first}`)?.focus();
}
