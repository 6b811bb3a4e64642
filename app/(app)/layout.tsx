import { redirect } from 'next/navigation';
import { getViewer } from '../_lib/viewer';
import { AppShell } from './app-shell';

/** Everything behind sign-in. Signed-out (or revoked) visitors go to /login; the role comes from the church's database. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const viewer = await getViewer();
  if (!viewer) redirect('/login');
  return <AppShell viewer={viewer}>{children}</AppShell>;
}
