'use client';

import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { formatPhone } from '@/server/messaging/phone';
import { useTRPC } from '../trpc';

/**
 * Phone numbers as the church reads them: national format for its own country, international otherwise. The
 * country rarely changes, so the profile is read once every few minutes; until it arrives numbers are international.
 */
export function usePhoneFormat(): (e164: string) => string {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.church.profile.queryOptions(undefined, { staleTime: 300_000 }));
  const country = data?.church.country ?? '';
  return useCallback((e164: string) => formatPhone(e164, country), [country]);
}
