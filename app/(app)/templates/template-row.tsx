'use client';

import type { TemplateItem } from './types';
import { EditDeleteButtons } from '../../_components/edit-delete';

/**
 * One template: its name and its words as saved, merge fields and all (they are filled in for each person when it is
 * used). Editing and deleting are for admins and the owner.
 */
export function TemplateRow({
  template: t,
  canManage,
  onEdit,
  onDelete,
}: {
  template: TemplateItem;
  canManage: boolean;
  onEdit: (t: TemplateItem) => void;
  onDelete: (t: TemplateItem) => void;
}) {
  return (
    <li
      className="flex flex-col gap-3 py-4 sm:flex-row sm:items-start sm:justify-between sm:gap-6"
      data-testid="template"
      data-name={t.name}
    >
      <div className="min-w-0 flex-1 space-y-1.5">
        <h3 className="break-words text-base font-semibold text-slate-900" data-testid="template-name">
          {t.name}
        </h3>
        <p className="whitespace-pre-wrap break-words text-sm text-slate-700" data-testid="template-body">
          {t.body}
        </p>
      </div>
      {canManage && (
        <div className="flex shrink-0 flex-wrap gap-2">
          <EditDeleteButtons name={t.name} onEdit={() => onEdit(t)} onDelete={() => onDelete(t)} />
        </div>
      )}
    </li>
  );
}
