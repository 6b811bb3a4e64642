import type { RouterOutputs } from '../../_lib/router-types';

/** What the "Get ready to text" page reads: the church's numbers, each path's registration, and the prefilled form. */
export type Overview = RouterOutputs['registration']['get'];
export type RegistrationPath = Overview['paths'][number];
export type OwnedNumber = Overview['numbers'][number];

/**
 * Where one path (10DLC or toll-free) stands. `new`: never sent. `reviewing`: with the carriers. `rejected`: turned
 * down, waiting for the church's corrections. `attaching`: approved, local numbers still going onto the campaign.
 * `unverified`: toll-free approved, but a number bought since needs a verification of its own. `done`: approved, and
 * every number of its kind registered.
 */
export type PathState = 'new' | 'reviewing' | 'rejected' | 'attaching' | 'unverified' | 'done';

export const numbersOf = (overview: Pick<Overview, 'numbers'>, kind: RegistrationPath['kind']) =>
  overview.numbers.filter((n) => n.active && n.kind === kind);

export function pathState(path: RegistrationPath, numbers: OwnedNumber[]): PathState {
  const reg = path.registration;
  if (!reg) return 'new';
  if (reg.status === 'submitted') return 'reviewing';
  if (reg.status === 'rejected') return 'rejected';
  if (numbers.every((n) => !n.active || n.kind !== path.kind || n.registered)) return 'done';
  // Local numbers go onto the approved campaign by themselves; a toll-free one bought later must be submitted.
  return path.kind === '10dlc' ? 'attaching' : 'unverified';
}

/** Something will change without the owner doing anything: look again every 2 s while it does. */
export function awaitingCarriers(overview: Overview): boolean {
  return overview.paths.some((p) => {
    const state = pathState(p, overview.numbers);
    return state === 'reviewing' || state === 'attaching';
  });
}

/** Every active number the church bought is registered (and it has one): texts to US numbers can go out. */
export const allRegistered = (numbers: OwnedNumber[]) => {
  const active = numbers.filter((n) => n.active);
  return active.length > 0 && active.every((n) => n.registered);
};
