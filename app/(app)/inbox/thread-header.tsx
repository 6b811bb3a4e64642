import { SUBSCRIPTION_LABELS, type SubscriptionState } from '@/db/tenant/enums';
import { ToneBadge } from '../../_components/tone-badge';
import { memberName } from './display';

type Member = { firstName: string; lastName: string; phoneDisplay: string; subscription: SubscriptionState };
const TONES = { subscribed: 'green', unsubscribed: 'red', not_opted_in: 'slate' } as const;

/** Who the thread is with, and whether Steeple may text them. */
export function ThreadHeader({ member, titleId }: { member: Member; titleId: string }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
      <div className="min-w-0">
        <h2 id={titleId} className="truncate text-base font-semibold text-slate-900">
          {memberName(member)}
        </h2>
        <p className="text-sm text-slate-500">{member.phoneDisplay}</p>
      </div>
      <ToneBadge tone={TONES[member.subscription]} testId="subscription">
        {SUBSCRIPTION_LABELS[member.subscription]}
      </ToneBadge>
    </div>
  );
}
