import { errorKind } from './errors';

/**
 * What a domain module (members, team, onboarding, billing…) throws when a request cannot be done, with the message
 * the person sees. They know nothing of tRPC: `errorBoundary` in server/trpc.ts maps each to its code in one place
 * (NOT_FOUND, CONFLICT, BAD_REQUEST, FORBIDDEN, TOO_MANY_REQUESTS, PRECONDITION_FAILED, SERVICE_UNAVAILABLE).
 */
export class NotFound extends errorKind('NotFound') {}

export class Conflict extends errorKind('Conflict') {}

/** Bad input the schema could not catch (it needs the database). `field`: the form field to show it beside. */
export class Invalid extends errorKind('Invalid') {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class Forbidden extends errorKind('Forbidden') {}

/** A limit of the plan reached (the trial's daily texts): try again later, or upgrade. */
export class LimitReached extends errorKind('LimitReached') {}

/**
 * The state does not allow it (no sending number yet, a member who replied STOP): PRECONDITION_FAILED. `link`: the
 * page where the person can change that state (shown with the message).
 */
export class Precondition extends errorKind('Precondition') {
  constructor(
    message: string,
    readonly link?: string,
  ) {
    super(message);
  }
}

/** Allowed, but only once the person confirms it (a text inside quiet hours): CONFLICT, with the question to ask. */
export class NeedsConfirmation extends errorKind('NeedsConfirmation') {}

/** A service we depend on did not do its part this time (Stripe, the webhook): try again in a moment. */
export class TryAgain extends errorKind('TryAgain') {}
