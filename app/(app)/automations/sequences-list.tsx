'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage } from '../../_components/errors';
import { ToneBadge } from '../../_components/tone-badge';
import { useCustomFields } from '../../_components/use-merge-check';
import { Alert, Loading, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { buttonLink, stepsCount, triggerWords, type SequenceItem, type TriggerNames } from './labels';

/** The church's sequences with how many are going through each; admins and the owner start new ones. */
export function SequencesList() {
  const trpc = useTRPC();
  const canManage = useCan('sequences.manage');
  const list = useQuery(trpc.sequences.list.queryOptions());
  const names: TriggerNames = {
    keywords: useQuery(trpc.keywords.list.queryOptions()).data,
    fields: useCustomFields().data,
  };
  const items = list.data ?? [];
  return (
    <div className="space-y-6">
      {canManage && items.length > 0 && (
        <Link href="/automations/new" className={buttonLink}>
          New sequence
        </Link>
      )}
      <Panel id="sequences" title="Your sequences">
        {list.isPending ? (
          <Loading label="Loading sequences…" />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : items.length === 0 ? (
          <Empty canManage={canManage} />
        ) : (
          <ul className="-my-4 divide-y divide-slate-100" aria-label="Sequences">
            {items.map((s) => (
              <SequenceRow key={s.id} sequence={s} names={names} />
            ))}
          </ul>
        )}
      </Panel>
      <HowItWorks />
    </div>
  );
}

function Empty({ canManage }: { canManage: boolean }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center">
      <p className="font-medium text-slate-900">No sequences yet</p>
      <p className="mt-1 text-sm text-slate-600">
        A sequence is a few texts that go out by themselves, spaced out over days: a welcome when a guest fills in the
        connect card, a note from the pastor two days later, an invitation to lunch after a week.{' '}
        {canManage ? 'Build one and it runs for everyone it starts for.' : 'An admin can build one here.'}
      </p>
      {canManage && (
        <Link href="/automations/new" className={`${buttonLink} mt-4`}>
          New sequence
        </Link>
      )}
    </div>
  );
}

const COUNTS = [
  { key: 'enrolled', label: 'Enrolled' },
  { key: 'active', label: 'Active' },
  { key: 'finished', label: 'Finished' },
  { key: 'stopped', label: 'Stopped' },
] as const;

/** One sequence: its name (the way to its page), what starts it, its steps, and its people by state. */
function SequenceRow({ sequence: s, names }: { sequence: SequenceItem; names: TriggerNames }) {
  return (
    <li
      className="flex flex-col gap-3 py-4 lg:flex-row lg:items-start lg:justify-between lg:gap-6"
      data-testid="sequence"
      data-name={s.name}
      data-state={s.state}
    >
      <div className="min-w-0 flex-1 space-y-1">
        <h3 className="flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900">
          <Link
            href={`/automations/${s.id}`}
            className="break-words text-brand-700 underline-offset-2 hover:underline"
            data-testid="sequence-name"
          >
            {s.name}
          </Link>
          {s.state === 'paused' && (
            <ToneBadge tone="amber" testId="sequence-paused">
              Paused
            </ToneBadge>
          )}
        </h3>
        <p className="break-words text-sm text-slate-700" data-testid="sequence-trigger">
          {triggerWords(s.trigger, names)}
        </p>
        <p className="text-xs text-slate-500" data-testid="sequence-steps">
          {stepsCount(s.steps)}
        </p>
      </div>
      <dl className="grid shrink-0 grid-cols-4 gap-3 text-sm lg:w-80">
        {COUNTS.map((c) => (
          <div key={c.key}>
            <dt className="text-xs text-slate-500">{c.label}</dt>
            <dd className="font-semibold text-slate-900" data-testid={`sequence-${c.key}`}>
              {s[c.key].toLocaleString()}
            </dd>
          </div>
        ))}
      </dl>
    </li>
  );
}

/** What a sequence does and the rules around it, for everyone on the team. */
function HowItWorks() {
  return (
    <Panel id="how" title="How sequences work">
      <ul className="list-disc space-y-1.5 pl-5 text-sm text-slate-700">
        <li>
          Something starts it for a person: texting a keyword, filling in the connect card, getting a tag, a date such
          as their birthday, or an admin adding them by hand.
        </li>
        <li>
          Each step waits some hours or days after the one before, then sends its text, with merge fields like{' '}
          <code>{'{first_name|friend}'}</code> filled in. A wait of 0 hours sends right away.
        </li>
        <li>
          Only members who agreed to texts are enrolled. Anyone who texts STOP leaves every sequence; one who replies
          leaves it too, unless the sequence says otherwise, because a person is talking to them now.
        </li>
        <li>Quiet hours hold a step until they end. Texts from a sequence are marked “Automation” in the inbox.</li>
      </ul>
    </Panel>
  );
}
