import { redirect } from 'next/navigation';
import { can } from '@/server/auth/permissions';
import { unavailableReason } from '@/server/tenancy/availability';
import { HydrateClient, prefetch, trpc } from '../_lib/trpc-server';
import { getViewer, loginUrl } from '../_lib/viewer';
import { AppShell } from './app-shell';
import { unreadBadgeInput } from './first-queries';
import { Maintenance } from './maintenance';

/**
 * Everything behind sign-in. Signed-out (or revoked) visitors go to /login, to come back to the page they asked for;
 * the role comes from the church's database.
 */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const viewer = await getViewer().catch((err: unknown) => {
    // Suspended, moving or being upgraded: a maintenance page rather than the error boundary's "something went wrong".
    const reason = unavailableReason((err as { cause?: unknown } | null)?.cause);
    if (reason === 'maintenance' || reason === 'upgrading') return { maintenance: (err as Error).message };
    throw err;
  });
  if (!viewer) redirect(await loginUrl());
  if ('maintenance' in viewer) return <Maintenance message={viewer.maintenance} />;
  await Promise.all([
    prefetch(trpc.conversations.list.queryOptions(unreadBadgeInput)), // the menu's badge: no shift when it arrives
    // The owner's trial badge, likewise.
    can(viewer.role, 'billing.manage') ? prefetch(trpc.billing.status.queryOptions()) : null,
  ]);
  return (
    <HydrateClient>
      <AppShell viewer={viewer}>{children}</AppShell>
    </HydrateClient>
  );
}
