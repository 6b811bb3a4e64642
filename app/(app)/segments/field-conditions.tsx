'use client';

import Link from 'next/link';
import type { CustomFieldType } from '@/db/tenant/enums';
import { OP_LABELS, OPS_BY_TYPE, takesValue, type ConditionOp } from '@/server/custom-fields/rules';
import { SelectField, TextField } from '../../_components/fields';
import { Button } from '../../_components/ui';
import { MAX_CONDITIONS } from '@/server/audiences/rules';
import { conditionKey, conditionProblem, type ConditionDraft } from './audience-draft';

const ROW =
  'grid items-start gap-3 rounded-lg bg-slate-50 p-3 ring-1 ring-inset ring-slate-200 @md:grid-cols-2 ' +
  '@3xl:grid-cols-[1fr_1fr_1fr_auto]';

export type FieldItem = { id: string; label: string; type: CustomFieldType; options: string[] };

/**
 * Up to ten conditions on the church's custom fields: field, then a comparison its type offers (OPS_BY_TYPE), then a
 * value control of its type (none for "has a value" / "has no value"). A row per condition, stacked on a phone.
 */
export function FieldConditions({
  idBase,
  fields,
  value,
  checked,
  onChange,
}: {
  idBase: string;
  fields: FieldItem[];
  value: ConditionDraft[];
  /** Show what is unfinished (after an attempt to save or send). */
  checked: boolean;
  onChange: (conditions: ConditionDraft[]) => void;
}) {
  const replace = (i: number, c: ConditionDraft) => onChange(value.map((old, j) => (j === i ? c : old)));
  const add = () => onChange([...value, { key: conditionKey(), fieldId: '', op: 'is', value: '' }]);
  return (
    <div className="space-y-3">
      {value.map((c, i) => (
        <ConditionRow
          key={c.key}
          id={`${idBase}-${i}`}
          n={i + 1}
          fields={fields}
          condition={c}
          checked={checked}
          onChange={(next) => replace(i, next)}
          onRemove={() => onChange(value.filter((_, j) => j !== i))}
        />
      ))}
      {fields.length === 0 ? (
        <p className="text-sm text-slate-600">
          No member fields yet. Admins add them (a baptism date, a ministry) in{' '}
          <Link
            href="/settings#member-fields"
            className="font-medium text-brand-700 underline-offset-2 hover:underline"
          >
            Settings
          </Link>
          .
        </p>
      ) : value.length < MAX_CONDITIONS ? (
        <Button variant="secondary" size="sm" onClick={add}>
          Add a field condition
        </Button>
      ) : (
        <p className="text-sm text-slate-600">That is the most: {MAX_CONDITIONS} field conditions.</p>
      )}
    </div>
  );
}

function ConditionRow({
  id,
  n,
  fields,
  condition: c,
  checked,
  onChange,
  onRemove,
}: {
  id: string;
  n: number;
  fields: FieldItem[];
  condition: ConditionDraft;
  checked: boolean;
  onChange: (c: ConditionDraft) => void;
  onRemove: () => void;
}) {
  const field = fields.find((f) => f.id === c.fieldId);
  const problem = checked ? conditionProblem(c, field?.type) : undefined;
  const ops = field ? OPS_BY_TYPE[field.type] : (['is'] as ConditionOp[]);
  const chooseField = (fieldId: string) => {
    const type = fields.find((f) => f.id === fieldId)?.type;
    onChange({ ...c, fieldId, op: type ? OPS_BY_TYPE[type][0]! : 'is', value: type === 'yes_no' ? 'yes' : '' });
  };
  return (
    <fieldset className={ROW}>
      <legend className="sr-only">Field condition {n}</legend>
      <SelectField
        id={`${id}-field`}
        label="Field"
        value={c.fieldId}
        error={!c.fieldId ? problem : undefined}
        onChange={(e) => chooseField(e.target.value)}
      >
        <option value="">Choose a field</option>
        {c.fieldId && !field && <option value={c.fieldId}>A deleted field</option>}
        {fields.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </SelectField>
      <SelectField
        id={`${id}-op`}
        label="Comparison"
        value={c.op}
        disabled={!field}
        onChange={(e) => onChange({ ...c, op: e.target.value as ConditionOp })}
      >
        {ops.map((op) => (
          <option key={op} value={op}>
            {OP_LABELS[op]}
          </option>
        ))}
      </SelectField>
      {field && takesValue(c.op) ? (
        <ValueControl
          id={`${id}-value`}
          field={field}
          value={c.value}
          error={problem}
          onChange={(value) => onChange({ ...c, value })}
        />
      ) : (
        <div className="hidden @3xl:block" />
      )}
      <Button
        variant="ghost"
        size="sm"
        className="justify-self-start @md:mt-6"
        onClick={onRemove}
        aria-label={`Remove field condition ${n}`}
      >
        Remove
      </Button>
    </fieldset>
  );
}

/** The value to compare with, in a control of the field's type. */
function ValueControl({
  id,
  field,
  value,
  error,
  onChange,
}: {
  id: string;
  field: FieldItem;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const common = {
    id,
    label: 'Value',
    value,
    error,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  switch (field.type) {
    case 'yes_no':
      return (
        <SelectField {...common}>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </SelectField>
      );
    case 'choice':
      return (
        <SelectField {...common}>
          <option value="">Choose one</option>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </SelectField>
      );
    case 'number':
      // Text with the decimal keypad, as on the member form: "1,200" stays as typed for the server to read.
      return <TextField {...common} type="text" inputMode="decimal" autoComplete="off" />;
    case 'date':
      return <TextField {...common} type="date" />;
    default:
      return <TextField {...common} type="text" maxLength={500} autoComplete="off" />;
  }
}
