/** Turn whatever a tRPC call threw into something a person can read; codes let pages react to specific refusals. */
type MaybeTrpcError = {
  message?: string;
  data?: {
    code?: string;
    zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null;
    link?: string | null;
  } | null;
};

export function errorCode(err: unknown): string | undefined {
  return (err as MaybeTrpcError | null)?.data?.code;
}

/**
 * The page where the person can fix what a refusal names ('/get-ready', '/settings#phone-numbers'), when it names one.
 * Only a same-origin path is returned, so it is safe to link to.
 */
export function errorLink(err: unknown): string | undefined {
  const link = (err as MaybeTrpcError | null)?.data?.link;
  return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') ? link : undefined;
}

export function errorMessage(err: unknown): string {
  if (!err) return '';
  const e = err as MaybeTrpcError;
  // No data means the request never got a tRPC answer (offline, server restarting).
  if (!e.data) return 'We could not reach Steeple. Check your connection and try again.';
  return e.message || 'Something went wrong. Please try again.';
}

/** Server-side validation errors, per field (the server flattens zod errors). */
export function fieldErrors(err: unknown): Record<string, string | undefined> {
  const fields = (err as MaybeTrpcError | null)?.data?.zodError?.fieldErrors ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v?.[0]]));
}

/** zod's per-field messages, first one per field, from a failed safeParse. */
export function firstIssues(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '');
    if (key && !(key in out)) out[key] = issue.message;
  }
  return out;
}

/**
 * Only same-origin paths are followed after sign-in (never "//evil.example", "/\\evil.example" or another host).
 * An absolute URL is accepted when its origin is `origin` (next-auth writes callback URLs in full).
 */
export function safeCallbackUrl(raw: string | null | undefined, origin?: string, fallback = '/dashboard'): string {
  if (!raw) return fallback;
  let path = raw;
  if (origin && /^https?:\/\//i.test(raw)) {
    try {
      const url = new URL(raw);
      if (url.origin !== origin) return fallback;
      path = `${url.pathname}${url.search}${url.hash}`;
    } catch {
      return fallback;
    }
  }
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\') || /[\u0000-\u001f\\]/.test(path))
    return fallback;
  if (/^\/(login|signup|onboarding|invite|forgot-password|reset-password|api)(\/|\?|#|$)/.test(path)) return fallback;
  return path;
}

/**
 * After a sign-in, drop whatever an earlier session left in the query cache (a revoked session reaches /login by a
 * client-side redirect, so the cache survives), leaving the queries the current page is still showing alone.
 */
export function forgetOtherSessions(queryClient: {
  removeQueries: (filters: { predicate: (q: { getObserversCount: () => number }) => boolean }) => void;
}) {
  queryClient.removeQueries({ predicate: (q) => q.getObserversCount() === 0 });
}
