'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../../trpc';

/** Reloads the team list after a change. */
export function useRefreshTeam() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.team.list.queryKey() });
}
