import { countSegments } from '@/server/messaging/segments';

/**
 * The live cost of a text as it is typed: "1 segment · 42/160". UCS-2 is named when an emoji or other non-GSM
 * character shrinks every segment to 70 (67 when split), because that is the surprise people need to see. The
 * visible line changes per keystroke, so only the segment count and encoding are announced (a separate live region).
 */
export function SegmentCounter({ text, id, picture }: { text: string; id?: string; picture?: boolean }) {
  const c = countSegments(text);
  // With a picture it is one MMS, whatever the length of the words (up to 1,600 characters).
  if (picture)
    return (
      <p id={id} className="text-xs text-slate-500" data-testid="segment-counter" data-segments={1} data-mms="true">
        1 MMS message (picture{text ? ' and words' : ''})
        <span className="sr-only" aria-live="polite">
          1 MMS message
        </span>
      </p>
    );
  const used = c.perSegment - c.remaining;
  const segments = `${c.segments} ${c.segments === 1 ? 'segment' : 'segments'}`;
  const ucs2 = c.encoding === 'UCS-2';
  return (
    <p
      id={id}
      className="text-xs text-slate-500"
      data-testid="segment-counter"
      data-segments={c.segments}
      data-encoding={c.encoding}
    >
      <span className={c.segments > 1 ? 'font-medium text-amber-800' : undefined}>{segments}</span>
      {' · '}
      <span>
        {used}/{c.perSegment}
      </span>
      {ucs2 && (
        <>
          {' · '}
          <span
            className="font-medium text-amber-800"
            title="Emoji and some symbols switch the whole text to UCS-2: 70 characters per segment (67 when split)."
          >
            UCS-2
          </span>
        </>
      )}
      <span className="sr-only" aria-live="polite">
        {c.segments > 0 ? `${segments}${ucs2 ? ', UCS-2 encoding' : ''}` : ''}
      </span>
    </p>
  );
}
