import type { Member } from '@/db/tenant/schema';

/**
 * How a person came to be unsubscribed, in the words the inbox and the send refusal use. Pure: client components
 * import it. Only a text of theirs is "replied STOP"; the team, an import or their carrier say so instead.
 */
const HOW: Record<Member['subscriptionSource'], string> = {
  inbound: 'replied STOP',
  keyword: 'replied STOP',
  form: 'asked on the connect card',
  import: 'marked so in an import',
  admin: 'added as unsubscribed by your team',
  system: 'their carrier reported that they opted out',
};

export const unsubscribedNotice = (m: Pick<Member, 'firstName' | 'subscriptionSource'>) =>
  `${m.firstName} has unsubscribed (${HOW[m.subscriptionSource]}), so Steeple will not text them.`;
