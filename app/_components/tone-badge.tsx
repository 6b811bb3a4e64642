import type { ReactNode } from 'react';

/** A status pill with more colours than ui.tsx's Badge: states that went well, badly, or are still under way. */
const tones = {
  slate: 'bg-slate-100 text-slate-700',
  brand: 'bg-brand-50 text-brand-700',
  amber: 'bg-amber-50 text-amber-800',
  green: 'bg-green-50 text-green-800',
  red: 'bg-red-50 text-red-800',
} as const;

export type Tone = keyof typeof tones;

const badgeClass = 'inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium';

export function ToneBadge({ children, tone = 'slate', testId }: { children: ReactNode; tone?: Tone; testId?: string }) {
  return (
    <span data-testid={testId} className={`${badgeClass} ${tones[tone]}`}>
      {children}
    </span>
  );
}
