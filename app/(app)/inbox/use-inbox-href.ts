'use client';

import { useSearchParams } from 'next/navigation';
import { useCallback } from 'react';
import { inboxHref } from './inbox-url';

/** inboxHref for the URL the page is showing: a link that keeps the list's filters and search. */
export function useInboxHref() {
  const params = useSearchParams();
  return useCallback((open: Record<string, string> = {}) => inboxHref(params, open), [params]);
}
