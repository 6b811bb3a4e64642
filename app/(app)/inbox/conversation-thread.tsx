'use client';

import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../_components/errors';
import { Alert, Button, Loading } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { THREAD_PAGE, threadInput } from '../first-queries';
import { memberName, TOUCH } from './display';
import { MessageList } from './message-list';
import { AssignControl } from './assign-control';
import { Composer } from './composer';
import { SimulateReply } from './simulate-reply';
import { ThreadActions } from './thread-actions';
import { ThreadHeader } from './thread-header';
import { useInboxRefresh } from './use-inbox-refresh';

const POLL_MS = 2_000;
/** The server returns at most 200 messages at once; "Show earlier" grows the window up to that. */
const MAX_WINDOW = 200;

/**
 * One conversation, polled so replies and delivery statuses appear as they happen. "Show earlier" widens the
 * window of latest messages rather than chaining cursors, so polling can never open a gap in the history.
 */
export function ConversationThread({
  id,
  focusId,
  canSimulate,
}: {
  id: string;
  /** A message or note opened from a search: the latest MAX_WINDOW are loaded, and it is scrolled to. */
  focusId?: string | null;
  canSimulate: boolean;
}) {
  const trpc = useTRPC();
  const refresh = useInboxRefresh();
  const [limit, setLimit] = useState(THREAD_PAGE);
  // Opened at a message from a search: the whole window at once, so the message is in it if it can be.
  const windowSize = focusId ? MAX_WINDOW : limit;
  // Marking it unread leaves the thread: from then on it neither polls nor marks itself read again.
  const [leaving, setLeaving] = useState(false);
  const thread = useQuery(
    trpc.conversations.get.queryOptions(threadInput(id, windowSize), {
      refetchInterval: leaving ? false : POLL_MS,
      placeholderData: keepPreviousData,
    }),
  );
  useMarkRead(id, leaving ? undefined : thread.data?.conversation);
  const focusShown =
    !!focusId && !!thread.data && [...thread.data.messages, ...thread.data.notes].some((entry) => entry.id === focusId);
  const focusBeyond = !!focusId && !!thread.data && !focusShown && !!thread.data.olderCursor;
  const focusMissing = !!focusId && !!thread.data && !focusShown && !thread.data.olderCursor;

  if (thread.isPending) return <Loading label="Loading the conversation…" />;
  if (thread.error && !thread.data) {
    return (
      <div className="space-y-3">
        <Alert>{errorMessage(thread.error)}</Alert>
        <Link href="/inbox" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline">
          Back to the inbox
        </Link>
      </div>
    );
  }
  const { conversation, member, messages, notes, olderCursor } = thread.data;
  const name = memberName(member);

  return (
    <section aria-labelledby="thread-title" className="rounded-2xl bg-white shadow-sm ring-1 ring-slate-200">
      <ThreadHeader member={member} titleId="thread-title" />
      <div className="flex flex-wrap items-end justify-between gap-3 px-4 pb-3">
        <div className="w-full sm:max-w-xs">
          <AssignControl conversationId={id} assignedAdminId={conversation.assignedAdminId} />
        </div>
        <ThreadActions
          conversationId={id}
          closedAt={conversation.closedAt}
          lastMessageAt={conversation.lastMessageAt}
          onLeaving={setLeaving}
        />
      </div>
      {conversation.closedAt && (
        <p
          role="status"
          className="mx-4 mb-3 rounded-lg bg-slate-100 px-3 py-2 text-sm text-slate-700"
          data-testid="closed-notice"
        >
          Closed. It opens again when {member.firstName} texts, or when you text them.
        </p>
      )}
      <div className="border-y border-slate-100 bg-slate-50/60">
        {olderCursor && (
          <div className="px-4 pt-3 text-center">
            {windowSize < MAX_WINDOW ? (
              <Button
                variant="ghost"
                size="sm"
                className={TOUCH}
                disabled={thread.isFetching}
                onClick={() => setLimit((l) => Math.min(MAX_WINDOW, l + THREAD_PAGE))}
              >
                {thread.isFetching && thread.isPlaceholderData ? 'Loading…' : 'Show earlier messages'}
              </Button>
            ) : (
              <p className="text-xs text-slate-500">Showing the latest {MAX_WINDOW} messages.</p>
            )}
          </div>
        )}
        {(focusMissing || focusBeyond) && (
          <p role="status" className="px-4 pt-3 text-center text-xs text-slate-600">
            {focusBeyond
              ? `That message is older than the latest ${MAX_WINDOW} shown here.`
              : 'That message is no longer in this conversation.'}
          </p>
        )}
        <MessageList messages={messages} notes={notes} memberName={name} focusId={focusId} />
      </div>
      {thread.error && (
        <p className="px-4 pt-2 text-xs text-red-700">Could not refresh: {errorMessage(thread.error)}</p>
      )}
      <div className="space-y-4 p-4">
        <Composer conversationId={id} member={member} onSent={() => void refresh(id)} />
        {canSimulate && <SimulateReply conversationId={id} name={name} onDone={() => void refresh(id)} />}
      </div>
    </section>
  );
}

/**
 * Opening a thread marks it read, and so does a new message arriving while it is open (the admin is looking at it).
 * Once per unread state: the poll keeps returning the same counts until the mark lands.
 */
function useMarkRead(id: string, conversation: { unreadCount: number; lastMessageAt: Date | null } | undefined) {
  const trpc = useTRPC();
  const refresh = useInboxRefresh();
  // The list (bold rows, the badge) changes; the thread's messages do not, and its next poll brings the count.
  const markRead = useMutation(trpc.conversations.markRead.mutationOptions({ onSuccess: () => void refresh() }));
  const marked = useRef('');
  const unread = conversation?.unreadCount ?? 0;
  const version = `${unread}:${conversation?.lastMessageAt ? new Date(conversation.lastMessageAt).getTime() : ''}`;
  const { mutate } = markRead;
  useEffect(() => {
    if (unread === 0 || marked.current === version) return;
    marked.current = version;
    mutate({ id });
  }, [id, unread, version, mutate]);
}
