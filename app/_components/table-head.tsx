import type { ReactNode } from 'react';

type Column = string | { label: ReactNode; className?: string };

/** A table's column headings in the house style; a column's `className` can hide it on small screens. */
export function TableHead({ columns, className = '' }: { columns: Column[]; className?: string }) {
  return (
    <thead className={`text-xs font-medium uppercase tracking-wide text-slate-500 ${className}`}>
      <tr>
        {columns.map((c, i) => {
          const { label, className: extra = '' } = typeof c === 'string' ? { label: c } : c;
          return (
            <th key={i} scope="col" className={`px-3 py-2 ${extra}`}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
