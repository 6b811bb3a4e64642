import type { Metadata } from 'next';
import { NotFoundPanel } from '../_components/not-found-panel';

export const metadata: Metadata = { title: 'Page not found' };

/** A record or page that is not there (notFound() in a signed-in page): inside the shell, with the way home. */
export default function AppNotFound() {
  return <NotFoundPanel home="/dashboard" homeLabel="Go to the dashboard" />;
}
