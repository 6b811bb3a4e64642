import { useSyncExternalStore } from 'react';

/**
 * Values only the browser knows (its timezone, its session storage), read during render rather than set from an
 * effect: the server render and hydration use `serverValue`, and React renders again at once with the browser's
 * (useSyncExternalStore's two snapshots), so the two renders never disagree. None of these change while a page is
 * open, hence no subscription. `read` must return the same value each time (a primitive, or a cached object).
 */
export function useBrowserValue<T>(read: () => T, serverValue: T): T {
  return useSyncExternalStore(noSubscription, read, () => serverValue);
}

const noSubscription = () => () => {};

/** False in the server render and during hydration, true afterwards: for text only the browser can write. */
export const useHydrated = () => useBrowserValue(() => true, false);

/** The browser's timezone ("" until hydrated). */
export const useBrowserTimezone = () => useBrowserValue(browserTimezone, '');

const browserTimezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
