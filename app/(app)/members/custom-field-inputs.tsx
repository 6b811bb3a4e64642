'use client';

import { skipToken, useQuery } from '@tanstack/react-query';
import { FieldValueError, parseValue } from '@/server/custom-fields/rules';
import { errorMessage } from '../../_components/errors';
import { SelectField, TextField } from '../../_components/fields';
import type { RouterOutputs } from '../../_lib/router-types';
import { Alert, Loading } from '../../_components/ui';
import { useCustomFields } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';

type CustomField = RouterOutputs['customFields']['list'][number];
type Errors = Record<string, string | undefined>;

/** A field's control id: `member-` and the name its error has (the server's `fields.<id>`), so focusing finds it. */
const controlId = (fieldId: string) => `member-fields.${fieldId}`;

/**
 * The church's own fields on the member form, one control each, prefilled with the member's values (members.get).
 * `edits` holds only what was changed, which is all the form sends.
 */
export function CustomFieldInputs({
  memberId,
  edits,
  errors,
  onChange,
}: {
  memberId: string | null;
  edits: Record<string, string>;
  errors: Errors;
  onChange: (fieldId: string, value: string) => void;
}) {
  const trpc = useTRPC();
  const fields = useCustomFields();
  const member = useQuery(trpc.members.get.queryOptions(memberId ? { id: memberId } : skipToken));
  if (fields.isPending || (memberId && member.isPending)) return <Loading label="Loading member fields…" />;
  if (fields.error || member.error) return <Alert>{errorMessage(fields.error ?? member.error)}</Alert>;
  const values = { ...member.data?.fields, ...edits };
  return fields.data.map((f) => (
    <FieldControl
      key={f.id}
      field={f}
      value={values[f.id] ?? ''}
      error={errors[`fields.${f.id}`]}
      onChange={(v) => onChange(f.id, v)}
    />
  ));
}

/**
 * One control by type, holding the value as the server reads it: text; a number typed as text (a number input would
 * silently drop "1,200"); a date; yes/no and "One of a list" as selects whose empty choice clears the value.
 */
function FieldControl({
  field: f,
  value,
  error,
  onChange,
}: {
  field: CustomField;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const props = {
    id: controlId(f.id),
    label: f.label,
    value,
    error,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  switch (f.type) {
    case 'text':
      return <TextField {...props} autoComplete="off" maxLength={500} />;
    case 'number':
      return <TextField {...props} inputMode="decimal" autoComplete="off" maxLength={30} />;
    case 'date':
      return <TextField {...props} type="date" />;
    case 'yes_no':
      return (
        <SelectField {...props}>
          <option value="">—</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </SelectField>
      );
    case 'choice': {
      // A value written in another case than the list's own still shows as itself.
      const options = value && !f.options.includes(value) ? [...f.options, value] : f.options;
      return (
        <SelectField {...props}>
          <option value="">—</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </SelectField>
      );
    }
  }
}

/** The changed values the server would refuse, by `fields.<id>`, in its words (the same rules, rules.ts). */
export function fieldValueProblems(fields: CustomField[] | undefined, edits: Record<string, string>): Errors {
  const problems: Errors = {};
  for (const f of fields ?? []) {
    if (!(f.id in edits)) continue;
    try {
      parseValue(f, edits[f.id]!);
    } catch (err) {
      if (!(err instanceof FieldValueError)) throw err;
      problems[`fields.${f.id}`] = err.message;
    }
  }
  return problems;
}
