'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { TOUCH } from './display';
import { useInboxHref } from './use-inbox-href';
import { errorMessage } from '../../_components/errors';
import { Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useInboxRefresh } from './use-inbox-refresh';

/**
 * Close (done: out of the open inbox until they text again) or reopen, and mark unread. Marking unread leaves the
 * thread, since looking at it marks it read again.
 */
export function ThreadActions({
  conversationId,
  closedAt,
  lastMessageAt,
  onLeaving,
}: {
  conversationId: string;
  closedAt: Date | null;
  lastMessageAt: Date | null;
  /** The thread stops polling and marking itself read while this is true. */
  onLeaving: (leaving: boolean) => void;
}) {
  const trpc = useTRPC();
  const refresh = useInboxRefresh();
  const router = useRouter();
  const inboxHref = useInboxHref();
  const setClosed = useMutation(
    trpc.conversations.setClosed.mutationOptions({ onSettled: () => void refresh(conversationId) }),
  );
  const markUnread = useMutation(
    trpc.conversations.markUnread.mutationOptions({
      onMutate: () => onLeaving(true),
      onError: () => onLeaving(false),
      onSuccess: () => {
        router.push(inboxHref()); // back to the list, as it was filtered
        void refresh();
      },
    }),
  );
  const closed = !!closedAt;
  const error = setClosed.error ?? markUnread.error;
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          size="sm"
          className={TOUCH}
          disabled={setClosed.isPending}
          // The latest message shown goes along: one that arrived since stops the close.
          onClick={() => setClosed.mutate({ id: conversationId, closed: !closed, seenLastMessageAt: lastMessageAt })}
        >
          {closed ? 'Reopen' : 'Close conversation'}
        </Button>
        <Button
          variant="secondary"
          size="sm"
          className={TOUCH}
          disabled={markUnread.isPending}
          onClick={() => markUnread.mutate({ id: conversationId })}
        >
          Mark as unread
        </Button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {errorMessage(error)}
        </p>
      )}
    </div>
  );
}
