import type { RouterOutputs } from '../../_lib/router-types';

type KeywordUse = NonNullable<RouterOutputs['conversations']['get']['messages'][number]['keyword']>;

const notes: Record<KeywordUse['outcome'], { text: (word: string) => string; colour: string }> = {
  joined: { text: (w) => `Joined via ${w}`, colour: 'text-green-800' },
  already_subscribed: { text: (w) => `Texted keyword ${w} (already subscribed)`, colour: 'text-slate-600' },
  opted_out: { text: (w) => `Texted ${w} but has opted out: told to text START`, colour: 'text-amber-800' },
};

/** Under an inbound text that matched one of the church's keywords: what it did. */
export function KeywordNote({ keyword }: { keyword: KeywordUse }) {
  const note = notes[keyword.outcome];
  return (
    <p
      className={`mt-0.5 text-xs font-medium ${note.colour}`}
      data-testid="keyword-note"
      data-outcome={keyword.outcome}
    >
      {note.text(keyword.word)}
    </p>
  );
}
