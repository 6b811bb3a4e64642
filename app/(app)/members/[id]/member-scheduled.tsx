'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { SubscriptionState } from '@/db/tenant/enums';
import { LocalTime } from '../../../_components/local-time';
import { fullWhen } from '../../../_components/time';
import { ToneBadge } from '../../../_components/tone-badge';
import { useTRPC } from '../../../trpc';
import { MemberSequences } from '../member-sequences';
import type { Profile } from './member-profile';

const LINK =
  'inline-flex min-h-11 items-center font-medium text-brand-600 underline-offset-2 hover:underline sm:min-h-0';

/**
 * The broadcasts waiting to go whose audience includes them (as it stands now: who is in an audience is decided when
 * it sends), and the automations they are in.
 */
export function MemberScheduled({
  memberId,
  subscription,
  broadcasts,
}: {
  memberId: string;
  subscription: SubscriptionState;
  broadcasts: Profile['scheduled'];
}) {
  const trpc = useTRPC();
  // The same query MemberSequences asks (one request): only to say "nothing" when both lists are empty.
  const sequences = useQuery(trpc.sequences.forMember.queryOptions({ memberId }));
  const nothing = broadcasts.length === 0 && sequences.data?.length === 0;
  return (
    <div className="space-y-4">
      {nothing && <p className="text-sm text-slate-600">Nothing is scheduled for them.</p>}
      {broadcasts.length > 0 && (
        <section aria-labelledby="member-broadcasts" className="space-y-2">
          <h3 id="member-broadcasts" className="text-sm font-medium text-slate-900">
            Broadcasts
          </h3>
          {subscription !== 'subscribed' && (
            <p className="text-sm text-amber-900">
              They are in these audiences, but broadcasts go only to subscribed members, so they will not get them.
            </p>
          )}
          <ul className="space-y-2 text-sm text-slate-700" data-testid="member-broadcasts">
            {broadcasts.map((b) => (
              <li key={b.id} className="min-w-0">
                <p className="line-clamp-2 break-words text-slate-900">{b.body}</p>
                <p className="flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
                  <LocalTime value={b.scheduledAt} format={fullWhen} />
                  {b.repeats && <ToneBadge>Repeats</ToneBadge>}
                  {b.segmentName && <span>to “{b.segmentName}”</span>}
                </p>
              </li>
            ))}
          </ul>
          <Link href="/broadcasts" className={`${LINK} text-sm`}>
            All broadcasts
          </Link>
        </section>
      )}
      <MemberSequences memberId={memberId} />
    </div>
  );
}
