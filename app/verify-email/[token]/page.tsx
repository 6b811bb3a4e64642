import type { Metadata } from 'next';
import { AuthFrame } from '../../_components/ui';
import { VerifyEmail } from './verify-email';

export const metadata: Metadata = { title: 'Verify your email', referrer: 'no-referrer' };

export default async function VerifyEmailPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <AuthFrame>
      <VerifyEmail token={token} />
    </AuthFrame>
  );
}
