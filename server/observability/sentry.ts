import type { ErrorEvent } from '@sentry/node';

/**
 * Optional error reporting: with SENTRY_DSN set, `log.error` with an Error also goes to Sentry, tagged with the
 * request's id, church and procedure. Errors only: no tracing, no default integrations (they would patch http and
 * the console), no personal data collected, and request bodies, cookies and credentials stripped before sending.
 */
type Capture = (err: Error, tags: Record<string, string>, message: string) => void;

// Once per process, however many times Next.js bundled this module.
const holder = globalThis as unknown as {
  __steepleSentryInit?: Promise<void>;
  __steepleSentryCapture?: Capture;
  __steepleSentryFlush?: (ms: number) => Promise<boolean>;
};

export function initSentry(dsn: string | undefined): Promise<void> {
  if (!dsn) return Promise.resolve();
  holder.__steepleSentryInit ??= start(dsn);
  return holder.__steepleSentryInit;
}

async function start(dsn: string) {
  // Loaded only when configured, so processes without a DSN never pay for the SDK.
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn,
    // SDK 11's replacement for `sendDefaultPii: false`: no user, cookies, headers, bodies, query strings or variables.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      stackFrameVariables: false,
      databaseQueryData: false,
      queues: false,
    },
    defaultIntegrations: false,
    // No tracing: no span streaming, and no module-loader hook that patches libraries for spans.
    traceLifecycle: 'static',
    enableRuntimeChannelInjection: false,
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.dedupeIntegration()],
    beforeSend: scrub,
  });
  holder.__steepleSentryCapture = (err, tags, message) =>
    void Sentry.captureException(err, { tags, extra: { log: message } });
  holder.__steepleSentryFlush = (ms) => Sentry.flush(ms);
}

/** Wait (at most `ms`) until reported errors have been sent; at once when Sentry is not configured. */
export async function flushErrors(ms: number) {
  await holder.__steepleSentryFlush?.(ms);
}

/** Report an error logged by the server; does nothing unless Sentry is configured. */
export function reportError(err: Error, tags: Record<string, string>, message: string) {
  holder.__steepleSentryCapture?.(err, tags, message);
}

const SECRET_HEADERS = new Set([
  'cookie',
  'set-cookie',
  'authorization',
  'proxy-authorization',
  'stripe-signature',
  'telnyx-signature-ed25519',
]);

/** Bodies, cookies, query strings and credential headers never leave the process. */
function scrub(event: ErrorEvent): ErrorEvent {
  if (event.request) {
    const { data: _data, cookies: _cookies, query_string: _query, headers, ...rest } = event.request;
    const safe =
      headers && Object.fromEntries(Object.entries(headers).filter(([k]) => !SECRET_HEADERS.has(k.toLowerCase())));
    event.request = { ...rest, ...(safe && { headers: safe }) };
  }
  return event;
}
