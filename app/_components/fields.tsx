import type { ComponentPropsWithRef, ReactNode } from 'react';

/**
 * Labelled form controls: a label above, the control, and a hint or an error below that the control names in
 * aria-describedby. Pure markup (no hooks), so server and client components both use them.
 */
type FieldProps = { label: string; error?: string; hint?: ReactNode; id: string; live?: boolean };

export function TextField({
  label,
  error,
  hint,
  id,
  live,
  ...input
}: FieldProps & Omit<ComponentPropsWithRef<'input'>, 'id'>) {
  return (
    <FieldShell label={label} error={error} hint={hint} id={id} live={live}>
      <input {...controlProps(id, error, hint)} {...input} />
    </FieldShell>
  );
}

/** The sign-in email (login, forgot password): the browser's keyboard and password managers know it for what it is. */
export function EmailField(props: Omit<FieldProps, 'label'> & Omit<ComponentPropsWithRef<'input'>, 'id'>) {
  return <TextField {...props} label="Email" type="email" autoComplete="username" inputMode="email" />;
}

export function SelectField({
  label,
  error,
  hint,
  id,
  children,
  ...select
}: FieldProps & Omit<ComponentPropsWithRef<'select'>, 'id'>) {
  return (
    <FieldShell label={label} error={error} hint={hint} id={id}>
      <select {...controlProps(id, error, hint)} {...select}>
        {children}
      </select>
    </FieldShell>
  );
}

/** A multi-line field; `footer` sits under it (a segment counter) and describes it too. */
export function TextareaField({
  label,
  id,
  error,
  hint,
  footer,
  ...textarea
}: FieldProps & { footer?: ReactNode } & Omit<ComponentPropsWithRef<'textarea'>, 'id'>) {
  const control = controlProps(id, error, hint);
  const described = [control['aria-describedby'], footer ? `${id}-footer` : null].filter(Boolean).join(' ');
  return (
    <FieldShell label={label} error={error} hint={hint} id={id}>
      <textarea
        {...control}
        aria-describedby={described || undefined}
        className={`${control.className} ${textareaClass}`}
        {...textarea}
      />
      {footer && <div id={`${id}-footer`}>{footer}</div>}
    </FieldShell>
  );
}

function FieldShell({ label, error, hint, id, live, children }: FieldProps & { children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint && !error && (
        <div id={`${id}-hint`} aria-live={live ? 'polite' : undefined} className="text-xs text-slate-500">
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

/** What every control in a FieldShell carries: its id, whether it is in error, what describes it, and its look. */
const controlProps = (id: string, error?: string, hint?: ReactNode) => ({
  id,
  'aria-invalid': !!error,
  'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  className: `${inputBase} ${error ? 'border-red-400' : 'border-slate-300'} focus:border-brand-600`,
});
const inputBase = 'block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm sm:text-sm';
const textareaClass = 'resize-y disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500';
