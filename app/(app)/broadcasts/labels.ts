import type { Tone } from '../../_components/tone-badge';
import type { RouterOutputs } from '../../_lib/router-types';

type Broadcast = RouterOutputs['broadcasts']['list']['items'][number];

export const stateLabel: Record<Broadcast['state'], { text: string; tone: Tone }> = {
  scheduled: { text: 'Scheduled', tone: 'brand' },
  sending: { text: 'Sending', tone: 'amber' },
  sent: { text: 'Sent', tone: 'green' },
  canceled: { text: 'Cancelled', tone: 'slate' },
  failed: { text: 'Failed', tone: 'red' },
};

/** "Everyone", "Branch: North campus", "Tag: youth"; a deleted branch is said plainly. */
export function audienceLabel(b: Pick<Broadcast, 'audience' | 'branchName' | 'tag'>): string {
  if (b.audience === 'branch') return b.branchName ? `Branch: ${b.branchName}` : 'A branch that was deleted';
  if (b.audience === 'tag') return `Tag: ${b.tag}`;
  return 'Everyone';
}

export const people = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'person' : 'people'}`;

export const usd = (amount: number) =>
  amount.toLocaleString(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
