import Link from 'next/link';
import { SUBSCRIPTION_LABELS, type SubscriptionState } from '@/db/tenant/enums';
import { ToneBadge } from '../../_components/tone-badge';
import { memberName, TOUCH } from './display';

type Member = {
  id: string;
  firstName: string;
  lastName: string;
  phoneDisplay: string;
  subscription: SubscriptionState;
};
const NAME_LINK =
  'inline-flex max-w-full items-center underline decoration-slate-300 underline-offset-4 hover:decoration-brand-600';
const TONES = { subscribed: 'green', unsubscribed: 'red', not_opted_in: 'slate' } as const;

/** Who the thread is with (their name opens their page), and whether Steeple may text them. */
export function ThreadHeader({ member, titleId }: { member: Member; titleId: string }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
      <div className="min-w-0">
        <h2 id={titleId} className="truncate text-base font-semibold text-slate-900">
          <Link href={`/members/${member.id}`} className={`${TOUCH} ${NAME_LINK}`} data-testid="member-page-link">
            <span className="truncate">{memberName(member)}</span>
          </Link>
        </h2>
        <p className="text-sm text-slate-500">{member.phoneDisplay}</p>
      </div>
      <ToneBadge tone={TONES[member.subscription]} testId="subscription">
        {SUBSCRIPTION_LABELS[member.subscription]}
      </ToneBadge>
    </div>
  );
}
