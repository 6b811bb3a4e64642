'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { errorMessage } from '../../_components/errors';
import { Alert, Loading } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { memberName } from './display';
import { useInboxHref } from './use-inbox-href';
import { ReplyBox } from './reply-box';
import { ThreadHeader } from './thread-header';
import { useInboxRefresh } from './use-inbox-refresh';

/**
 * /inbox?member=<id>: the member's conversation if they have one (the URL then switches to ?c=), otherwise an empty
 * thread whose first message starts the conversation.
 */
export function MemberThread({ memberId }: { memberId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = useInboxRefresh();
  const inboxHref = useInboxHref();
  const existing = useConversationOf(memberId);
  const member = useQuery(trpc.members.get.queryOptions({ id: memberId }));
  const found = existing.data;

  useEffect(() => {
    if (found) router.replace(inboxHref({ c: found }), { scroll: false });
  }, [found, router, inboxHref]);

  if (member.error) {
    return (
      <div className="space-y-3">
        <Alert>{errorMessage(member.error)}</Alert>
        <Link
          href={inboxHref({ new: '1' })}
          className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline"
        >
          Choose someone else
        </Link>
      </div>
    );
  }
  if (existing.error) return <Alert>{errorMessage(existing.error)}</Alert>;
  if (member.isPending || existing.isPending || found) return <Loading label="Opening the conversation…" />;
  const name = memberName(member.data);

  return (
    <section aria-labelledby="thread-title" className="rounded-2xl bg-white shadow-sm ring-1 ring-slate-200">
      <ThreadHeader member={member.data} titleId="thread-title" />
      <p className="border-y border-slate-100 bg-slate-50/60 px-4 py-8 text-center text-sm text-slate-600">
        No messages with {name} yet. Write the first one below.
      </p>
      <div className="p-4">
        <ReplyBox
          member={member.data}
          onSent={(conversationId) => {
            void refresh(conversationId);
            router.replace(inboxHref({ c: conversationId }), { scroll: false });
          }}
        />
      </div>
    </section>
  );
}

/** The id of a member's conversation (a first text or a broadcast starts one), or null when they have none. */
function useConversationOf(memberId: string) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.conversations.forMember.queryOptions({ memberId }, { staleTime: 0 }),
    select: (row) => row?.id ?? null,
  });
}
