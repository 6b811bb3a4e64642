import { decode } from 'next-auth/jwt';
import { z } from 'zod';
import type { Services } from '@/server/services';

/** The claims a Steeple session token must carry. */
export const sessionClaims = z.object({ tenantId: z.string().uuid(), adminId: z.string().uuid(), sessionId: z.string().min(10), sessionExpiresAt: z.number() });
export type Session = Omit<z.infer<typeof sessionClaims>, 'sessionExpiresAt'>;

/** next-auth's cookie name: the __Secure- prefix applies when the app is served over https. */
export const sessionCookieName = (services: Services) =>
  services.config.NEXTAUTH_URL?.startsWith('https://') ? '__Secure-next-auth.session-token' : 'next-auth.session-token';

/** Decode and check a session cookie: valid signature, unexpired, the claims we need, and not revoked. */
export async function readSession(services: Services, cookie: string | undefined): Promise<Session | null> {
  if (!cookie) return null;
  const token = await decode({ token: cookie, secret: services.config.NEXTAUTH_SECRET }).catch(() => null);
  const claims = sessionClaims.safeParse(token);
  if (!claims.success) return null;
  // next-auth re-issues the cookie with a fresh exp on every session fetch; the session itself ends when its record does.
  if (Date.now() >= claims.data.sessionExpiresAt) return null;
  await services.sessions.start();
  const { tenantId, adminId, sessionId } = claims.data;
  return services.sessions.isRevoked(sessionId) ? null : { tenantId, adminId, sessionId };
}

/** From a request's Cookie header. */
export function readRequestSession(services: Services, req: Request) {
  const name = sessionCookieName(services);
  const cookie = req.headers
    .get('cookie')
    ?.split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === name);
  return readSession(services, cookie ? decodedOrNothing(cookie.slice(1).join('=')) : undefined);
}

/** A cookie value that is not valid percent-encoding is nobody's session (not a 500). */
function decodedOrNothing(value: string) {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
