'use client';

import type { ReactNode } from 'react';
import { CheckedForm } from './checked-form';
import { Modal } from './modal';
import { Alert, Button } from './ui';

/**
 * A modal form on the native <dialog> (as ConfirmDialog): focus moves to the first field, Escape and Cancel close it
 * unless a save is under way, and focus returns to the button that opened it. Used by members and branches.
 */
export function FormDialog({
  open,
  title,
  description,
  submitLabel,
  pending,
  error,
  onSubmit,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  description?: ReactNode;
  submitLabel: string;
  pending?: boolean;
  error?: string;
  onSubmit: () => void | Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Modal open={open} title={title} pending={pending} onClose={onClose} width="lg">
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      {open && (
        <CheckedForm className="mt-5 space-y-4" onSubmit={() => (pending ? undefined : onSubmit())}>
          {children}
          {error && <Alert>{error}</Alert>}
          <div className="flex flex-col-reverse gap-2 pt-2 sm:flex-row sm:justify-end">
            <Button variant="secondary" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? 'Saving…' : submitLabel}
            </Button>
          </div>
        </CheckedForm>
      )}
    </Modal>
  );
}
