'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';

type Step = { id: string; title: string; done: boolean; href: string; action: string; detail: string };

const cardTone = (done: boolean) => (done ? 'bg-green-50 ring-green-200' : 'bg-slate-50 ring-slate-200');
const numberTone = (done: boolean) =>
  done ? 'bg-green-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-300';

/**
 * What a new church does first: a sending number, registered with US carriers, members, a first text. Shown until all
 * four are done. Only the owner can see the numbers and their registration; for anyone else, a first sent text is the
 * evidence that a registered number exists.
 */
export function NextSteps({ members, sent }: { members: number; sent: number }) {
  const trpc = useTRPC();
  const isOwner = useCan('numbers.manage');
  const numbers = useQuery(trpc.phoneNumbers.list.queryOptions(undefined, { enabled: isOwner }));
  const bought = numbers.data?.numbers.filter((n) => n.status === 'active' && n.provider !== 'claimed') ?? [];
  const hasNumber = isOwner ? bought.length > 0 : sent > 0;
  const registered = isOwner ? bought.length > 0 && bought.every((n) => n.registered) : sent > 0;

  const steps: Step[] = [
    {
      id: 'number',
      title: 'Get a sending number',
      done: hasNumber,
      href: '/settings#phone-numbers',
      action: isOwner ? 'Add a number' : 'Open settings',
      detail: isOwner
        ? 'Texts go out from it, and replies come back to it.'
        : 'Your church’s owner adds it in Settings.',
    },
    {
      id: 'register',
      title: 'Register your number',
      done: registered,
      href: '/get-ready',
      action: 'Get ready to text',
      detail: isOwner
        ? 'US carriers only deliver texts from numbers registered with them. Their review can take days.'
        : 'Your church’s owner registers it with US carriers.',
    },
    {
      id: 'members',
      title: 'Add your members',
      done: members > 0,
      href: '/members',
      action: 'Add members',
      detail: 'One at a time, or import a spreadsheet.',
    },
    {
      id: 'send',
      title: 'Send your first text',
      done: sent > 0,
      href: '/inbox',
      action: 'Open the inbox',
      detail: 'Text one person from the inbox, or everyone with a broadcast.',
    },
  ];
  if (isOwner && numbers.isPending) return null; // avoid flashing a step as not done
  if (steps.every((s) => s.done)) return null;

  return (
    <Panel id="next-steps" title="Next steps" description="Four things to get your church texting.">
      <ol className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Next steps">
        {steps.map((step, i) => (
          <li
            key={step.id}
            className={`rounded-xl p-4 ring-1 ${cardTone(step.done)}`}
            data-testid={`step-${step.id}`}
            data-done={step.done}
          >
            <p className="flex items-center gap-2 text-sm font-semibold text-slate-900">
              <span
                aria-hidden
                className={`grid size-6 place-items-center rounded-full text-xs ${numberTone(step.done)}`}
              >
                {step.done ? '✓' : i + 1}
              </span>
              {step.title}
              {step.done && <span className="sr-only">(done)</span>}
            </p>
            <p className="mt-1 text-sm text-slate-600">{step.detail}</p>
            {!step.done && (
              <Link
                href={step.href}
                className={
                  'mt-1 inline-flex min-h-11 items-center text-sm font-medium text-brand-600 underline-offset-2 ' +
                  'hover:underline sm:min-h-6'
                }
              >
                {step.action} →
              </Link>
            )}
          </li>
        ))}
      </ol>
    </Panel>
  );
}
