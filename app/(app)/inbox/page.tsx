import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { can } from '@/server/auth/permissions';
import { getServices } from '@/server/services';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { Loading, PageHeading } from '../../_components/ui';
import { conversationsInput, nextCursor, threadInput } from '../first-queries';
import { isId } from './display';
import { inboxFiltersFromUrl } from './inbox-url';
import { Inbox } from './inbox';

export const metadata: Metadata = { title: 'Inbox' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function InboxPage({ searchParams }: Props) {
  await connection(); // per request: the simulate flag comes from this server's configuration
  // Simulated replies need the local signing key, which exists only without a Telnyx account (the local outbox).
  const canSimulate = getServices().messaging.signingKey !== null;
  const viewer = await requireViewer();
  await prefetch(...firstQueries(await searchParams, can(viewer.role, 'team.view')));
  return (
    <>
      <PageHeading title="Inbox" description="Every text conversation with your members, shared by your whole team." />
      <Suspense fallback={<Loading label="Loading the inbox…" />}>
        <HydrateClient>
          <Inbox canSimulate={canSimulate} />
        </HydrateClient>
      </Suspense>
    </>
  );
}

/**
 * The list, and whatever the URL opens beside it: a thread, a member, or the member search. A thread's "Assigned to"
 * picker lists the team for those who may see it.
 */
function firstQueries(params: Record<string, string | string[] | undefined>, seesTeam: boolean) {
  const [c, member] = [params.c, params.member].map((v) => (typeof v === 'string' && isId(v) ? v : null));
  // The list as the URL filters it (inbox-url.ts), the input the list asks with.
  const filters = inboxFiltersFromUrl((name) => {
    const value = params[name];
    return typeof value === 'string' ? value : null;
  });
  const list = [
    trpc.conversations.list.infiniteQueryOptions(conversationsInput(filters), { getNextPageParam: nextCursor }),
  ];
  if (params.new === '1') return [...list, trpc.members.list.queryOptions({ search: undefined, limit: 20 })];
  const team = seesTeam ? [trpc.church.admins.queryOptions()] : [];
  if (c)
    return [
      ...list,
      trpc.conversations.get.queryOptions(threadInput(c)),
      trpc.billing.allowance.queryOptions(),
      ...team,
    ];
  if (member)
    return [
      ...list,
      trpc.members.get.queryOptions({ id: member }),
      trpc.conversations.forMember.queryOptions({ memberId: member }),
      trpc.billing.allowance.queryOptions(),
    ];
  return list;
}
