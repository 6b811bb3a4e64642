import Link from 'next/link';
import { errorLink, errorMessage } from './errors';
import { Alert } from './ui';

/**
 * A refusal that names where to fix it (a sending number not bought or not registered yet) offers the way there:
 * "Get ready to text" for the registration checklist, "Open Settings" for anything else.
 */
export function ErrorLink({ error }: { error: unknown }) {
  const href = errorLink(error);
  if (!href) return null;
  return (
    <Link href={href} className="font-medium underline underline-offset-2">
      {href === '/get-ready' ? 'Get ready to text' : 'Open Settings'}
    </Link>
  );
}

/** A failed call's message, announced as it appears, with the link to where it can be put right (ErrorLink). */
export function ErrorNotice({ error }: { error: unknown }) {
  return (
    <Alert>
      {errorMessage(error)} <ErrorLink error={error} />
    </Alert>
  );
}
