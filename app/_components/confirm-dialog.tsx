'use client';

import { useId } from 'react';
import { ErrorNotice } from './error-notice';
import { Modal } from './modal';
import { Button } from './ui';

/**
 * A modal confirmation on the native <dialog>: focus moves into it (Cancel first) and stays there, Escape cancels, and
 * focus returns to the button that opened it when it closes. A failed attempt (`error`) is shown under the text.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  pending,
  error,
  tone = 'danger',
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  /** The dismiss button; rename it when the action itself is a cancellation ("Keep it" beside "Cancel broadcast"). */
  cancelLabel?: string;
  pending?: boolean;
  /** What the confirmed action threw, if it failed (a tRPC error). */
  error?: unknown;
  /**
   * 'primary' for confirmations that are not destructive (sending a broadcast): the button should not look like a
   * warning.
   */
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const bodyId = useId();
  return (
    <Modal open={open} title={title} pending={pending} onClose={onCancel} describedBy={bodyId} width="sm">
      <div id={bodyId} className="mt-2 text-sm text-slate-600">
        {children}
        {!!error && (
          <div className="mt-3">
            <ErrorNotice error={error} />
          </div>
        )}
      </div>
      <div className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="secondary" onClick={onCancel} disabled={pending}>
          {cancelLabel}
        </Button>
        <Button variant={tone} onClick={onConfirm} disabled={pending}>
          {pending ? 'Working…' : confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
