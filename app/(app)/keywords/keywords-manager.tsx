'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MERGE_FIELDS } from '@/server/messaging/merge-fields';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage } from '../../_components/errors';
import { Alert, Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useDialogState } from '../../_components/use-dialog-state';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { KeywordDialog } from './keyword-dialog';
import { KeywordRow } from './keyword-row';
import type { KeywordItem } from './types';

/** The keywords with how each is doing; admins and the owner add, edit and delete them (staff see the list). */
export function KeywordsManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('keywords.manage');
  const list = useQuery(trpc.keywords.list.queryOptions());
  const [status, setStatus] = useState('');
  const dialog = useDialogState<KeywordItem>();
  const [deleting, setDeleting] = useState<KeywordItem | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.keywords.pathKey() });
  const remove = useMutation(
    trpc.keywords.delete.mutationOptions({
      onSuccess: () => {
        setStatus(`${deleting?.word ?? 'The keyword'} was deleted.`);
        setDeleting(null);
        refresh();
      },
    }),
  );

  return (
    <div className="space-y-6">
      <StatusNotice message={status} />
      <HowItWorks />
      {canManage && <Button onClick={() => dialog.show(null)}>Add keyword</Button>}

      <Panel id="keywords" title="Your keywords">
        {list.isPending ? (
          <Loading label="Loading keywords…" />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : list.data.length === 0 ? (
          <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center">
            <p className="font-medium text-slate-900">No keywords yet</p>
            <p className="mt-1 text-sm text-slate-600">
              {canManage
                ? 'Add one, like JOIN, and put it on a slide or in the bulletin: “Text JOIN to get our news.”'
                : 'An admin can add keywords here, like JOIN, for people to text to your number.'}
            </p>
            {canManage && (
              <Button className="mt-4" size="sm" onClick={() => dialog.show(null)}>
                Add your first keyword
              </Button>
            )}
          </div>
        ) : (
          <ul className="-my-4 divide-y divide-slate-100" aria-label="Keywords">
            {list.data.map((k) => (
              <KeywordRow key={k.id} keyword={k} canManage={canManage} onEdit={dialog.show} onDelete={setDeleting} />
            ))}
          </ul>
        )}
      </Panel>

      {canManage && (
        <KeywordDialog
          key={dialog.key}
          open={dialog.open}
          keyword={dialog.item}
          onClose={dialog.close}
          onSaved={(message) => {
            dialog.close();
            setStatus(message);
            refresh();
          }}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={deleting ? `Delete ${deleting.word}?` : 'Delete keyword?'}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        <p>
          Texting {deleting?.word ?? 'it'} will no longer subscribe anyone or send its reply. Members it brought in stay
          subscribed, and their conversations still show the keyword they texted.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** What a keyword does and the rules around it, for everyone on the team. */
function HowItWorks() {
  return (
    <Panel id="how" title="How keywords work">
      <ul className="list-disc space-y-1.5 pl-5 text-sm text-slate-700">
        <li>
          Someone texts a keyword to your number: they are subscribed, get its tags and its reply. Anyone who texted
          STOP before stays opted out and is told to text START.
        </li>
        <li>STOP, START and HELP (and words like them, such as UNSUBSCRIBE or INFO) are reserved for carriers.</li>
        <li>
          Replies can use merge fields:{' '}
          {MERGE_FIELDS.map((f, i) => (
            <span key={f}>
              {i > 0 && ', '}
              <code>{`{${f}}`}</code>
            </span>
          ))}
          , with a fallback like <code>{'{first_name|friend}'}</code>.
        </li>
        <li>
          The first reply after someone joins gets your church’s name and “Msg frequency varies. Msg &amp; data rates
          may apply. Reply HELP for help, STOP to opt out.” added when missing, as carriers require.
        </li>
      </ul>
    </Panel>
  );
}
