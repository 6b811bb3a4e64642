'use client';

import { useMutation } from '@tanstack/react-query';
import { CUSTOM_FIELD_TYPES, CUSTOM_FIELD_TYPE_LABELS, type CustomFieldType } from '@/db/tenant/enums';
import { keyOf } from '@/server/custom-fields/rules';
import { errorMessage } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { SelectField, TextField, TextareaField } from '../../_components/fields';
import { saveHandlers } from '../../_components/save-handlers';
import { useForm } from '../../_components/use-form';
import { useTRPC } from '../../trpc';
import type { CustomFieldItem } from './custom-field-row';

type Form = { label: string; type: CustomFieldType; options: string };

const FIELDS = ['label', 'type', 'options'] as const;

/** The choices as typed, one a line; the server drops blanks and repeats. */
const choicesOf = (text: string) =>
  text
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean);

/**
 * Add a member field (no `field`) or edit one. A field's type and merge field are fixed once it exists (texts and
 * values depend on them), so editing changes the name and, for "One of a list", the choices. The server checks
 * everything (a reserved or taken name, fewer than two choices, a choice members still have) and its refusal is
 * shown beside the field it is about.
 */
export function CustomFieldDialog({
  open,
  field,
  onClose,
  onSaved,
}: {
  open: boolean;
  field: CustomFieldItem | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const trpc = useTRPC();
  const {
    values: form,
    errors,
    setErrors,
    bind,
  } = useForm<Form>(
    { label: field?.label ?? '', type: field?.type ?? 'text', options: field?.options.join('\n') ?? '' },
    'custom-field-',
  );
  // The server's schema checks it: its messages land beside their fields, the first one focused.
  const { onSuccess, onError } = saveHandlers({
    editing: !!field,
    idPrefix: 'custom-field-',
    fields: FIELDS,
    conflictField: 'label',
    nameOf: (saved: { label: string }) => saved.label,
    setErrors,
    onSaved,
  });
  const create = useMutation(trpc.customFields.create.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.customFields.update.mutationOptions({ onSuccess, onError }));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const type = field?.type ?? form.type;
  const key = field?.key ?? keyOf(form.label);

  const submit = () => {
    setErrors({});
    const options = type === 'choice' ? choicesOf(form.options) : undefined;
    if (field) update.mutate({ id: field.id, label: form.label, options });
    else create.mutate({ label: form.label, type: form.type, options });
  };

  return (
    <FormDialog
      open={open}
      title={field ? `Edit ${field.label}` : 'Add member field'}
      submitLabel={field ? 'Save changes' : 'Add field'}
      pending={pending}
      error={failed && !Object.values(errors).some(Boolean) ? errorMessage(failed) : ''}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextField
        {...bind('label')}
        label="Name"
        autoComplete="off"
        maxLength={60}
        live={!field}
        hint={
          field ? (
            <>
              Texts use it as <code>{`{${key}}`}</code>, whatever its name.
            </>
          ) : (
            <>
              Like “Baptism date” or “Ministry team”. Texts use it as{' '}
              <code data-testid="custom-field-key">{form.label.trim() ? `{${key}}` : '{…}'}</code>.
            </>
          )
        }
      />
      {field ? (
        <p className="text-sm text-slate-700">
          Type: <span className="font-medium">{CUSTOM_FIELD_TYPE_LABELS[type]}</span>{' '}
          <span className="text-slate-500">(fixed once the field exists)</span>
        </p>
      ) : (
        <SelectField {...bind('type')} label="Type">
          {CUSTOM_FIELD_TYPES.map((t) => (
            <option key={t} value={t}>
              {CUSTOM_FIELD_TYPE_LABELS[t]}
            </option>
          ))}
        </SelectField>
      )}
      {type === 'choice' && (
        <TextareaField
          {...bind('options')}
          label="Choices"
          rows={5}
          hint={
            field
              ? 'One per line. A choice some members have cannot be taken off the list until their value changes.'
              : 'One per line, at least two, like: Worship, Children, Hospitality'
          }
        />
      )}
    </FormDialog>
  );
}
