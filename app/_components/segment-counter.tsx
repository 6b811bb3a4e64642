import { countSegments } from '@/server/messaging/segments';

/**
 * The live cost of a text as it is typed, in plain words: "42 characters · 1 text", or "177 characters · counts as 2
 * texts (the emoji makes each text shorter)". The culprit is named because that is the surprise: one emoji or curly
 * quote shrinks every text from 160 characters to 70. The visible line changes per keystroke, so only the count of
 * texts is announced (a separate live region).
 */
export function SegmentCounter({ text, id, picture }: { text: string; id?: string; picture?: boolean }) {
  const c = countSegments(text);
  // With a picture it is one MMS, whatever the length of the words (up to 1,600 characters).
  if (picture)
    return (
      <>
        <p id={id} className="text-xs text-slate-600" data-testid="segment-counter" data-segments={1} data-mms="true">
          1 picture message (MMS{text ? ', with the words' : ''})
        </p>
        <Announce text="1 picture message" />
      </>
    );
  const characters = [...text].length;
  const texts = c.segments <= 1 ? '1 text' : `counts as ${c.segments} texts`;
  const why = c.culprit ? shrinkReason(c.culprit) : '';
  return (
    <>
      <p
        id={id}
        className="text-xs text-slate-600"
        data-testid="segment-counter"
        data-segments={c.segments}
        data-encoding={c.encoding}
      >
        {characters} {characters === 1 ? 'character' : 'characters'}
        {' · '}
        <span className={c.segments > 1 ? 'font-medium text-amber-800' : undefined}>{texts}</span>
        {why && (
          <span className={c.segments > 1 ? 'text-amber-800' : undefined} data-testid="segment-shrink">
            {' '}
            {why}
          </span>
        )}
      </p>
      <Announce text={c.segments > 0 ? texts : ''} />
    </>
  );
}

/** Beside the line rather than in it: the line is also a field's description, which should not say it twice. */
const Announce = ({ text }: { text: string }) => (
  <span className="sr-only" aria-live="polite">
    {text}
  </span>
);

/** Why each text holds 70 characters instead of 160: an emoji, or a character outside the plain text alphabet. */
function shrinkReason(culprit: string) {
  if (/\p{Extended_Pictographic}/u.test(culprit)) return '(the emoji makes each text shorter)';
  return `(the “${culprit}” makes each text shorter: 70 characters instead of 160)`;
}
