import type { ComponentPropsWithRef, ReactNode } from 'react';

/** A labelled multi-line field with the same look as ui.tsx's TextField; `footer` sits under it (e.g. a segment counter). */
export function TextareaField({
  label,
  id,
  error,
  hint,
  footer,
  ...textarea
}: { label: string; id: string; error?: string; hint?: ReactNode; footer?: ReactNode } & Omit<ComponentPropsWithRef<'textarea'>, 'id'>) {
  const described = [error ? `${id}-error` : hint ? `${id}-hint` : null, footer ? `${id}-footer` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        id={id}
        aria-invalid={!!error}
        aria-describedby={described}
        className={`block w-full resize-y rounded-lg border bg-white px-3 py-2 text-base shadow-sm disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500 sm:text-sm ${error ? 'border-red-400' : 'border-slate-300'} focus:border-brand-600`}
        {...textarea}
      />
      {footer && <div id={`${id}-footer`}>{footer}</div>}
      {hint && !error && (
        <div id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </div>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
