'use client';

import { useState } from 'react';

type Errors = Record<string, string | undefined>;

/**
 * A form's values and its errors per field, and the props that bind a control to both:
 * `<TextField {...bind('email')} label="Email" />`. Changing a field clears its error (and only its error), then
 * calls `onEdit` (a form that said "Saved." stops saying it).
 */
export function useForm<F extends Record<string, string>>(initial: F | (() => F), idPrefix = '', onEdit?: () => void) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors>({});
  const set = <K extends keyof F & string>(key: K, value: F[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors(({ [key]: _cleared, ...rest }) => rest);
    onEdit?.();
  };
  return { values, setValues, errors, setErrors, set, bind: binder(values, errors, set, idPrefix) };
}

/** `bind` for a form that keeps its own state (the signup wizard re-checks a step as it is typed in). */
export const binder =
  <F extends Record<string, string>>(
    values: F,
    errors: Errors,
    set: <K extends keyof F & string>(key: K, value: F[K]) => void,
    idPrefix = '',
  ) =>
  <K extends keyof F & string>(key: K) => ({
    id: idPrefix + key,
    value: values[key],
    error: errors[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as F[K]),
  });
