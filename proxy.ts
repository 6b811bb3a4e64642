import { NextResponse, type NextRequest } from 'next/server';

/**
 * Tells the pages behind sign-in which address was asked for (a layout cannot see its own URL), so a signed-out
 * visitor is sent to /login with it as the callbackUrl: app/(app)/layout.tsx reads it from `x-steeple-path`.
 * Any value the client sent under that name is overwritten.
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set('x-steeple-path', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.next({ request: { headers } });
}

// Not the API, Next's own files, files (public/: a dot in the path), the home page, nor the pages open to everyone.
export const config = {
  matcher: ['/((?!api|_next|c/|invite|login|signup|onboarding|.*\\..*).+)'],
};
