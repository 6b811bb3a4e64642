'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { SUBSCRIPTION_LABELS } from '@/db/tenant/enums';
import { fullWhen } from '../../_components/time';
import { useTRPC } from '../../trpc';

const SOURCES = {
  text: 'their text',
  import: 'a CSV import',
  form: 'a form',
  admin: 'your team',
  system: 'Steeple',
} as const;

/**
 * Every change of a member's consent, newest first: what it became, how (their words, an import row, an admin's
 * note) and when. `empty`: what to say when nothing was recorded (the member form says nothing).
 */
export function ConsentHistory({ memberId, empty }: { memberId: string; empty?: ReactNode }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.members.consentLog.queryOptions({ id: memberId }));
  if (log.data?.length === 0 && empty) return <p className="text-sm text-slate-600">{empty}</p>;
  if (!log.data?.length) return null;
  return (
    <section aria-labelledby="consent-history" className="space-y-2">
      <h3 id="consent-history" className="text-sm font-medium text-slate-900">
        Consent history
      </h3>
      <ol className="space-y-1 text-sm text-slate-700" data-testid="consent-history">
        {log.data.map((e) => (
          <li key={e.id} className="break-words">
            <span className="font-medium">{SUBSCRIPTION_LABELS[e.state]}</span> by {e.adminName ?? SOURCES[e.source]}
            {e.detail ? <> (“{e.detail}”)</> : null}
            <span className="block text-xs text-slate-500">{fullWhen(e.createdAt)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
