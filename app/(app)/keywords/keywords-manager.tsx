'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { MERGE_FIELDS } from '@/server/messaging/merge-fields';
import { ListManager } from '../../_components/list-manager';
import { useCustomMergeKeys } from '../../_components/use-merge-check';
import { Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { KeywordDialog } from './keyword-dialog';
import { KeywordRow } from './keyword-row';

/** The keywords with how each is doing; admins and the owner add, edit and delete them (staff see the list). */
export function KeywordsManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('keywords.manage');
  return (
    <ListManager
      noun="keyword"
      title="Your keywords"
      list={useQuery(trpc.keywords.list.queryOptions())}
      canManage={canManage}
      nameOf={(k) => k.word}
      empty={{
        manager: 'Add one, like JOIN, and put it on a slide or in the bulletin: “Text JOIN to get our news.”',
        viewer: 'An admin can add keywords here, like JOIN, for people to text to your number.',
      }}
      renderItem={(k, { edit, remove }) => (
        <KeywordRow key={k.id} keyword={k} canManage={canManage} onEdit={edit} onDelete={remove} />
      )}
      renderDialog={(d) => (
        <KeywordDialog key={d.key} open={d.open} keyword={d.item} onClose={d.onClose} onSaved={d.onSaved} />
      )}
      remove={trpc.keywords.delete.mutationOptions()}
      deleteNote={(k) =>
        `Texting ${k?.word ?? 'it'} will no longer subscribe anyone or send its reply. Members it brought in stay ` +
        'subscribed, and their conversations still show the keyword they texted.'
      }
      onChanged={() => void queryClient.invalidateQueries({ queryKey: trpc.keywords.pathKey() })}
    >
      <HowItWorks />
    </ListManager>
  );
}

/** What a keyword does and the rules around it, for everyone on the team. */
function HowItWorks() {
  const fields = [...MERGE_FIELDS, ...(useCustomMergeKeys() ?? [])];
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
          {fields.map((f, i) => (
            <span key={f}>
              {i > 0 && ', '}
              <code>{`{${f}}`}</code>
            </span>
          ))}
          , with a fallback like <code>{'{first_name|friend}'}</code>. Your own member fields (Settings) are merge
          fields too.
        </li>
        <li>
          The first reply after someone joins gets your church’s name and “Msg frequency varies. Msg &amp; data rates
          may apply. Reply HELP for help, STOP to opt out.” added when missing, as carriers require.
        </li>
      </ul>
    </Panel>
  );
}
