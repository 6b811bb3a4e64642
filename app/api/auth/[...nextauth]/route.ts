import NextAuth from 'next-auth';
import { authOptions } from '@/server/auth/next-auth';

// Sign-in, sign-out and the session cookie. Options are built per request so the build needs no secrets.
function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(req as never, ctx as never, authOptions());
}

export { handler as GET, handler as POST };
