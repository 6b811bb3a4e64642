import { errorMessage } from './errors';
import { Alert, Button, Notice } from './ui';

/**
 * The foot of a settings form: "Saved." or the error that is not any one field's (announced as it appears), and the
 * save button, which says "Saving…" while it works.
 */
export function SaveBar({
  saved,
  error,
  fieldError,
  pending,
  label,
}: {
  saved: boolean;
  error: unknown;
  /** When a field shows its own error, the form-wide one is not repeated here. */
  fieldError: boolean;
  pending: boolean;
  label: string;
}) {
  return (
    <div className="flex flex-wrap items-center justify-end gap-3">
      <div aria-live="polite" className="mr-auto empty:hidden">
        {saved && <Notice>Saved.</Notice>}
        {!!error && !fieldError && <Alert>{errorMessage(error)}</Alert>}
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : label}
      </Button>
    </div>
  );
}
