'use client';

import { useHydrated } from './use-browser';

/**
 * A date as the reader expects it: in their browser's timezone and language, which the server cannot know. Pages now
 * arrive with their data, so the server render and hydration leave the text out (they would disagree with the
 * browser), and it appears as soon as the page is hydrated. Lines keep their height, so nothing moves.
 */
export function LocalTime({
  value,
  format,
  title,
}: {
  value: Date | string;
  format: (value: Date | string) => string;
  /** A longer form for the tooltip. */
  title?: (value: Date | string) => string;
}) {
  const hydrated = useHydrated();
  return (
    <time dateTime={new Date(value).toISOString()} title={hydrated && title ? title(value) : undefined}>
      {hydrated ? format(value) : ''}
    </time>
  );
}
