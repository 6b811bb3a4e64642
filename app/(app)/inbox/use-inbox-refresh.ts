'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../../trpc';

/**
 * After anything changes a thread (a send, a simulated reply, marking it read): the thread and every conversation
 * list (the inbox's pages and the menu's unread badge) fetch again now rather than at their next poll.
 */
export function useInboxRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return (conversationId?: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.conversations.list.pathKey() }),
      conversationId
        ? queryClient.invalidateQueries({ queryKey: trpc.conversations.get.queryKey({ id: conversationId }) })
        : null,
      queryClient.invalidateQueries({ queryKey: trpc.dashboard.summary.queryKey() }),
    ]);
}
