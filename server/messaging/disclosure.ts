import type { ChurchProfile } from '@/server/church/profile';

/**
 * The first message after someone opts in must say who is texting, how often, that rates may apply and how to stop
 * (CTIA's messaging principles): the church's name and those words are added when the reply does not carry them.
 */
export function withOptInDisclosure(reply: string, church: Pick<ChurchProfile, 'name'>): string {
  const named = reply.toLowerCase().includes(church.name.toLowerCase()) ? reply : `${church.name}: ${reply}`;
  if (/\bstop\b/i.test(named)) return named;
  return `${named} Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to opt out.`;
}
