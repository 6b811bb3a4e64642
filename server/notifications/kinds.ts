/**
 * What a person on the team may be told about, and how: the values of the notification tables' columns, in a file
 * with no imports, so the schema, the zod inputs and the account page read the same lists.
 */

/** Where a notification goes: an email (batched, at most one a minute), or the browser (at once). */
export const NOTIFY_CHANNELS = ['email', 'push'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/** New texts: none, every one, or only those in threads assigned to this person. */
export const INBOUND_CHOICES = ['off', 'all', 'assigned'] as const;
export type InboundChoice = (typeof INBOUND_CHOICES)[number];
export const INBOUND_LABELS: Record<InboundChoice, string> = {
  off: 'None',
  all: 'Every new text',
  assigned: 'Only threads assigned to me',
};

/** What a notification is about. A text that answers a sequence is a sequence reply, once (not a new text too). */
export const NOTIFY_KINDS = ['inbound', 'connect_card', 'sequence_reply'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

/** A notification never carries more of what someone wrote than this many characters. */
export const EXCERPT_CHARS = 80;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * What someone wrote, cut to at most 80 characters (code points) of whole graphemes, with "…" when there was more: an
 * emoji family, a flag or an accented letter is kept whole or left out, never split. The outbox and the digest both
 * cut with this.
 */
export function excerpt(text: string): string {
  if ([...text].length <= EXCERPT_CHARS) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = [...segment].length;
    if (used + size > EXCERPT_CHARS) break;
    kept += segment;
    used += size;
  }
  return `${kept}…`;
}
