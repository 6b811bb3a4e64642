'use client';

import { skipToken, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage } from '../../../_components/errors';
import { Alert, Loading } from '../../../_components/ui';
import { useTRPC } from '../../../trpc';
import { THREAD_PAGE, threadInput } from '../../first-queries';
import { MessageList } from '../../inbox/message-list';
import { NoteBox } from '../../inbox/note-box';
import { NoteCard } from '../../inbox/note-card';

/** Slower than the inbox's two seconds: this page is for reading about someone, the inbox for answering. */
const POLL_MS = 10_000;

const LINK =
  'inline-flex min-h-11 items-center font-medium text-brand-600 underline-offset-2 hover:underline sm:min-h-0';

/** Their conversation's latest messages and notes (the inbox's own query, so a note added here shows there too). */
function useThread(conversationId: string | null) {
  const trpc = useTRPC();
  return useQuery(
    trpc.conversations.get.queryOptions(conversationId ? threadInput(conversationId) : skipToken, {
      refetchInterval: POLL_MS,
    }),
  );
}

/** The latest texts with them, as the inbox shows them; answering happens in the inbox. */
export function MemberConversation({
  conversationId,
  name,
  textHref,
}: {
  conversationId: string | null;
  name: string;
  textHref: string;
}) {
  const thread = useThread(conversationId);
  if (!conversationId)
    return (
      <p className="text-sm text-slate-600">
        No texts with {name} yet.{' '}
        <Link href={textHref} className={LINK}>
          Send the first one
        </Link>
      </p>
    );
  if (thread.isPending) return <Loading label="Loading the conversation…" />;
  if (thread.error) return <Alert>{errorMessage(thread.error)}</Alert>;
  const { messages, olderCursor } = thread.data;
  return (
    <div className="space-y-3">
      <div className="-mx-5 border-y border-slate-100 bg-slate-50/60 sm:-mx-6">
        {/* Notes have their own section on this page. */}
        <MessageList messages={messages} notes={[]} memberName={name} />
      </div>
      <p className="text-sm text-slate-600">
        {olderCursor ? `The latest ${THREAD_PAGE} texts. ` : ''}
        <Link href={textHref} className={LINK}>
          Reply in the inbox
        </Link>
      </p>
    </div>
  );
}

/** The team's notes in their conversation, newest first, and a box to add one. */
export function MemberNotes({ conversationId }: { conversationId: string | null }) {
  const thread = useThread(conversationId);
  if (!conversationId)
    return <p className="text-sm text-slate-600">Notes can be added once they have a conversation.</p>;
  if (thread.isPending) return <Loading label="Loading notes…" />;
  if (thread.error) return <Alert>{errorMessage(thread.error)}</Alert>;
  const notes = [...thread.data.notes].reverse();
  return (
    <div className="space-y-4">
      {notes.length ? (
        <ol aria-label="Notes" className="space-y-3" data-testid="member-notes">
          {notes.map((n) => (
            <NoteCard key={n.id} note={n} />
          ))}
        </ol>
      ) : (
        <p className="text-sm text-slate-600">No notes yet.</p>
      )}
      <NoteBox conversationId={conversationId} />
    </div>
  );
}
