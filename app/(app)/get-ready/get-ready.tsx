'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage } from '../../_components/errors';
import { LocalTime } from '../../_components/local-time';
import { shortDate } from '../../_components/time';
import { Alert, Loading, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { RegistrationForm, type FormMode } from './registration-form';
import {
  allRegistered,
  awaitingCarriers,
  numbersOf,
  pathState,
  type OwnedNumber,
  type Overview,
  type PathState,
  type RegistrationPath,
} from './status';

const pollMs = (overview: Overview) => (overview.simulated ? 2_000 : 60_000);
const cardTone = (done: boolean) => (done ? 'bg-green-50 ring-green-200' : 'bg-slate-50 ring-slate-200');
const linkClass = 'font-medium text-brand-600 underline-offset-2 hover:underline';

/**
 * "Get ready to text": the checklist from a bought number to a registered one, and a form for each registration the
 * church's numbers need. Owner only: the registration speaks for the church to carriers, with its tax id.
 */
export function GetReady() {
  if (!useCan('registration.manage'))
    return (
      <Panel id="get-ready" title="Registering your number">
        <p className="text-sm text-slate-600">
          Only your church’s owner registers the sending number with US carriers, because it speaks for the church with
          its tax id. Ask them to open “Get ready to text” from the dashboard.
        </p>
      </Panel>
    );
  return <OwnerView />;
}

function OwnerView() {
  const trpc = useTRPC();
  const overview = useQuery(
    trpc.registration.get.queryOptions(undefined, {
      // Carriers answer by themselves: look again while a review or an attachment is under way (often, in local mode,
      // where the simulated review takes seconds; once a minute for real carriers, who take days).
      refetchInterval: ({ state: { data } }) => (data && awaitingCarriers(data) ? pollMs(data) : false),
    }),
  );
  if (overview.isPending)
    return (
      <Panel id="get-ready" title="Checklist">
        <Loading />
      </Panel>
    );
  if (overview.error)
    return (
      <Panel id="get-ready" title="Checklist">
        <Alert>{errorMessage(overview.error)}</Alert>
      </Panel>
    );
  const data = overview.data;
  return (
    <div className="space-y-6">
      <Checklist overview={data} />
      {data.paths.length === 0 ? (
        <Panel id="registration" title="Registration">
          <p className="text-sm text-slate-600">
            Registration is for the number you text from, so buy one first.{' '}
            <Link href="/settings#phone-numbers" className={linkClass}>
              Buy a number in Settings
            </Link>{' '}
            and its form appears here.
          </p>
        </Panel>
      ) : (
        data.paths.map((path) => <PathPanel key={path.kind} path={path} overview={data} />)
      )}
    </div>
  );
}

type Step = { id: string; title: string; done: boolean; detail: string; link?: { href: string; label: string } };

function Checklist({ overview }: { overview: Overview }) {
  const { numbers, paths, simulated } = overview;
  const registrations = paths.map((p) => p.registration);
  const steps: Step[] = [
    {
      id: 'number',
      title: 'Number bought',
      done: numbers.some((n) => n.active),
      detail: 'A number of your church’s own to text from, bought in Settings.',
      link: { href: '/settings#phone-numbers', label: 'Buy a number' },
    },
    {
      id: 'submitted',
      title: 'Registration submitted',
      done: paths.length > 0 && registrations.every((r) => r && r.status !== 'rejected'),
      detail: 'You told carriers who your church is and what it texts, with the form below.',
    },
    {
      id: 'approved',
      title: 'Registration approved',
      done: paths.length > 0 && registrations.every((r) => r?.status === 'approved'),
      detail: simulated
        ? 'Carriers check the details by hand: it can take days, weeks for some. While texting is in practice ' +
          'mode, a practice review approves it in a few seconds.'
        : 'Carriers check the details by hand: it can take a few days, and a few weeks for some. This page ' +
          'updates by itself.',
    },
    {
      id: 'attached',
      title: 'Number attached to the approved campaign',
      done: allRegistered(numbers),
      detail: 'Steeple links each of your numbers to the approved registration. Then texts to US numbers go out.',
    },
  ];
  return (
    <Panel
      id="get-ready"
      title="Checklist"
      description="US carriers only deliver texts from numbers registered with them. Four steps, most of them waiting."
    >
      <ol aria-label="Get ready to text" className="space-y-3">
        {steps.map((step, i) => (
          <li
            key={step.id}
            data-testid={`ready-step-${step.id}`}
            data-done={step.done}
            className={`flex gap-3 rounded-xl p-3 ring-1 ${cardTone(step.done)}`}
          >
            <span
              aria-hidden
              className={`grid size-6 shrink-0 place-items-center rounded-full text-xs ${
                step.done ? 'bg-green-600 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-300'
              }`}
            >
              {step.done ? '✓' : i + 1}
            </span>
            <div className="min-w-0">
              <p className="text-sm font-semibold text-slate-900">
                {step.title}
                <span className="sr-only">{step.done ? ' (done)' : ' (not done yet)'}</span>
              </p>
              <p className="mt-0.5 text-sm text-slate-600">{step.detail}</p>
              {step.link && !step.done && (
                <Link href={step.link.href} className={`mt-1 inline-block text-sm ${linkClass}`}>
                  {step.link.label} →
                </Link>
              )}
            </div>
          </li>
        ))}
      </ol>
    </Panel>
  );
}

const TITLES = { '10dlc': '10DLC registration (local number)', toll_free: 'Toll-free verification' } as const;
const DESCRIPTIONS = {
  '10dlc':
    'Local numbers are registered through The Campaign Registry: your church as a “brand”, and what it texts as a ' +
    '“campaign” that your numbers are attached to.',
  toll_free: 'Toll-free numbers are verified instead: the same details, checked by the toll-free carrier.',
} as const;

const MODES: Record<PathState, FormMode> = {
  new: 'first',
  rejected: 'again',
  unverified: 'newNumber',
  reviewing: 'reviewing',
  attaching: 'sent',
  done: 'sent',
};

function PathPanel({ path, overview }: { path: RegistrationPath; overview: Overview }) {
  const state = pathState(path, overview.numbers);
  const reg = path.registration;
  return (
    <Panel id={`registration-${path.kind}`} title={TITLES[path.kind]} description={DESCRIPTIONS[path.kind]}>
      <div className="space-y-5">
        {reg && state === 'reviewing' && (
          <div role="status" className="rounded-lg bg-brand-50 px-3 py-2 text-sm text-brand-700 ring-1 ring-brand-100">
            <p className="font-semibold">Carriers are reviewing your registration</p>
            <p className="mt-1">
              Sent <LocalTime value={reg.submittedAt} format={shortDate} />.{' '}
              {overview.simulated
                ? 'Texting is in practice mode: a practice review approves it in a few seconds.'
                : 'It usually takes a few days, and a few weeks for some. You can leave: this page updates by itself.'}
            </p>
          </div>
        )}
        {reg && state === 'rejected' && <Rejected reasons={reg.reasons} />}
        {reg?.status === 'approved' && (
          <Approved kind={path.kind} numbers={numbersOf(overview, path.kind)} decidedAt={reg.decidedAt} />
        )}
        <RegistrationForm
          // A new answer from the carriers starts the form again from what was sent.
          key={`${reg?.status ?? 'new'}:${reg ? new Date(reg.submittedAt).getTime() : 0}`}
          kind={path.kind}
          mode={MODES[state]}
          initial={reg ? { ...reg.details } : overview.draft}
        />
      </div>
    </Panel>
  );
}

function Rejected({ reasons }: { reasons: string[] }) {
  return (
    // Polite: it is news when it arrives while the page is open, not an emergency on every visit.
    <div role="status" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
      <p className="font-semibold">Carriers turned it down</p>
      {reasons.length > 0 ? (
        <>
          <p className="mt-1">They said:</p>
          <ul className="mt-1 list-disc space-y-1 pl-5 break-words">
            {reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="mt-1">They gave no reason.</p>
      )}
      <p className="mt-1">Correct the form below and submit it again: carriers then review it again.</p>
    </div>
  );
}

function Approved({
  kind,
  numbers,
  decidedAt,
}: {
  kind: RegistrationPath['kind'];
  numbers: OwnedNumber[];
  decidedAt: Date | string | null;
}) {
  return (
    <div role="status" className="rounded-lg bg-green-50 px-3 py-2 text-sm text-green-800 ring-1 ring-green-200">
      <p className="font-semibold">Approved</p>
      {decidedAt && (
        <p className="mt-1">
          Carriers approved it on <LocalTime value={decidedAt} format={shortDate} />.
        </p>
      )}
      <ul aria-label={`Numbers on the ${kind === '10dlc' ? '10DLC campaign' : 'toll-free verification'}`}>
        {numbers.map((n) => (
          <li
            key={n.number}
            className="mt-1 flex flex-wrap gap-x-2"
            data-testid="registered-number"
            data-number={n.number}
            data-registered={n.registered}
          >
            <span className="font-medium">{n.display}</span>
            <span>
              {n.registered
                ? kind === '10dlc'
                  ? 'Attached: it can text US numbers.'
                  : 'Verified: it can text US numbers.'
                : kind === '10dlc'
                  ? 'Being attached to the campaign…'
                  : 'Bought after the verification: submit the form below again to verify it too.'}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
