import type { Metadata } from 'next';
import { NotFoundPanel } from './_components/not-found-panel';
import { AuthFrame } from './_components/ui';
import { HydrateClient } from './_lib/trpc-server';
import { getViewer } from './_lib/viewer';
import { AppShell } from './(app)/app-shell';

export const metadata: Metadata = { title: 'Page not found' };

/**
 * An address no page answers. A signed-in admin sees it inside the app's shell (menu and all); anyone else a page of
 * its own with the way in.
 */
export default async function NotFound() {
  const viewer = await getViewer().catch(() => null);
  if (!viewer)
    return (
      <AuthFrame>
        <NotFoundPanel home="/" homeLabel="Go to Steeple's home page" />
      </AuthFrame>
    );
  return (
    <HydrateClient>
      <AppShell viewer={viewer}>
        <NotFoundPanel home="/dashboard" homeLabel="Go to the dashboard" />
      </AppShell>
    </HydrateClient>
  );
}
