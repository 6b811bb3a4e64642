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

export const people = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'person' : 'people'}`;

export const usd = (amount: number) =>
  amount.toLocaleString(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
