'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { errorMessage } from '../../_components/errors';
import { Alert, Loading } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { memberName } from './display';
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
  const existing = useConversationOf(memberId);
  const member = useQuery(trpc.members.get.queryOptions({ id: memberId }));
  const found = existing.data;

  useEffect(() => {
    if (found) router.replace(`/inbox?c=${found}`, { scroll: false });
  }, [found, router]);

  if (member.error) {
    return (
      <div className="space-y-3">
        <Alert>{errorMessage(member.error)}</Alert>
        <Link href="/inbox?new=1" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline">
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
      <p className="border-y border-slate-100 bg-slate-50/60 px-4 py-8 text-center text-sm text-slate-600">No messages with {name} yet. Write the first one below.</p>
      <div className="p-4">
        <ReplyBox
          member={member.data}
          onSent={(conversationId) => {
            void refresh(conversationId);
            router.replace(`/inbox?c=${conversationId}`, { scroll: false });
          }}
        />
      </div>
    </section>
  );
}

/**
 * The id of a member's conversation, or null when they have none with messages. The API has no lookup by member,
 * so this walks the inbox pages (largest page size) until it finds them: a few requests even for a big church.
 */
function useConversationOf(memberId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: ['inbox', 'conversation-of', memberId],
    staleTime: 0,
    queryFn: async () => {
      let cursor: string | null = null;
      do {
        const page: { items: { id: string; memberId: string }[]; nextCursor: string | null } = await queryClient.fetchQuery(
          trpc.conversations.list.queryOptions({ cursor, limit: 100 }, { staleTime: 0 }),
        );
        const hit = page.items.find((i) => i.memberId === memberId);
        if (hit) return hit.id;
        cursor = page.nextCursor;
      } while (cursor);
      return null;
    },
  });
}
