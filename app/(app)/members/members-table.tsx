'use client';

import Link from 'next/link';
import { SUBSCRIPTION_LABELS } from '@/db/tenant/enums';
import { Badge, Button } from '../../_components/ui';
import { fullName, memberHref, nameLink, type MemberListProps } from './types';
import { TableHead } from '../../_components/table-head';

const COLUMNS = [
  'Name',
  'Phone',
  { label: 'Email', className: 'hidden md:table-cell' },
  'Branch',
  { label: 'Tags', className: 'hidden lg:table-cell' },
  { label: <span className="sr-only">Actions</span> },
];

/** The members, one row each, from a tablet's width up (a phone gets member-cards.tsx); each name opens their page. */
export function MembersTable({ items, canDelete, onEdit, onDelete }: MemberListProps) {
  return (
    <div className="-mx-5 overflow-x-auto sm:mx-0">
      <table className="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label="Members">
        <TableHead columns={COLUMNS} />
        <tbody className="divide-y divide-slate-100">
          {items.map((m) => (
            <tr key={m.id} data-testid="member-row" data-phone={m.phone}>
              <td className="px-3 py-2.5">
                <Link href={memberHref(m.id)} className={nameLink}>
                  {fullName(m)}
                </Link>
                {m.subscription !== 'subscribed' && (
                  <span className="ml-2">
                    <Badge tone={m.subscription === 'unsubscribed' ? 'amber' : 'slate'}>
                      {SUBSCRIPTION_LABELS[m.subscription]}
                    </Badge>
                  </span>
                )}
              </td>
              <td className="whitespace-nowrap px-3 py-2.5 tabular-nums text-slate-700">{m.phoneDisplay}</td>
              <td className="hidden max-w-56 truncate px-3 py-2.5 text-slate-600 md:table-cell">{m.email}</td>
              <td className="px-3 py-2.5 text-slate-600">{m.branchName}</td>
              <td className="hidden px-3 py-2.5 lg:table-cell">
                <span className="flex flex-wrap gap-1">
                  {m.tags.map((t) => (
                    <Badge key={t}>{t}</Badge>
                  ))}
                </span>
              </td>
              <td className="whitespace-nowrap px-3 py-2.5 text-right">
                <Button size="sm" variant="ghost" onClick={() => onEdit(m)} aria-label={`Edit ${fullName(m)}`}>
                  Edit
                </Button>
                {canDelete && (
                  <Button
                    size="sm"
                    variant="dangerOutline"
                    className="ml-1"
                    onClick={() => onDelete(m)}
                    aria-label={`Delete ${fullName(m)}`}
                  >
                    Delete
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
