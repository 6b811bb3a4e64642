import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { safeCallbackUrl } from '../_components/errors';
import { AuthFrame } from '../_components/ui';
import { getViewer } from '../_lib/viewer';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Signed-in visitors go straight on; everyone else gets the form. */
export default async function LoginPage({ searchParams }: Props) {
  const { callbackUrl } = await searchParams;
  const callback = typeof callbackUrl === 'string' ? callbackUrl : undefined;
  const viewer = await getViewer().catch(() => null);
  if (viewer) redirect(safeCallbackUrl(callback));
  return (
    <AuthFrame>
      <LoginForm callbackUrl={callback} />
    </AuthFrame>
  );
}
