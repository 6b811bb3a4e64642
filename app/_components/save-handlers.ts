import { errorCode, errorMessage, fieldErrors } from './errors';

type Errors = Record<string, string | undefined>;

/**
 * What an add/edit dialog does with its errors and its save: errors are shown beside their fields and the first of
 * them (in `fields` order, ids `${idPrefix}${field}`) gets the focus; a CONFLICT (a name or word already used) is
 * shown beside `conflictField`; a save says "<name> was added." or "… was saved.".
 */
export function saveHandlers<S>(opts: {
  editing: boolean;
  idPrefix: string;
  fields: readonly string[];
  conflictField: string;
  nameOf: (saved: S) => string;
  setErrors: (errors: Errors) => void;
  onSaved: (message: string) => void;
}) {
  const showErrors = (errors: Errors) => {
    opts.setErrors(errors);
    const first = opts.fields.find((f) => errors[f]);
    if (first) document.getElementById(`${opts.idPrefix}${first}`)?.focus();
  };
  return {
    showErrors,
    onSuccess: (saved: S) => opts.onSaved(`${opts.nameOf(saved)} was ${opts.editing ? 'saved' : 'added'}.`),
    onError: (err: unknown) =>
      showErrors(errorCode(err) === 'CONFLICT' ? { [opts.conflictField]: errorMessage(err) } : fieldErrors(err)),
  };
}
