/**
 * The tRPC entry point: how a request's context is built and which kinds of procedure exist.
 * Routers live in server/routers/, one per domain; add a procedure there with the narrowest base below.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError, ZodRealError } from 'zod';
import { eq, sql } from 'drizzle-orm';
import { admins, teamSecurity } from '@/db/tenant/schema';
import type { Session } from './auth/session';
import { TooManyAttemptsError } from './auth/throttle';
import { READ_ONLY_MESSAGE } from './billing/access';
import { can, type Action } from './auth/permissions';
import { log } from './log';
import { runWithContext, setContextFields } from './observability/context';
import { timeRequest } from './observability/metrics';
import { getServices, type Services } from './services';
import { ConnectionBudgetError } from './tenancy/connection-budget';
import { TenantNotFoundError } from './tenancy/connection-manager';
import { UNAVAILABLE_MESSAGES, unavailableReason, type Unavailable } from './tenancy/availability';
import { hasUnstorableText } from './inputs';
import {
  Conflict,
  Forbidden,
  Invalid,
  LimitReached,
  NeedsConfirmation,
  NotFound,
  Precondition,
  TryAgain,
} from './domain-errors';
import { isDatabaseOutage, RegistryUnavailableError } from './registry';

// ---------------------------------------------------------------------------------------------
// 1. Context. The session cookie is the only source of the caller's church: no procedure takes a
//    church id from input, URL or header. The route handler reads the cookie (requestClaims, sessionOf).
// ---------------------------------------------------------------------------------------------
export type { Session };

export function createContext(opts: { session: Session | null; services?: Services; ip?: string }) {
  return { services: opts.services ?? getServices(), session: opts.session, ip: opts.ip ?? 'unknown' };
}
export type Context = ReturnType<typeof createContext>;

// ---------------------------------------------------------------------------------------------
// 2. One error shape. Validation errors are flattened per field; anything unexpected becomes a
//    plain message (the detail goes to the server log), so internals never reach the browser.
// ---------------------------------------------------------------------------------------------
const GENERIC = 'Something went wrong on our side. Please try again.';

/**
 * Per-procedure settings. `readOnlyOk`: a write still allowed while the church is read-only (billing, password).
 * `permission`: set by permittedProcedure, so the action a procedure needs can be read off the router (tests do).
 * `twoFactorSetupOk`: callable by an admin who must still set up the two-factor sign-in their church requires.
 */
export type Meta = { readOnlyOk?: boolean; permission?: Action; twoFactorSetupOk?: boolean };

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const zodError = error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
      const message = zodError
        ? 'Please check the highlighted fields.'
        : error.code === 'INTERNAL_SERVER_ERROR'
          ? GENERIC
          : shape.message;
      // A refusal that names where to fix it (Precondition's link) carries the page's path.
      const link = Precondition.is(error.cause) ? (error.cause.link ?? null) : null;
      return {
        message,
        code: shape.code,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, zodError, link },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Map domain errors and infrastructure failures to clear, internals-free errors in one place; log the rest in full;
 * time every call.
 */
const errorBoundary = t.middleware(({ next, path, type }) =>
  // A context per call (a batch runs several procedures in one request), so each log line names its procedure.
  runWithContext({ procedure: path }, async () => {
    const done = timeRequest(path, type);
    const result = await next();
    const refused = result.ok ? null : refusal(result.error.cause);
    done(refused?.code ?? (result.ok ? 'ok' : result.error.code));
    if (refused) throw refused;
    if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR')
      log.error('procedure failed', { err: result.error.cause ?? result.error });
    return result;
  }),
);

/** The clear error an infrastructure failure becomes, or null when the error stands as it is. */
function refusal(cause: unknown): TRPCError | null {
  if (RegistryUnavailableError.is(cause) || ConnectionBudgetError.is(cause) || isDatabaseOutage(cause)) {
    log.warn('request refused: service busy or unavailable', { err: cause });
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Steeple is busy right now. Please try again in a moment.',
    });
  }
  if (TooManyAttemptsError.is(cause) || LimitReached.is(cause))
    return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message });
  if (NotFound.is(cause)) return new TRPCError({ code: 'NOT_FOUND', message: cause.message });
  if (Conflict.is(cause) || NeedsConfirmation.is(cause))
    return new TRPCError({ code: 'CONFLICT', message: cause.message });
  if (Forbidden.is(cause)) return new TRPCError({ code: 'FORBIDDEN', message: cause.message });
  if (Precondition.is(cause)) return new TRPCError({ code: 'PRECONDITION_FAILED', message: cause.message, cause });
  if (TryAgain.is(cause)) {
    log.warn('request refused: a service did not answer', { err: cause });
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: cause.message });
  }
  if (Invalid.is(cause)) {
    // One beside its field reaches the page in the shape of an input validation error (see the errorFormatter).
    const field = cause.field
      ? new ZodRealError([{ code: 'custom', path: [cause.field], message: cause.message, input: undefined }])
      : undefined;
    return new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause: field });
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// 3. Procedures.
//    publicProcedure  — anyone (signup, provisioning status).
//    authedProcedure  — a signed-in admin.
//    tenantProcedure  — a signed-in admin of an active church; ctx.db is that church's database.
//                       ctx.admin is the caller's row (id, name, email, role, phone) from that database.
//                       Mutations are refused while the church is read-only (billing), unless .meta({ readOnlyOk }).
//    permittedProcedure(action) — tenantProcedure for the roles server/auth/permissions.ts allows the action.
// ---------------------------------------------------------------------------------------------
/** Text PostgreSQL cannot store (a NUL, a broken surrogate) is a clear 400 here, not a database error later. */
const storableInput = t.middleware(async ({ getRawInput, next }) => {
  if (hasUnstorableText(await getRawInput()))
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message:
        'That text contains characters that cannot be saved (a NUL or a broken character). Remove them and try again.',
    });
  return next();
});

export const publicProcedure = t.procedure.use(errorBoundary).use(storableInput);

const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in.' });
  setContextFields({ tenantId: ctx.session.tenantId }); // every later log line of this call names the church
  return next({ ctx: { ...ctx, session: ctx.session } });
});

export const tenantProcedure = authedProcedure.use(async ({ ctx, next, type, meta }) => {
  const { tenantId, adminId } = ctx.session;
  // The connection manager's gate refuses a church that is not active or not yet migrated (availability.ts).
  const lease = await ctx.services.connections.acquire(tenantId).catch((err) => {
    if (TenantNotFoundError.is(err)) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in again.' });
    const reason = unavailableReason(err);
    throw reason ? churchUnavailable(reason, err) : err;
  });
  try {
    // The role comes from the church's database on every call: a change or a removal takes effect at once.
    const [row] = await lease.db
      .select({
        id: admins.id,
        name: admins.name,
        email: admins.email,
        role: admins.role,
        phone: admins.phone, // their own mobile (auth/mobile.ts): read here, so account.me needs no query for it
        twoFactorMissing: sql<boolean>`${admins.totpEnabledAt} is null and ${requiredByTeam}`,
      })
      .from(admins)
      .where(eq(admins.id, adminId));
    if (!row) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in again.' });
    const { twoFactorMissing, ...admin } = row;
    // The church requires two-factor sign-in: until it is set up, only the setup (and who-am-I) answers.
    if (twoFactorMissing && !meta?.twoFactorSetupOk)
      throw new TRPCError({ code: 'FORBIDDEN', message: TWO_FACTOR_REQUIRED });
    // Access follows the subscription: a read-only church may read, sign in, pay and export, but not write.
    if (type === 'mutation' && !meta?.readOnlyOk && (await ctx.services.access.get(tenantId)).readOnly) {
      throw new TRPCError({ code: 'PAYMENT_REQUIRED', message: READ_ONLY_MESSAGE });
    }
    return await next({ ctx: { ...ctx, db: lease.db, tenantId, admin, twoFactorMissing } });
  } finally {
    lease.release(); // the pool may be evicted again once no procedure holds it
  }
});

/** Read in the same query as the caller's row: one round trip per call, as before. */
const requiredByTeam = sql`coalesce((select ${teamSecurity.requireTwoFactor} from ${teamSecurity} limit 1), false)`;
const TWO_FACTOR_REQUIRED = 'Your church requires two-factor sign-in. Set it up on your Account page first.';

/** A church its admins cannot use right now: maintenance and upgrades are 503 (try again), the rest 403. */
function churchUnavailable(reason: Unavailable, cause?: unknown) {
  const code = reason === 'maintenance' || reason === 'upgrading' ? 'SERVICE_UNAVAILABLE' : 'FORBIDDEN';
  return new TRPCError({ code, message: UNAVAILABLE_MESSAGES[reason], cause });
}

export const permittedProcedure = (action: Action) =>
  tenantProcedure.meta({ permission: action }).use(({ ctx, next }) => {
    if (!can(ctx.admin.role, action))
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role does not allow this.' });
    return next();
  });
