'use client';

import { useEffect, useRef } from 'react';
import type { RouterOutputs } from '../../_lib/router-types';
import { entryId } from './display';
import { MessageBubble } from './message-bubble';
import { NoteCard } from './note-card';

type Thread = RouterOutputs['conversations']['get'];
type Entry = { kind: 'message'; item: Thread['messages'][number] } | { kind: 'note'; item: Thread['notes'][number] };

/** Messages and the team's notes in one timeline, oldest first. */
function timeline(messages: Thread['messages'], notes: Thread['notes']): Entry[] {
  const entries: Entry[] = [
    ...messages.map((item) => ({ kind: 'message' as const, item })),
    ...notes.map((item) => ({ kind: 'note' as const, item })),
  ];
  return entries.sort((a, b) => new Date(a.item.createdAt).getTime() - new Date(b.item.createdAt).getTime());
}

/**
 * The messages and notes, oldest first, in a scrolling log. New messages are announced politely (role="log"); the view
 * follows the newest message unless the reader has scrolled up to read older ones.
 */
export function MessageList({
  messages,
  notes,
  memberName,
  focusId,
}: {
  messages: Thread['messages'];
  notes: Thread['notes'];
  memberName: string;
  /** A message or note to show (opened from a search): scrolled to and marked. */
  focusId?: string | null;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const stuckToBottom = useRef(true);
  const entries = timeline(messages, notes);
  const newest = entries.at(-1)?.item.id;
  const focusShown = !!focusId && entries.some((e) => e.item.id === focusId);

  useEffect(() => {
    const el = scroller.current;
    if (el && stuckToBottom.current && !focusShown) el.scrollTop = el.scrollHeight;
  }, [newest, focusShown]);

  useEffect(() => {
    if (!focusShown || !focusId) return;
    stuckToBottom.current = false; // the reader came for this one: new messages do not pull the view away
    document.getElementById(entryId(focusId))?.scrollIntoView({ block: 'center' });
  }, [focusShown, focusId]);

  if (entries.length === 0) {
    return (
      <p className="px-4 py-8 text-center text-sm text-slate-600">
        No messages with {memberName} yet. Write the first one below.
      </p>
    );
  }
  return (
    <div
      ref={scroller}
      className="max-h-[60vh] overflow-y-auto px-4 py-4"
      onScroll={(e) => {
        const el = e.currentTarget;
        stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {/* The log wraps the list: role="log" on the <ol> itself would take away its list semantics. */}
      <div role="log" aria-label={`Messages with ${memberName}`} aria-relevant="additions">
        <ol className="space-y-3">
          {entries.map((e) =>
            e.kind === 'note' ? (
              <NoteCard key={e.item.id} note={e.item} focused={e.item.id === focusId} />
            ) : (
              <MessageBubble key={e.item.id} message={e.item} memberName={memberName} focused={e.item.id === focusId} />
            ),
          )}
        </ol>
      </div>
    </div>
  );
}
