'use client';

import { useState, type ComponentProps } from 'react';
import { NoteBox } from './note-box';
import { ReplyBox } from './reply-box';

const TAB = 'min-h-11 rounded-md px-3 py-2 text-sm font-medium md:min-h-0';
const ON = 'bg-white text-slate-900 shadow-sm ring-1 ring-slate-200';
const OFF = 'text-slate-600 hover:text-slate-900';

/** Under a thread: a text to the member, or a note for the team (chosen plainly, so a note is never texted). */
export function Composer({ conversationId, ...reply }: { conversationId: string } & ComponentProps<typeof ReplyBox>) {
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  return (
    <div className="space-y-3">
      <div role="group" aria-label="Write" className="inline-flex gap-1 rounded-lg bg-slate-100 p-1">
        <button
          type="button"
          aria-pressed={mode === 'reply'}
          className={`${TAB} ${mode === 'reply' ? ON : OFF}`}
          onClick={() => setMode('reply')}
        >
          Text message
        </button>
        <button
          type="button"
          aria-pressed={mode === 'note'}
          className={`${TAB} ${mode === 'note' ? ON : OFF}`}
          onClick={() => setMode('note')}
        >
          Internal note
        </button>
      </div>
      {/* Both stay mounted: switching never loses what was half written in the other. */}
      <div hidden={mode !== 'reply'}>
        <ReplyBox {...reply} />
      </div>
      <div hidden={mode !== 'note'}>
        <NoteBox conversationId={conversationId} />
      </div>
    </div>
  );
}
