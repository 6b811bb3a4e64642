'use client';

import { useId } from 'react';

const SELECT = 'max-w-full rounded-lg border-0 py-1 pl-2 pr-8 text-xs text-slate-700 ring-1 ring-inset ring-slate-300';

export type InsertChoice = { key: string; label: string; text: string };

/**
 * A menu that inserts text where the cursor is in `textarea` (a merge field, a saved template). A native select: it
 * works with a keyboard, a screen reader and a phone's picker without any code of ours.
 */
export function InsertMenu({
  label,
  placeholder,
  choices,
  textarea,
  value,
  onChange,
  disabled,
}: {
  label: string;
  placeholder: string;
  choices: readonly InsertChoice[];
  textarea: React.RefObject<HTMLTextAreaElement | null>;
  value: string;
  onChange: (next: string) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const insert = (text: string) => {
    const el = textarea.current;
    const [start, end] = el ? [el.selectionStart, el.selectionEnd] : [value.length, value.length];
    onChange(value.slice(0, start) + text + value.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };
  return (
    <div className="flex min-w-0 items-center gap-2">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <select
        id={id}
        value=""
        disabled={disabled}
        onChange={(e) => {
          const choice = choices.find((c) => c.key === e.target.value);
          if (choice) insert(choice.text);
        }}
        className={SELECT}
      >
        <option value="">{placeholder}</option>
        {choices.map((c) => (
          <option key={c.key} value={c.key}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}
