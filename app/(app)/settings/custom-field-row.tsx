'use client';

import { CUSTOM_FIELD_TYPE_LABELS } from '@/db/tenant/enums';
import type { RouterOutputs } from '../../_lib/router-types';
import { Badge } from '../../_components/ui';
import { EditDeleteButtons } from '../../_components/edit-delete';

export type CustomFieldItem = RouterOutputs['customFields']['list'][number];

/** One member field: its name, type, merge field and (for "One of a list") its choices. */
export function CustomFieldRow({
  field: f,
  canManage,
  onEdit,
  onDelete,
}: {
  field: CustomFieldItem;
  canManage: boolean;
  onEdit: (f: CustomFieldItem) => void;
  onDelete: (f: CustomFieldItem) => void;
}) {
  return (
    <li
      className="flex flex-col gap-3 py-4 sm:flex-row sm:items-start sm:justify-between sm:gap-6"
      data-testid="custom-field"
      data-label={f.label}
    >
      <div className="min-w-0 flex-1 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <h3 className="break-words text-base font-semibold text-slate-900">{f.label}</h3>
          <Badge>{CUSTOM_FIELD_TYPE_LABELS[f.type]}</Badge>
        </div>
        <p className="text-sm text-slate-600">
          Merge field <code className="break-all text-slate-800" data-testid="custom-field-key">{`{${f.key}}`}</code>
        </p>
        {f.type === 'choice' && (
          <p className="break-words text-sm text-slate-600" data-testid="custom-field-options">
            Choices: {f.options.join(', ')}
          </p>
        )}
      </div>
      {canManage && (
        <div className="flex shrink-0 flex-wrap gap-2">
          <EditDeleteButtons name={f.label} onEdit={() => onEdit(f)} onDelete={() => onDelete(f)} />
        </div>
      )}
    </li>
  );
}
