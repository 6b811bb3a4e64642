'use client';

import Link from 'next/link';
import type { SegmentItem } from './types';
import { EditDeleteButtons } from '../../_components/edit-delete';

/**
 * One saved segment: its name, its conditions in words, and a link to its members. Editing and deleting are for
 * admins and the owner.
 */
export function SegmentRow({
  segment: s,
  words,
  canManage,
  onEdit,
  onDelete,
}: {
  segment: SegmentItem;
  words: string;
  canManage: boolean;
  onEdit: (s: SegmentItem) => void;
  onDelete: (s: SegmentItem) => void;
}) {
  return (
    <li
      className="flex flex-col gap-3 py-4 sm:flex-row sm:items-start sm:justify-between sm:gap-6"
      data-testid="segment"
      data-name={s.name}
    >
      <div className="min-w-0 flex-1 space-y-1">
        <h3 className="break-words text-base font-semibold text-slate-900" data-testid="segment-name">
          {s.name}
        </h3>
        <p className="break-words text-sm text-slate-700" data-testid="segment-words">
          {words}
        </p>
      </div>
      <div className="flex shrink-0 flex-wrap items-center gap-2">
        <Link
          href={`/members?segment=${s.id}`}
          className="rounded-lg px-3 py-1.5 text-sm font-medium text-brand-700 underline-offset-2 hover:underline"
          aria-label={`See members of ${s.name}`}
        >
          See members
        </Link>
        {canManage && <EditDeleteButtons name={s.name} onEdit={() => onEdit(s)} onDelete={() => onDelete(s)} />}
      </div>
    </li>
  );
}
