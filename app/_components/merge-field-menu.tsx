'use client';

import { useId } from 'react';

/** What the menu inserts: the first name with a fallback, because someone who texted in first has no name yet. */
const CHOICES = [
  ['{first_name|friend}', 'First name (or “friend”)'],
  ['{last_name}', 'Last name'],
  ['{church_name}', 'Church name'],
  ['{branch_name}', 'Branch name'],
] as const;

/**
 * A menu that inserts a merge field (server/messaging/merge-fields.ts) where the cursor is in `textarea`. A native
 * select: it works with a keyboard, a screen reader and a phone's picker without any code of ours.
 */
export function MergeFieldMenu({
  textarea,
  value,
  onChange,
  disabled,
}: {
  textarea: React.RefObject<HTMLTextAreaElement | null>;
  value: string;
  onChange: (next: string) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const insert = (field: string) => {
    const el = textarea.current;
    const [start, end] = el ? [el.selectionStart, el.selectionEnd] : [value.length, value.length];
    onChange(value.slice(0, start) + field + value.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + field.length, start + field.length);
    });
  };
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Insert a merge field
      </label>
      <select
        id={id}
        value=""
        disabled={disabled}
        onChange={(e) => e.target.value && insert(e.target.value)}
        className="rounded-lg border-0 py-1 pl-2 pr-8 text-xs text-slate-700 ring-1 ring-inset ring-slate-300"
      >
        <option value="">Insert a field…</option>
        {CHOICES.map(([field, label]) => (
          <option key={field} value={field}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
