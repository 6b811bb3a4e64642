'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { STOP_REASON_LABELS } from '@/db/tenant/enums';
import { ToneBadge } from '../../_components/tone-badge';
import { useTRPC } from '../../trpc';
import { ChurchTime, useChurchTimezone } from '../automations/church-time';
import { ENROLLMENT_STATE, textLink } from '../automations/labels';

/** The sequences (Automations) a member is in, or was: where they are in each and what comes next. */
export function MemberSequences({ memberId }: { memberId: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.sequences.forMember.queryOptions({ memberId }));
  const timezone = useChurchTimezone();
  if (list.isError)
    return <p className="text-sm text-slate-600">This member’s automations could not be loaded just now.</p>;
  if (!list.data?.length) return null;
  return (
    <section aria-labelledby="member-sequences" className="space-y-2">
      <h3 id="member-sequences" className="text-sm font-medium text-slate-900">
        Automations
      </h3>
      <ul className="space-y-1.5 text-sm text-slate-700" data-testid="member-sequences">
        {list.data.map((e) => (
          <li key={e.enrollmentId} className="break-words" data-state={e.state}>
            <Link href={`/automations/${e.sequenceId}`} className={textLink}>
              {e.name}
            </Link>{' '}
            <ToneBadge tone={ENROLLMENT_STATE[e.state].tone}>{ENROLLMENT_STATE[e.state].text}</ToneBadge>
            <span className="block text-xs text-slate-500">
              {e.state === 'active' ? (
                <>
                  Next: step {e.nextStep + 1} of {e.steps}
                  {e.paused ? ', waiting while the sequence is paused' : ''}
                  {!e.paused && e.nextAt && (
                    <>
                      , <ChurchTime value={e.nextAt} timezone={timezone} />
                    </>
                  )}
                </>
              ) : e.state === 'stopped' ? (
                `Stopped: ${e.stopReason ? STOP_REASON_LABELS[e.stopReason] : 'ended'}`
              ) : (
                'Went through every step'
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
