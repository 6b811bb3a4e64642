import { LocalTime } from '../../_components/local-time';
import { fullWhen, shortWhen } from '../../_components/time';
import type { RouterOutputs } from '../../_lib/router-types';
import { KeywordNote } from './keyword-note';
import { MessagePictures } from './message-pictures';
import { entryId } from './display';
import { RetryButton } from './retry-button';

const BUBBLE = 'max-w-[85%] rounded-2xl px-3.5 py-2 text-sm shadow-sm sm:max-w-[70%]';
/** The message a search opened: outlined so the eye finds it. */
const FOCUSED = 'rounded-xl bg-amber-50 p-1.5 ring-2 ring-amber-300';

type Message = RouterOutputs['conversations']['get']['messages'][number];

const statusLabel: Record<Message['status'], string> = {
  queued: 'Queued',
  sending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Not delivered',
  received: 'Received',
};
const kindLabel: Record<Message['kind'], string | null> = {
  conversation: null,
  broadcast: 'Broadcast',
  auto: 'Automatic reply',
  sequence: 'Automation',
};

/** One text: the member's on the left, ours on the right with how far it got (and why, when it failed). */
export function MessageBubble({
  message: m,
  memberName,
  focused,
}: {
  message: Message;
  memberName: string;
  focused?: boolean;
}) {
  const inbound = m.direction === 'inbound';
  const failed = m.status === 'failed';
  const colours = inbound
    ? 'bg-white text-slate-900 ring-1 ring-slate-200'
    : failed
      ? 'bg-red-50 text-red-950 ring-1 ring-red-300'
      : 'bg-brand-600 text-white';
  // An outbound text no one on the team wrote (the connect card's welcome) says so, rather than look like yours.
  const kind = kindLabel[m.kind] ?? (!inbound && m.direction === 'outbound' && !m.sentBy ? 'Automatic' : null);
  return (
    <li
      id={entryId(m.id)}
      className={`flex flex-col ${inbound ? 'items-start' : 'items-end'} ${focused ? FOCUSED : ''}`}
      data-focused={focused || undefined}
      data-testid="message"
      data-direction={m.direction}
      data-status={m.status}
      data-kind={m.kind}
    >
      <div className={`${BUBBLE} ${colours} ${inbound ? 'rounded-bl-sm' : 'rounded-br-sm'}`}>
        <span className="sr-only">{inbound ? `${memberName}:` : kind ? `${kind}:` : 'You:'} </span>
        <MessagePictures pictures={m.pictures} from={inbound ? `from ${memberName}` : 'sent'} />
        {m.body && (
          <p className="whitespace-pre-wrap break-words" data-testid="message-body">
            {m.body}
          </p>
        )}
      </div>
      <p className={`mt-1 flex flex-wrap gap-x-1.5 text-xs ${failed ? 'text-red-700' : 'text-slate-600'}`}>
        {kind && <span>{kind} ·</span>}
        <LocalTime value={m.createdAt} format={shortWhen} title={fullWhen} />
        {!inbound && (
          <span data-testid="message-status">
            · {statusLabel[m.status]}
            {m.failure ? `: ${m.failure.reason}` : ''}
          </span>
        )}
        {m.status === 'queued' && m.notBefore && (
          <span data-testid="message-held">
            · held for quiet hours, until <LocalTime value={m.notBefore} format={shortWhen} title={fullWhen} />
          </span>
        )}
        {m.pictures.length > 0 ? <span>· MMS</span> : m.segments > 1 && <span>· {m.segments} segments</span>}
      </p>
      {m.failure?.retry && <RetryButton messageId={m.id} conversationId={m.conversationId} body={m.body} />}
      {inbound && m.keyword && <KeywordNote keyword={m.keyword} />}
    </li>
  );
}
