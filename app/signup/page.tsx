import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthFrame } from '../_components/ui';
import { getViewer } from '../_lib/viewer';
import { SignupWizard } from './wizard';

export const metadata: Metadata = { title: 'Create your workspace' };

/** Signed-in visitors already have a workspace: they go to it. */
export default async function SignupPage() {
  const viewer = await getViewer().catch(() => null);
  if (viewer) redirect('/dashboard');
  return (
    <AuthFrame wide>
      <SignupWizard />
    </AuthFrame>
  );
}
