import { errorKind } from '@/server/errors';
import type { TenantRoute } from './resolver';

/**
 * Who may use a church's database, by its status and schema version. The connection manager applies `forUsers` unless
 * a caller names another gate, so a new code path is refused for a suspended or not-yet-migrated church by default.
 */
export type Unavailable = 'provisioning' | 'maintenance' | 'upgrading' | 'closed' | 'gone';

class ChurchUnavailableError extends errorKind('ChurchUnavailable') {
  constructor(readonly reason: Unavailable) {
    super(`church unavailable: ${reason}`);
  }
}

/** The reason carried by a ChurchUnavailableError from any bundle (see server/errors.ts), or null. */
export const unavailableReason = (err: unknown): Unavailable | null =>
  ChurchUnavailableError.is(err) ? err.reason : null;

export type Gate = (route: TenantRoute) => void;

/** A gate that admits churches in one of `statuses` whose database has every migration this build needs. */
const admitting =
  (statuses: TenantRoute['status'][]) =>
  (requiredVersion: number): Gate =>
  (route) => {
    if (!statuses.includes(route.status)) throw new ChurchUnavailableError(reasonFor(route.status));
    if (route.schemaVersion < requiredVersion) throw new ChurchUnavailableError('upgrading');
  };

/** Its admins, its jobs: an active church, migrated. */
export const forUsers = admitting(['active']);

/** Inbound texts are still stored while a church is suspended or closed; a move or an upgrade answers 503 (retried). */
export const forInbound = admitting(['active', 'suspended', 'closed']);

/** True when `gate` admits `route`. */
export function admits(gate: Gate, route: TenantRoute): boolean {
  try {
    gate(route);
    return true;
  } catch (err) {
    if (ChurchUnavailableError.is(err)) return false;
    throw err;
  }
}

/** Provisioning works on a church before it is active. */
export const anyStatus: Gate = () => {};

function reasonFor(status: TenantRoute['status']): Unavailable {
  if (status === 'provisioning') return 'provisioning';
  if (status === 'suspended' || status === 'moving') return 'maintenance';
  if (status === 'closed') return 'closed';
  return 'gone';
}

/** What an admin is told; never which database, server or registry row is involved. */
export const UNAVAILABLE_MESSAGES: Record<Unavailable, string> = {
  provisioning: 'Your workspace is still being set up. Try again in a moment.',
  maintenance: 'Your workspace is down for maintenance. Please try again in a few minutes.',
  upgrading: 'Your workspace is being upgraded. Please try again in a few minutes.',
  closed: 'This workspace has been closed. Contact Steeple support if you want it back.',
  gone: 'This workspace is not available.',
};
