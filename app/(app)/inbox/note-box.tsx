'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ErrorNotice } from '../../_components/error-notice';
import { TextareaField } from '../../_components/fields';
import { Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useInboxRefresh } from './use-inbox-refresh';

/** Writing a note for the team in this thread. The server checks the length and says so beside the field. */
export function NoteBox({ conversationId }: { conversationId: string }) {
  const trpc = useTRPC();
  const id = useId();
  const refresh = useInboxRefresh();
  const [body, setBody] = useState('');
  const add = useMutation(
    trpc.conversations.addNote.mutationOptions({
      onSuccess: () => {
        setBody('');
        void refresh(conversationId);
      },
    }),
  );
  const empty = body.trim() === '';
  return (
    <form
      aria-label="Add an internal note"
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!empty) add.mutate({ id: conversationId, body });
      }}
    >
      <TextareaField
        id={`${id}-note`}
        label="Note for your team"
        hint="Only your team sees notes. They are never texted to anyone."
        rows={3}
        maxLength={2000}
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      <div className="flex justify-end">
        <Button type="submit" variant="secondary" disabled={empty || add.isPending}>
          {add.isPending ? 'Saving…' : 'Add note'}
        </Button>
      </div>
      <div aria-live="polite" className="empty:hidden">
        {add.error && <ErrorNotice error={add.error} />}
      </div>
    </form>
  );
}
