import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AudienceInput } from '@/server/messaging/inputs';
import { errorMessage } from '../../_components/errors';
import { useTRPC } from '../../trpc';
import { people, usd } from './labels';

export type Preview = { recipients: number; skipped: number; segments: number; estimatedCost: number };

/** Who would get it and what it costs, asked again whenever the audience or (debounced) text changes. */
export function useAudiencePreview(audience: AudienceInput | null, body: string) {
  const trpc = useTRPC();
  return useQuery(
    trpc.broadcasts.preview.queryOptions(
      { audience: audience ?? { type: 'all' }, body },
      { enabled: !!audience, placeholderData: keepPreviousData },
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
  if (error) return <p className="text-sm text-red-700">{errorMessage(error)}</p>;
  if (!preview) return <p className="text-sm text-slate-500">Counting…</p>;
  const { recipients, skipped, segments, estimatedCost } = preview;
  const cost =
    segments === 0 || recipients === 0 ? null : estimatedCost > 0 ? `about ${usd(estimatedCost)}` : 'under $0.01';
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
          {segments} {segments === 1 ? 'segment' : 'segments'} each, {cost}
        </>
      )}
    </p>
  );
}
