'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../_components/errors';
import { Loading } from '../../_components/ui';
import { useTRPC } from '../../trpc';

/** Why a broadcast's texts failed, by reason with counts (the carrier's codes in words); read when first opened. */
export function FailureReasons({ broadcastId, failed }: { broadcastId: string; failed: number }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const detail = useQuery({ ...trpc.broadcasts.get.queryOptions({ id: broadcastId }), enabled: open });
  return (
    <details className="text-xs text-slate-600" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer text-red-700">
        Why {failed === 1 ? 'one text' : `${failed.toLocaleString()} texts`} failed
      </summary>
      {detail.isPending ? (
        <Loading />
      ) : detail.error ? (
        <p role="alert">{errorMessage(detail.error)}</p>
      ) : (
        <ul className="mt-1 space-y-0.5" aria-label="Failures by reason" data-testid="failure-reasons">
          {detail.data.failures.map((f) => (
            <li key={f.reason} className="flex gap-2">
              <span className="font-semibold text-slate-900">{f.count.toLocaleString()}</span>
              <span className="break-words">{f.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
