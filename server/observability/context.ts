import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What a log line or an error report should say about the request it belongs to. Filled in as the request is
 * understood: the route sets the request id, the tenant is known after the session (or the webhook's routing),
 * the procedure once tRPC has picked it.
 */
/** `ip`: the client's address (server/http/client-address.ts), so every log line of a request says who sent it. */
export type RequestContext = { requestId?: string; ip?: string; tenantId?: string; procedure?: string };

// One store per process: Next.js may bundle this module more than once, and every copy must see the same context.
const holder = globalThis as unknown as { __steepleContext?: AsyncLocalStorage<RequestContext> };
const storage = (holder.__steepleContext ??= new AsyncLocalStorage<RequestContext>());

/** Run `fn` in a context of its own that starts with the current one's fields and `ctx`. */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...ctx }, fn);
}

/** Add what has just been learnt (the church, the procedure) to the current context; outside one, nothing. */
export function setContextFields(fields: Pick<RequestContext, 'tenantId' | 'procedure'>) {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function currentContext(): Readonly<RequestContext> | undefined {
  return storage.getStore();
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's x-request-id when it is safe to echo and log, otherwise a fresh one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get('x-request-id');
  return given && SAFE_ID.test(given) ? given : randomUUID();
}
