import type { Metadata } from 'next';
import { AuthFrame } from '../../_components/ui';
import { ResetPasswordForm } from './reset-form';

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <AuthFrame>
      <ResetPasswordForm token={token} />
    </AuthFrame>
  );
}
