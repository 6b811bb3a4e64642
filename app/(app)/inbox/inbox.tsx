'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Alert } from '../../_components/ui';
import { ConversationList } from './conversation-list';
import { ConversationThread } from './conversation-thread';
import { isId } from './display';
import { useInboxHref } from './use-inbox-href';
import { MemberThread } from './member-thread';
import { NewMessage } from './new-message';

/**
 * Two panes: the conversation list and whatever the URL selects (?c=<conversation>, ?member=<member>, ?new=1), so
 * every view has a link and the back button works. On a phone one pane shows at a time: the list, or what is open
 * with a "Back to inbox" button above it. The list's filters stay in the URL through all of it (inbox-url.ts).
 */
export function Inbox({ canSimulate }: { canSimulate: boolean }) {
  const params = useSearchParams();
  const conversationId = params.get('c');
  const memberId = params.get('member');
  const composing = params.get('new') === '1';
  const focus = params.get('m'); // a message or note opened from a search
  const detailOpen = !!(conversationId || memberId || composing);
  const inboxHref = useInboxHref();

  return (
    // One column of at most the screen's width on a phone (minmax(0, 1fr)), so a long preview never widens the page.
    <div className="grid grid-cols-1 gap-4 md:grid-cols-[minmax(16rem,22rem)_minmax(0,1fr)] md:items-start">
      <div className={detailOpen ? 'hidden min-w-0 md:block' : 'min-w-0'}>
        <ConversationList selectedId={conversationId} />
      </div>
      <div className={detailOpen ? 'min-w-0 space-y-3' : 'hidden min-w-0 md:block'}>
        {detailOpen && (
          <Link
            href={inboxHref()}
            className={
              'inline-flex min-h-11 items-center rounded-lg bg-white px-4 text-sm font-medium text-slate-800 ' +
              'shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 md:hidden'
            }
          >
            <span aria-hidden="true">←&nbsp;</span>Back to inbox
          </Link>
        )}
        <Detail
          conversationId={conversationId}
          focusId={isId(focus) ? focus : null}
          memberId={memberId}
          composing={composing}
          canSimulate={canSimulate}
        />
      </div>
    </div>
  );
}

function Detail({
  conversationId,
  focusId,
  memberId,
  composing,
  canSimulate,
}: {
  conversationId: string | null;
  focusId: string | null;
  memberId: string | null;
  composing: boolean;
  canSimulate: boolean;
}) {
  const newHref = useInboxHref()({ new: '1' });
  if (composing) return <NewMessage />;
  if (conversationId) {
    // Keyed by id: a different thread starts fresh (its own "show earlier" state, no previous thread flashing).
    return isId(conversationId) ? (
      <ConversationThread key={conversationId} id={conversationId} focusId={focusId} canSimulate={canSimulate} />
    ) : (
      <Alert>That conversation link is not valid.</Alert>
    );
  }
  if (memberId)
    return isId(memberId) ? (
      <MemberThread key={memberId} memberId={memberId} />
    ) : (
      <Alert>That member link is not valid.</Alert>
    );
  return (
    <div
      className={
        'grid min-h-64 place-items-center rounded-2xl bg-white p-6 text-center shadow-sm ring-1 ring-slate-200'
      }
    >
      <div>
        <p className="text-sm font-medium text-slate-900">Choose a conversation</p>
        <p className="mt-1 text-sm text-slate-600">
          Or{' '}
          <Link href={newHref} className="font-medium text-brand-600 underline-offset-2 hover:underline">
            start a new message
          </Link>
          .
        </p>
      </div>
    </div>
  );
}
