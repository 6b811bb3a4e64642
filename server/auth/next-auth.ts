import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { clientAddress } from '@/server/http/client-address';
import { log } from '@/server/log';
import { getServices } from '@/server/services';
import { SigninError, signInWithPassword, signInWithTicket, type SignedIn } from './signin';
import { sessionClaims } from './session';

/**
 * next-auth v4: credentials in, a JWT session cookie out. The token carries the church id, admin id and a session
 * id that can be revoked; the role is read from the church's database on every request, never trusted from here.
 */
export function authOptions(): AuthOptions {
  const { config } = getServices();
  return {
    secret: config.NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: config.SESSION_MAX_AGE_HOURS * 3600 },
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        credentials: {
          email: { label: 'Email', type: 'email' },
          password: { label: 'Password', type: 'password' },
          code: { label: 'Two-factor code', type: 'text' },
        },
        authorize: (credentials, req) =>
          toUser(() => signInWithPassword(getServices(), credentials, requestAddress(req.headers))),
      }),
      CredentialsProvider({
        id: 'signup-ticket',
        credentials: { ticket: { type: 'text' } },
        authorize: (credentials, req) =>
          toUser(() => signInWithTicket(getServices(), credentials?.ticket, requestAddress(req.headers))),
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) Object.assign(token, sessionClaims.parse(user));
        return token;
      },
      // The browser sees a name and an email, nothing about where its church lives.
      session({ session, token }) {
        session.user = { name: token.name, email: token.email };
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        const claims = sessionClaims.safeParse(token);
        if (claims.success) await getServices().sessions.revokeSession(claims.data.sessionId);
      },
    },
  };
}

async function toUser(signIn: () => Promise<SignedIn>) {
  try {
    const s = await signIn();
    return {
      id: s.adminId,
      name: s.name,
      email: s.email,
      tenantId: s.tenantId,
      adminId: s.adminId,
      sessionId: s.sessionId,
      sessionExpiresAt: s.sessionExpiresAt,
    };
  } catch (err) {
    if (SigninError.is(err)) throw err; // next-auth hands this message to the sign-in form
    log.error('sign-in failed unexpectedly', { err });
    throw new Error('We could not sign you in right now. Please try again.');
  }
}

/** The client's address by this deployment's proxy settings (see server/http/client-address.ts). */
export const requestAddress = (headers: Parameters<typeof clientAddress>[0]) =>
  clientAddress(headers, getServices().config.TRUST_PROXY_HOPS);
