'use client';

import { useEffect, useRef } from 'react';
import type { RouterOutputs } from '../../_lib/router-types';
import { MessageBubble } from './message-bubble';

type Message = RouterOutputs['conversations']['get']['messages'][number];

/**
 * The messages, oldest first, in a scrolling log. New messages are announced politely (role="log"); the view
 * follows the newest message unless the reader has scrolled up to read older ones.
 */
export function MessageList({ messages, memberName }: { messages: Message[]; memberName: string }) {
  const scroller = useRef<HTMLDivElement>(null);
  const stuckToBottom = useRef(true);
  const newest = messages.at(-1)?.id;

  useEffect(() => {
    const el = scroller.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  }, [newest]);

  if (messages.length === 0) {
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
          {messages.map((m) => (
            <MessageBubble key={m.id} message={m} memberName={memberName} />
          ))}
        </ol>
      </div>
    </div>
  );
}
