'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { LocalTime } from '../../_components/local-time';
import { fullWhen, shortWhen } from '../../_components/time';
import { Button } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { useCan, useViewer } from '../viewer-context';
import { entryId, TOUCH } from './display';
import { useInboxRefresh } from './use-inbox-refresh';

const RING = 'ring-1 ring-amber-200';

type Note = RouterOutputs['conversations']['get']['notes'][number];

/** A note among the messages: amber, full width, and saying plainly that only the team sees it. */
export function NoteCard({ note, focused }: { note: Note; focused?: boolean }) {
  const trpc = useTRPC();
  const refresh = useInboxRefresh();
  const me = useViewer();
  const mayDelete = useCan('inboxNotes.deleteAny') || note.adminId === me.id;
  const [asking, setAsking] = useState(false);
  const remove = useMutation(
    trpc.conversations.deleteNote.mutationOptions({
      onSuccess: () => {
        setAsking(false);
        void refresh(note.conversationId);
      },
    }),
  );
  const author = note.adminId === me.id ? 'You' : (note.author ?? 'A former teammate');
  return (
    <li
      id={entryId(note.id)}
      data-testid="note"
      data-focused={focused || undefined}
      className={`rounded-xl bg-amber-50 px-3.5 py-2 text-sm ${focused ? 'ring-2 ring-amber-400' : RING}`}
    >
      <p className="flex flex-wrap items-center gap-x-1.5 text-xs font-medium text-amber-900">
        <span>Internal note · {author} ·</span>
        <LocalTime value={note.createdAt} format={shortWhen} title={fullWhen} />
        <span className="font-normal text-amber-800">· not sent</span>
      </p>
      <p className="mt-1 whitespace-pre-wrap break-words text-slate-900" data-testid="note-body">
        {note.body}
      </p>
      {mayDelete && (
        <div className="mt-1 flex justify-end">
          <Button
            variant="ghost"
            size="sm"
            className={TOUCH}
            aria-label={`Delete note: ${note.body.length > 40 ? `${note.body.slice(0, 40)}…` : note.body}`}
            onClick={() => setAsking(true)}
          >
            Delete
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={asking}
        title="Delete this note?"
        confirmLabel="Delete note"
        cancelLabel="Keep it"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate({ id: note.id })}
        onCancel={() => {
          setAsking(false);
          remove.reset();
        }}
      >
        <p>{author === 'You' ? 'Your note' : `${author}’s note`} goes for everyone on the team. It cannot be undone.</p>
      </ConfirmDialog>
    </li>
  );
}
