'use client';

import Link from 'next/link';
import { SUBSCRIPTION_LABELS } from '@/db/tenant/enums';
import { Badge, Button } from '../../_components/ui';
import { fullName, memberHref, type MemberListProps } from './types';

/** Touch-sized on a phone: at least 44 px each way. */
const TOUCH = 'min-h-11 min-w-11';
const NAME =
  'inline-flex min-w-0 items-center font-medium text-slate-900 underline underline-offset-2 [overflow-wrap:anywhere]';

/**
 * The members on a phone, a card each: the name (opening their page), phone, whether they get texts, branch, tags and
 * email, with Edit and Delete in reach. Nothing is cut off and nothing scrolls sideways.
 */
export function MemberCards({ items, canDelete, onEdit, onDelete }: MemberListProps) {
  return (
    <ul aria-label="Members" className="-mx-2 divide-y divide-slate-100">
      {items.map((m) => (
        <li key={m.id} data-testid="member-card" data-phone={m.phone} className="space-y-1 px-2 py-3">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <Link href={memberHref(m.id)} className={`${TOUCH} ${NAME}`}>
              {fullName(m)}
            </Link>
            {m.subscription !== 'subscribed' && (
              <Badge tone={m.subscription === 'unsubscribed' ? 'amber' : 'slate'}>
                {SUBSCRIPTION_LABELS[m.subscription]}
              </Badge>
            )}
          </div>
          <p className="text-sm tabular-nums text-slate-700">{m.phoneDisplay}</p>
          {(m.branchName || m.email) && (
            <p className="text-sm text-slate-600 [overflow-wrap:anywhere]">
              {[m.branchName, m.email].filter(Boolean).join(' · ')}
            </p>
          )}
          {m.tags.length > 0 && (
            <p className="flex flex-wrap gap-1">
              {m.tags.map((t) => (
                <Badge key={t}>{t}</Badge>
              ))}
            </p>
          )}
          <div className="flex flex-wrap gap-2 pt-1">
            <Button
              size="sm"
              variant="secondary"
              className={TOUCH}
              onClick={() => onEdit(m)}
              aria-label={`Edit ${fullName(m)}`}
            >
              Edit
            </Button>
            {canDelete && (
              <Button
                size="sm"
                variant="dangerOutline"
                className={TOUCH}
                onClick={() => onDelete(m)}
                aria-label={`Delete ${fullName(m)}`}
              >
                Delete
              </Button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
