import type { ComponentPropsWithRef, ReactNode } from 'react';
import { describedBy, FieldShell, inputClass } from './ui';

const textareaClass = 'resize-y disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500';

/**
 * A labelled multi-line field with the same look as ui.tsx's TextField; `footer` sits under it (e.g. a segment
 * counter).
 */
export function TextareaField({
  label,
  id,
  error,
  hint,
  footer,
  ...textarea
}: { label: string; id: string; error?: string; hint?: ReactNode; footer?: ReactNode } & Omit<
  ComponentPropsWithRef<'textarea'>,
  'id'
>) {
  const described =
    [describedBy(id, error, hint), footer ? `${id}-footer` : null].filter(Boolean).join(' ') || undefined;
  return (
    <FieldShell label={label} error={error} hint={hint} id={id}>
      <textarea
        id={id}
        aria-invalid={!!error}
        aria-describedby={described}
        className={`${inputClass(error)} ${textareaClass}`}
        {...textarea}
      />
      {footer && <div id={`${id}-footer`}>{footer}</div>}
    </FieldShell>
  );
}
