import type { NotifyKind } from './kinds';

/**
 * What a notification says, as text: an email listing what came in, a browser notification per event. No database,
 * no clock: the callers pass what they read, so these are unit-tested (tests/unit/notifications.test.ts).
 */
export type Notice = {
  kind: NotifyKind;
  /** Who it is about: the member's name, or their number while they are a "New contact". */
  who: string;
  /** At most the first 80 characters of what they wrote (outbox.ts), or a card's one-line summary. */
  excerpt: string;
  at: Date;
  conversationId: string | null;
  memberId: string | null;
};

const WHAT: Record<NotifyKind, string> = {
  inbound: 'text',
  connect_card: 'connect card',
  sequence_reply: 'sequence reply',
};

/** The page it opens: the thread (`/inbox?c=`), or the member's thread-to-be when a card's member has none yet. */
export function pathOf(n: Pick<Notice, 'conversationId' | 'memberId'>): string {
  if (n.conversationId) return `/inbox?c=${n.conversationId}`;
  if (n.memberId) return `/inbox?member=${n.memberId}`;
  return '/inbox';
}

/** One line, whatever line breaks they typed. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export function subjectOf(notices: Notice[]): string {
  const [first] = notices;
  if (!first) return 'Nothing new';
  if (notices.length === 1) return `New ${WHAT[first.kind]} from ${oneLine(first.who)}`;
  if (notices.every((n) => n.kind === 'inbound')) return `${notices.length} new texts`;
  return `${notices.length} new notifications`;
}

/** "New text from Ann Smith" → "new text from Ann Smith": only the first letter, never the names after it. */
const sentenceCase = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Most an email lists one by one; the rest are counted, with a link to the inbox. */
const EMAIL_LIST_MAX = 50;

type Church = { name: string; timezone: string };

/** The batched email: each notice with who, what, when (the church's clock), its excerpt and its link. */
export function emailOf(church: Church, notices: Notice[], baseUrl: string) {
  const url = (path: string) => new URL(path, baseUrl).toString();
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: church.timezone, hour: '2-digit', minute: '2-digit' });
  const listed = notices.slice(0, EMAIL_LIST_MAX);
  const links = listed.map((n) => url(pathOf(n)));
  const entries = listed.map(
    (n, i) => `${oneLine(n.who)} · ${WHAT[n.kind]} · ${time.format(n.at)}\n  ${oneLine(n.excerpt)}\n  ${links[i]}`,
  );
  const more = notices.length - listed.length;
  const text = [
    `${church.name}: ${sentenceCase(subjectOf(notices))}`,
    ...entries,
    ...(more > 0 ? [`…and ${more} more: ${url('/inbox')}`] : []),
    `Choose what you are told about: ${url('/account#notifications')}`,
  ].join('\n\n');
  return { subject: `${subjectOf(notices)} · ${church.name}`, text, links };
}

export type PushPayload = { title: string; body: string; url: string; tag: string };

/** Browser notifications at once: one per event, or one that counts them when several came together. */
export function pushesOf(notices: (Notice & { id: string })[], max = 3): PushPayload[] {
  if (notices.length <= max)
    return notices.map((n) => ({
      title: `${WHAT[n.kind][0]!.toUpperCase()}${WHAT[n.kind].slice(1)} from ${oneLine(n.who)}`,
      body: oneLine(n.excerpt),
      url: pathOf(n),
      tag: n.id,
    }));
  const names = [...new Set(notices.map((n) => oneLine(n.who)))];
  const body = names.length <= 2 ? names.join(' and ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
  return [{ title: `${notices.length} new notifications`, body, url: '/inbox', tag: 'steeple-summary' }];
}

type DigestSection = { title: string; notices: Notice[]; total: number };

/** The daily digest: the day's unread threads, connect cards and sequence replies, each with its excerpt and link. */
export function digestOf(church: Church, sections: DigestSection[], baseUrl: string, now: Date) {
  const url = (path: string) => new URL(path, baseUrl).toString();
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone: church.timezone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  });
  const parts = sections
    .filter((s) => s.total > 0)
    .map((s) => {
      const lines = s.notices.map((n) => `- ${oneLine(n.who)}: ${oneLine(n.excerpt)}\n  ${url(pathOf(n))}`);
      const more = s.total - s.notices.length;
      return [`${s.title} (${s.total})`, ...lines, ...(more > 0 ? [`- …and ${more} more`] : [])].join('\n');
    });
  const text = [
    `${church.name}: the last 24 hours, ${day.format(now)}`,
    ...parts,
    `Open the inbox: ${url('/inbox')}`,
    `Change your digest: ${url('/account#notifications')}`,
  ].join('\n\n');
  return { subject: `Your daily digest · ${church.name}`, text };
}
