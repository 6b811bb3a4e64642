'use client';

import { useId, useState } from 'react';
import { LocalTime } from '../../_components/local-time';
import { fullWhen, shortWhen } from '../../_components/time';
import { Badge, Button } from '../../_components/ui';
import { KeywordStats } from './keyword-stats';
import type { KeywordItem } from './types';
import { EditDeleteButtons } from '../../_components/edit-delete';

/**
 * One keyword as a card (it stacks on a phone, and sits in a row beside its numbers on a wide screen): the word, its
 * reply and tags, how it did over 30 days, and its day-by-day stats on demand. Editing is for admins and the owner.
 */
export function KeywordRow({
  keyword: k,
  canManage,
  onEdit,
  onDelete,
}: {
  keyword: KeywordItem;
  canManage: boolean;
  onEdit: (k: KeywordItem) => void;
  onDelete: (k: KeywordItem) => void;
}) {
  const statsId = useId();
  const [showStats, setShowStats] = useState(false);
  return (
    <li className="space-y-3 py-4" data-testid="keyword" data-word={k.word}>
      <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between lg:gap-6">
        <div className="min-w-0 flex-1 space-y-1.5">
          <h3 className="break-all font-mono text-base font-semibold tracking-wide text-slate-900">{k.word}</h3>
          <p
            className="line-clamp-4 whitespace-pre-wrap break-words text-sm text-slate-700"
            data-testid="keyword-reply"
          >
            {k.reply}
          </p>
          {k.addTags.length > 0 && (
            <div className="flex flex-wrap items-center gap-1 text-xs text-slate-600">
              <span id={`${statsId}-tags`}>Adds tags:</span>
              <ul className="flex flex-wrap gap-1" aria-labelledby={`${statsId}-tags`} data-testid="keyword-tags">
                {k.addTags.map((t) => (
                  <li key={t} className="max-w-full break-all">
                    <Badge>{t}</Badge>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        <dl className="grid shrink-0 grid-cols-3 gap-3 text-sm lg:w-80">
          <div>
            <dt className="text-xs text-slate-500">Uses, 30 days</dt>
            <dd className="font-semibold text-slate-900" data-testid="keyword-uses">
              {k.uses30d.toLocaleString()}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">New members, 30 days</dt>
            <dd className="font-semibold text-slate-900" data-testid="keyword-new-members">
              {k.newMembers30d.toLocaleString()}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Last used</dt>
            <dd className="text-slate-700" data-testid="keyword-last-used">
              {k.lastUsedAt ? <LocalTime value={k.lastUsedAt} format={shortWhen} title={fullWhen} /> : 'Never'}
            </dd>
          </div>
        </dl>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="secondary"
          aria-expanded={showStats}
          aria-controls={statsId}
          aria-label={`${showStats ? 'Hide' : 'Show'} stats for ${k.word}`}
          onClick={() => setShowStats((s) => !s)}
        >
          {showStats ? 'Hide stats' : 'Show stats'}
        </Button>
        {canManage && (
          <>
            <EditDeleteButtons name={k.word} onEdit={() => onEdit(k)} onDelete={() => onDelete(k)} />
          </>
        )}
      </div>
      <div
        id={statsId}
        role="region"
        aria-label={`${k.word}, last 30 days`}
        hidden={!showStats}
        className="rounded-xl bg-white p-3 ring-1 ring-slate-200 sm:p-4"
      >
        {showStats && <KeywordStats id={k.id} word={k.word} />}
      </div>
    </li>
  );
}
