'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';

const widths = {
  sm: 'max-w-sm',
  lg: 'max-h-[calc(100dvh-2rem)] max-w-lg overflow-y-auto',
} as const;

const dialogClass =
  'w-[calc(100%-2rem)] rounded-2xl bg-white p-6 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40';

/**
 * The shell of a modal on the native <dialog>: shown and closed with `open`, titled by its heading, and Escape calls
 * `onClose` unless `pending`. The browser keeps focus inside while it is open and returns it to the opener on close.
 */
export function Modal({
  open,
  title,
  pending,
  onClose,
  describedBy,
  width,
  children,
}: {
  open: boolean;
  title: string;
  pending?: boolean;
  onClose: () => void;
  describedBy?: string;
  width: keyof typeof widths;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onClose();
      }}
      className={`m-auto ${widths[width]} ${dialogClass}`}
    >
      <h2 id={titleId} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
