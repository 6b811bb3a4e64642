'use client';

import { useEffect, useId, useRef, useState } from 'react';

const TOGGLE =
  'rounded-lg px-2 py-1 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 ' +
  'disabled:opacity-50';
const LIST =
  'absolute left-0 z-20 mt-1 max-h-64 w-64 max-w-[calc(100vw-2rem)] overflow-y-auto rounded-lg bg-white py-1 ' +
  'shadow-lg ring-1 ring-slate-200';
const CHOICE = 'block w-full truncate px-3 py-2 text-left text-sm text-slate-800 hover:bg-slate-50 focus:bg-slate-100';

export type InsertChoice = { key: string; label: string; text: string };

/**
 * A button that opens a short list of things to insert into `textarea` (merge fields, saved templates); choosing one
 * puts it where the cursor is — at the end when the box has not been in use yet — and gives the box its focus back.
 * A disclosure of plain buttons rather than a <select>: arrowing through a select's options would insert each one.
 * Escape or leaving the list closes it.
 */
export function InsertMenu({
  label,
  choices,
  textarea,
  value,
  onChange,
  disabled,
}: {
  /** The button's words: "Insert a field", "Use a template". */
  label: string;
  choices: readonly InsertChoice[];
  textarea: React.RefObject<HTMLTextAreaElement | null>;
  value: string;
  onChange: (next: string) => void;
  disabled?: boolean;
}) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const used = useRef(false); // the box has had the focus: its cursor is where the person left it
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const el = textarea.current;
    const mark = () => (used.current = true);
    el?.addEventListener('focus', mark);
    return () => el?.removeEventListener('focus', mark);
  }, [textarea]);

  const insert = (text: string) => {
    const el = textarea.current;
    const [start, end] = el && used.current ? [el.selectionStart, el.selectionEnd] : [value.length, value.length];
    onChange(value.slice(0, start) + text + value.slice(end));
    setOpen(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };

  return (
    <div
      className="relative min-w-0"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !open) return;
        e.stopPropagation(); // not the dialog around it
        setOpen(false);
        button.current?.focus();
      }}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={listId}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        className={TOGGLE}
      >
        {label} <span aria-hidden>▾</span>
      </button>
      {open && (
        <ul id={listId} aria-label={label} className={LIST}>
          {choices.map((c) => (
            <li key={c.key}>
              <button type="button" onClick={() => insert(c.text)} className={CHOICE}>
                {c.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
