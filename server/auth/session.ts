import { decode } from 'next-auth/jwt';
import { z } from 'zod';
import type { Services } from '@/server/services';

/** The claims a Steeple session token must carry. */
export const sessionClaims = z.object({
  tenantId: z.string().uuid(),
  adminId: z.string().uuid(),
  sessionId: z.string().min(10),
  sessionExpiresAt: z.number(),
});
export type Session = Omit<z.infer<typeof sessionClaims>, 'sessionExpiresAt'>;

/** next-auth's cookie name: the __Secure- prefix applies when the app is served over https. */
export const sessionCookieName = (services: Services) =>
  services.config.NEXTAUTH_URL?.startsWith('https://') ? '__Secure-next-auth.session-token' : 'next-auth.session-token';

/** Decode and check a session cookie: valid signature, unexpired, the claims we need, and not revoked. */
export async function readSession(services: Services, cookie: string | undefined): Promise<Session | null> {
  return sessionOf(services, await signedClaims(services, cookie));
}

/** Claims already checked by signedClaims, if they were not revoked since. */
export async function sessionOf(services: Services, claims: SessionClaims | null): Promise<Session | null> {
  if (!claims) return null;
  await services.sessions.start();
  const { tenantId, adminId, sessionId } = claims;
  return services.sessions.isRevoked(sessionId) ? null : { tenantId, adminId, sessionId };
}

type SessionClaims = z.infer<typeof sessionClaims>;

/** A validly signed, unexpired session token's claims, without asking whether it was revoked (no database). */
async function signedClaims(services: Services, cookie: string | undefined): Promise<SessionClaims | null> {
  if (!cookie) return null;
  const token = await decode({ token: cookie, secret: services.config.NEXTAUTH_SECRET }).catch(() => null);
  const claims = sessionClaims.safeParse(token);
  // next-auth re-issues the cookie with a fresh exp on every session fetch; the session itself ends when its
  // record does.
  return claims.success && Date.now() < claims.data.sessionExpiresAt ? claims.data : null;
}

/** From a request's Cookie header. */
export async function readRequestSession(services: Services, req: Request) {
  return sessionOf(services, await requestClaims(services, req));
}

/** A request's signed, unexpired claims, decoded once: enough to size its body limit, then `sessionOf` for the rest. */
export function requestClaims(services: Services, req: Request) {
  return signedClaims(services, sessionCookie(services, req));
}

function sessionCookie(services: Services, req: Request) {
  const name = sessionCookieName(services);
  const cookie = req.headers
    .get('cookie')
    ?.split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === name);
  return cookie ? decodedOrNothing(cookie.slice(1).join('=')) : undefined;
}

/** A cookie value that is not valid percent-encoding is nobody's session (not a 500). */
function decodedOrNothing(value: string) {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
