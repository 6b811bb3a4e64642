import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { clockOf } from '@/server/messaging/clock';
import type { AudienceInput } from '@/server/messaging/inputs';
import { errorMessage } from '../../_components/errors';
import { audienceProblem, retryUnlessRefused } from '../segments/audience-count';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { people, usd } from './labels';

type Preview = RouterOutputs['broadcasts']['preview'];

/** Who would get it and what it costs, asked again whenever the audience or (debounced) text changes. */
export function useAudiencePreview(
  audience: AudienceInput | null,
  body: string,
  scheduledAt: Date | null,
  picture = false,
) {
  const trpc = useTRPC();
  return useQuery(
    trpc.broadcasts.preview.queryOptions(
      { audience: audience ?? { type: 'all' }, body, scheduledAt, picture },
      { enabled: !!audience, placeholderData: keepPreviousData, retry: retryUnlessRefused },
    ),
  );
}

export function AudiencePreview({
  preview,
  error,
  waiting,
}: {
  preview: Preview | undefined;
  error: unknown;
  waiting: boolean;
}) {
  if (waiting) return <p className="text-sm text-slate-500">Choose who gets it to see how many people that is.</p>;
  // A built audience the server cannot answer (a value of the wrong kind) is said in its own words.
  if (error) return <p className="text-sm text-red-700">{audienceProblem(error) ?? errorMessage(error)}</p>;
  if (!preview) return <p className="text-sm text-slate-500">Counting…</p>;
  const { recipients, skipped, segments, estimatedCost, mms } = preview;
  const cost =
    (segments === 0 && !mms) || recipients === 0
      ? null
      : estimatedCost > 0
        ? `about ${usd(estimatedCost)}`
        : 'under $0.01';
  return (
    <p
      className="text-sm text-slate-700"
      data-testid="broadcast-preview"
      data-recipients={recipients}
      data-skipped={skipped}
    >
      <strong className="font-semibold text-slate-900">{people(recipients)}</strong> will get it
      {skipped > 0 && (
        <>
          {' · '}
          {skipped.toLocaleString()} skipped (unsubscribed or not opted in)
        </>
      )}
      {cost && (
        <>
          {' · '}
          {mms ? '1 picture message' : texts(segments)} each, {cost}
        </>
      )}
    </p>
  );
}

/**
 * A text with merge fields, as a real recipient gets it, and the longest recipient's when it costs more (a longer
 * name, or one that switches the text to UCS-2): the count and cost above assume that one for everyone.
 */
export function MergePreview({ preview }: { preview: Preview | undefined }) {
  const example = preview?.example;
  if (!example) return null;
  const { longest } = preview;
  const costlier = longest && (longest.segments > example.segments || longest.encoding !== example.encoding);
  return (
    <div className="space-y-1 text-sm text-slate-600" data-testid="merge-preview">
      <p className="whitespace-pre-wrap break-words">
        <span className="font-medium text-slate-800">{example.name} gets:</span> {example.text}
      </p>
      {costlier && (
        <p data-testid="merge-longest">
          The longest, {longest.name}’s, counts as {texts(longest.segments)}
          {longest.encoding === 'UCS-2' ? ' (a character in it makes each text shorter)' : ''}; the count and cost
          assume it for everyone.
        </p>
      )}
    </div>
  );
}

/**
 * Recipients inside their quiet hours at the time chosen (Settings): their texts wait until the hours end, in each
 * one's own timezone — said before sending, not discovered after.
 */
export function QuietHoursNote({ preview }: { preview: Preview | undefined }) {
  const held = preview?.held;
  if (!held?.count) return null;
  const [from, until] = [clockOf(held.startMinute), clockOf(held.endMinute)];
  return (
    <p className="text-sm text-amber-900" data-testid="quiet-hours-note" data-held={held.count}>
      {people(held.count)} {held.count === 1 ? 'is' : 'are'} inside quiet hours then ({from} to {until}, their time):
      they get it at {until} their time.
    </p>
  );
}

/** What a text costs, in the words people use: texts, not segments. */
const texts = (n: number) => (n === 1 ? '1 text' : `${n} texts`);
