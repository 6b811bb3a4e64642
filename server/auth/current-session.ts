import { cookies } from 'next/headers';
import { getServices } from '@/server/services';
import { readSession, sessionCookieName } from './session';

/** The signed-in session for a server component or route (null when signed out, expired or revoked). */
export async function currentSession() {
  const services = getServices();
  const cookie = (await cookies()).get(sessionCookieName(services))?.value;
  return readSession(services, cookie);
}
