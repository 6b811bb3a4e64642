import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { TRPCError } from '@trpc/server';
import { cache } from 'react';
import { appRouter } from '@/server/routers/_app';
import { HydrateClient, prefetch, serverContext, trpc } from '../../../_lib/trpc-server';
import { threadInput } from '../../first-queries';
import { isId } from '../../inbox/display';
import { fullName } from '../types';
import { MemberProfile } from './member-profile';
import { BackLink } from '../../../_components/ui';

type Props = { params: Promise<{ id: string }> };

/**
 * The member's page data, once per request (the title and the page share it), through the same procedure and
 * middleware as the browser's call; null when this church has no such member.
 */
const loadProfile = cache(async (id: string) => {
  if (!isId(id)) return null;
  try {
    return await appRouter.createCaller(await serverContext()).members.profile({ id });
  } catch (err) {
    if (err instanceof TRPCError && err.code === 'NOT_FOUND') return null;
    throw err; // busy or unavailable: the error page offers a retry
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const profile = await loadProfile((await params).id).catch(() => null);
  return { title: profile ? fullName(profile.member) : 'Member' };
}

/**
 * One member: details, their conversation and the team's notes, consent history, and what is scheduled for them.
 * Another church's member, or one deleted, is the app's "not found".
 */
export default async function MemberPage({ params }: Props) {
  const { id } = await params;
  const profile = await loadProfile(id);
  if (!profile) notFound();
  const conversation = profile.conversationId;
  await prefetch(
    // Already read above: the browser's cache starts with it rather than the server asking twice.
    trpc.members.profile.queryOptions({ id }, { initialData: profile }),
    trpc.members.consentLog.queryOptions({ id }),
    trpc.sequences.forMember.queryOptions({ memberId: id }),
    trpc.branches.list.queryOptions(),
    ...(conversation ? [trpc.conversations.get.queryOptions(threadInput(conversation))] : []),
  );
  return (
    <>
      <p className="mb-2 text-sm">
        <BackLink href="/members">All members</BackLink>
      </p>
      <HydrateClient>
        <MemberProfile id={id} />
      </HydrateClient>
    </>
  );
}
