import type { Metadata } from 'next';
import { AuthFrame } from '../../_components/ui';
import { AcceptInvitation } from './accept';

export const metadata: Metadata = { title: 'Join your team' };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <AuthFrame>
      <AcceptInvitation token={token} />
    </AuthFrame>
  );
}
