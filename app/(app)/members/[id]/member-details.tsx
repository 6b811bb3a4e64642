import type { ReactNode } from 'react';
import { spokenValue } from '@/server/custom-fields/rules';
import { Badge } from '../../../_components/ui';
import type { Profile } from './member-profile';

/** 24 px tall at least (WCAG 2.2's target size), wrapping a long address rather than widening the page. */
const LINK = 'inline-block py-0.5 font-medium text-brand-700 underline underline-offset-2 [overflow-wrap:anywhere]';

/** What the church knows of them: contact, branch, tags, first visit, notes, then the church's own fields. */
export function MemberDetails({ member: m, fields }: Pick<Profile, 'member' | 'fields'>) {
  const none = <span className="text-slate-500">—</span>;
  return (
    <dl
      className="grid gap-x-4 gap-y-3 text-sm sm:grid-cols-[minmax(0,10rem)_minmax(0,1fr)]"
      data-testid="member-details"
    >
      <Item label="Mobile phone">
        <a href={`tel:${m.phone}`} className={`${LINK} tabular-nums`}>
          {m.phoneDisplay}
        </a>
      </Item>
      <Item label="Email">
        {m.email ? (
          <a href={`mailto:${m.email}`} className={LINK}>
            {m.email}
          </a>
        ) : (
          none
        )}
      </Item>
      <Item label="Branch">{m.branchName ?? 'No branch'}</Item>
      <Item label="Tags">
        {m.tags.length ? (
          <span className="flex flex-wrap gap-1">
            {m.tags.map((t) => (
              <Badge key={t}>{t}</Badge>
            ))}
          </span>
        ) : (
          none
        )}
      </Item>
      <Item label="First visit">{spokenValue('date', m.firstVisitOn) ?? none}</Item>
      <Item label="Notes">{m.notes ? <span className="whitespace-pre-wrap">{m.notes}</span> : none}</Item>
      {fields.map((f) => (
        <Item key={f.id} label={f.label}>
          {f.value ?? none}
        </Item>
      ))}
    </dl>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="font-medium text-slate-600 [overflow-wrap:anywhere]">{label}</dt>
      <dd className="-mt-2 text-slate-900 [overflow-wrap:anywhere] sm:mt-0">{children}</dd>
    </div>
  );
}
