'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { Alert, Button, Loading } from '../../_components/ui';
import type { RouterInputs, RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';

type Query = RouterInputs['phoneNumbers']['search'];
type Offer = RouterOutputs['phoneNumbers']['search'][number];

const money = new Map<string, Intl.NumberFormat>();
/** "$1.00 a month", with one formatter per currency. */
export function monthly(cents: number, currency: string) {
  let format = money.get(currency);
  if (!format) money.set(currency, (format = new Intl.NumberFormat('en-US', { style: 'currency', currency })));
  return `${format.format(cents / 100)} a month`;
}

export function useRefreshNumbers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.phoneNumbers.list.queryKey() });
}

/** Find a number by area code, city, state or toll-free, see what it costs a month, and buy it. */
export function NumberSearch({ onDone }: { onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const [form, setForm] = useState({ areaCode: '', city: '', state: '', tollFree: false });
  const [query, setQuery] = useState<Query | null>(null);
  const results = useQuery({ ...trpc.phoneNumbers.search.queryOptions(query ?? {}), enabled: query !== null });
  const errors = fieldErrors(results.error);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  return (
    <div className="space-y-3 border-t border-slate-100 pt-4">
      <h3 className="text-sm font-semibold text-slate-900">Find a number</h3>
      <form
        noValidate
        className="grid gap-3 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault();
          onDone('');
          setQuery({
            areaCode: form.areaCode.trim() || undefined,
            city: form.tollFree ? undefined : form.city.trim() || undefined,
            state: form.tollFree ? undefined : form.state.trim() || undefined,
            tollFree: form.tollFree || undefined,
          });
        }}
      >
        <TextField
          id="number-area-code"
          label="Area code"
          inputMode="numeric"
          maxLength={3}
          value={form.areaCode}
          error={errors.areaCode}
          onChange={(e) => set({ areaCode: e.target.value })}
        />
        <TextField
          id="number-city"
          label="City"
          value={form.city}
          disabled={form.tollFree}
          error={errors.city}
          onChange={(e) => set({ city: e.target.value })}
        />
        <TextField
          id="number-state"
          label="State"
          maxLength={2}
          hint="Two letters, like TN"
          value={form.state}
          disabled={form.tollFree}
          error={errors.state}
          onChange={(e) => set({ state: e.target.value })}
        />
        <div className="flex items-center gap-2 sm:col-span-2">
          <input
            id="number-toll-free"
            type="checkbox"
            className="size-4"
            checked={form.tollFree}
            onChange={(e) => set({ tollFree: e.target.checked })}
          />
          <label htmlFor="number-toll-free" className="text-sm text-slate-800">
            Toll-free (800, 888…): verified instead of 10DLC-registered, and the same number nationwide
          </label>
        </div>
        <div>
          <Button type="submit" disabled={results.isFetching}>
            {results.isFetching ? 'Searching…' : 'Search'}
          </Button>
        </div>
      </form>
      {query !== null &&
        (results.isPending ? (
          <Loading label="Searching…" />
        ) : results.error ? (
          Object.keys(errors).length === 0 && <Alert>{errorMessage(results.error)}</Alert>
        ) : results.data.length === 0 ? (
          <p className="text-sm text-slate-600">No numbers match. Try a nearby area code, or search by state.</p>
        ) : (
          <ul aria-label="Numbers for sale" className="divide-y divide-slate-100">
            {results.data.map((offer) => (
              <OfferRow key={offer.number} offer={offer} onDone={onDone} />
            ))}
          </ul>
        ))}
    </div>
  );
}

function OfferRow({ offer, onDone }: { offer: Offer; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshNumbers();
  const [confirming, setConfirming] = useState(false);
  const cost = offer.monthlyCostCents === null ? null : monthly(offer.monthlyCostCents, offer.currency);
  const order = useMutation(
    trpc.phoneNumbers.order.mutationOptions({
      onSuccess: (res) => {
        setConfirming(false);
        onDone(
          res.status === 'active'
            ? `${res.display} is yours. Register it with carriers (Get ready to text) before texting US phones.`
            : `${res.display} is ordered, and the carrier has not finished setting it up. It switches on by itself ` +
                'within minutes (or leaves this list if the order fails).',
        );
        void refresh();
      },
    }),
  );
  return (
    <li
      className="flex flex-wrap items-center justify-between gap-2 py-2"
      data-testid="number-offer"
      data-number={offer.number}
    >
      <div className="min-w-0">
        <p className="text-sm font-medium text-slate-900">{offer.display}</p>
        <p className="text-xs text-slate-500">{[offer.region, cost].filter(Boolean).join(' · ')}</p>
      </div>
      <Button size="sm" variant="secondary" onClick={() => setConfirming(true)} aria-label={`Buy ${offer.display}`}>
        Buy
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Buy ${offer.display}?`}
        confirmLabel="Buy number"
        tone="primary"
        pending={order.isPending}
        error={order.error}
        onCancel={() => setConfirming(false)}
        onConfirm={() => order.mutate({ phoneNumber: offer.number })}
      >
        <p>
          {cost ? `It costs ${cost}, ` : 'It is billed monthly, '}until you release it. Members who text it reach your
          inbox.
        </p>
      </ConfirmDialog>
    </li>
  );
}
