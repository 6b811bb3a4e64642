import Link from 'next/link';
import type { ReactNode } from 'react';

/**
 * One number with its name, for a <dl> of summary cards. With `href` the name is a link stretched over the whole
 * card (one tab stop, valid <dl> markup), so the card is a way into the details; focused from the keyboard, the
 * outline goes round the card (the link's stretched ::after), not round the name alone.
 */
const cardClass = 'relative rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200';
const linkedCardClass = 'focus-within:ring-brand-600 hover:ring-brand-600';
const stretchedLinkClass =
  'after:absolute after:inset-0 after:rounded-2xl focus-visible:outline-none ' +
  'focus-visible:after:outline-2 focus-visible:after:outline-offset-2 focus-visible:after:outline-brand-600';

export function StatCard({
  id,
  label,
  value,
  detail,
  href,
}: {
  id: string;
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  href?: string;
}) {
  return (
    <div className={`${cardClass} ${href ? linkedCardClass : ''}`}>
      <dt className="text-sm font-medium text-slate-600">
        {href ? (
          <Link href={href} className={stretchedLinkClass}>
            {label}
          </Link>
        ) : (
          label
        )}
      </dt>
      <dd className="mt-1 text-3xl font-semibold tracking-tight text-slate-900" data-testid={`stat-${id}`}>
        {value}
      </dd>
      {detail && <dd className="mt-1 text-xs text-slate-500">{detail}</dd>}
    </div>
  );
}
