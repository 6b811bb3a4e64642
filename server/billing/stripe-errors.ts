import { Precondition, TryAgain } from '@/server/domain-errors';
import { log } from '@/server/log';

/**
 * What the owner is told when Stripe does not open Checkout or the portal: whether to try again soon or to tell
 * whoever runs the server, and always that nothing was charged (no page of Stripe's was reached). The detail goes to
 * the log; Stripe's own message can name ids and settings, so it never reaches the page.
 */
export const UNREACHABLE_MESSAGE =
  'We could not reach our payment provider. Try again in a few minutes; nothing was charged.';

type StripeErrorLike = { type?: string; code?: string; param?: string; statusCode?: number; requestId?: string };

/** Stripe could not be reached, timed out, or answered 5xx or 429: it may work in a few minutes. */
export function isStripeUnreachable(err: unknown): boolean {
  const type = (err as StripeErrorLike | null)?.type;
  return type === 'StripeConnectionError' || type === 'StripeAPIError' || type === 'StripeRateLimitError';
}

const isStripeError = (err: unknown) => /^Stripe\w*Error$/.test((err as StripeErrorLike | null)?.type ?? '');

/**
 * Turn a Stripe failure while opening `page` into the owner's words (TryAgain or Precondition), logging it; anything
 * that is not Stripe's (the registry, a bug) is returned as it is.
 */
export function explainStripeFailure(err: unknown, page: 'Checkout' | 'Billing management', tenantId: string) {
  if (!isStripeError(err)) return err;
  const e = err as StripeErrorLike;
  const detail = { tenantId, err, stripeType: e.type, stripeCode: e.code, param: e.param, requestId: e.requestId };
  if (isStripeUnreachable(err)) {
    log.warn(`stripe unreachable: ${page} not opened`, detail);
    return new TryAgain(UNREACHABLE_MESSAGE);
  }
  log.error(`stripe refused: ${page} not opened`, detail);
  return new Precondition(refusalMessage(e, page));
}

function refusalMessage(e: StripeErrorLike, page: string): string {
  const tail = 'Nothing was charged. Please tell whoever runs your Steeple server; the details are in its log.';
  if (e.type === 'StripeAuthenticationError' || e.type === 'StripePermissionError')
    return `${page} could not open: our payment provider did not accept this server’s billing key. ${tail}`;
  if (e.code === 'resource_missing' && /customer/.test(e.param ?? ''))
    return `${page} could not open: our payment provider no longer has your church’s billing record. ${tail}`;
  if (e.code === 'resource_missing' && /price/.test(e.param ?? ''))
    return `${page} could not open: the plan this server offers no longer exists at our payment provider. ${tail}`;
  return `${page} could not open: our payment provider turned down this server’s billing setup. ${tail}`;
}
