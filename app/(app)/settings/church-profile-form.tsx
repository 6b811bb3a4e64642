'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { useForm } from '../../_components/use-form';
import { TimezoneField } from '../../_components/timezone-field';
import { SelectField, TextField } from '../../_components/fields';
import { Alert, Loading, Panel } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { SaveBar } from '../../_components/save-bar';
import { useTRPC } from '../../trpc';
import { COMMON_COUNTRIES } from './countries';

type Church = RouterOutputs['church']['updateProfile'];
type Form = { churchName: string; timezone: string; country: string; contactPhone: string; contactEmail: string };

const toForm = (c: Church): Form => ({
  churchName: c.name,
  timezone: c.timezone,
  country: c.country,
  contactPhone: c.contactPhoneDisplay ?? '', // as the church reads it; saved back to E.164
  contactEmail: c.contactEmail ?? '',
});

export function ChurchProfileForm({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const profile = useQuery(trpc.church.profile.queryOptions());
  return (
    <Panel
      id="church-profile"
      title="Church profile"
      description={
        canEdit
          ? 'Members who text HELP get your contact phone and email.'
          : 'Only admins and the owner can change these.'
      }
    >
      {profile.isPending ? (
        <Loading />
      ) : profile.error ? (
        <Alert>{errorMessage(profile.error)}</Alert>
      ) : (
        <ProfileFields initial={toForm(profile.data.church)} canEdit={canEdit} />
      )}
    </Panel>
  );
}

function ProfileFields({ initial, canEdit }: { initial: Form; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const { values: form, setValues, errors, setErrors, set, bind } = useForm(initial, 'church-', () => setSaved(false));
  const update = useMutation(
    trpc.church.updateProfile.mutationOptions({
      onError: (err) => setErrors(fieldErrors(err)),
      onSuccess: (church) => {
        setValues(toForm(church)); // the server's normalised values (the phone in E.164)
        setSaved(true);
        // Everything: the country changes how every number on every page is shown (the server formats them).
        void queryClient.invalidateQueries();
        router.refresh(); // the header shows the church name from the server render
      },
    }),
  );
  const fieldError = Object.values(errors).some(Boolean);
  const countries = COMMON_COUNTRIES.some(([code]) => code === form.country)
    ? COMMON_COUNTRIES
    : [[form.country, form.country] as [string, string], ...COMMON_COUNTRIES];

  return (
    <form
      noValidate
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        setErrors({});
        update.mutate({
          ...form,
          contactPhone: form.contactPhone.trim() || null,
          contactEmail: form.contactEmail.trim() || null,
        });
      }}
    >
      <fieldset disabled={!canEdit} className="grid gap-4 sm:grid-cols-2">
        <TextField {...bind('churchName')} label="Church name" maxLength={80} />
        <TimezoneField
          {...bind('timezone')}
          label="Timezone"
          hint="Used for the dashboard’s days."
          onChange={(tz) => set('timezone', tz)}
          disabled={!canEdit}
        />
        <SelectField
          {...bind('country')}
          label="Country"
          hint="Members’ numbers without a + country code are read as this country’s."
        >
          {countries.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </SelectField>
        <div className="hidden sm:block" />
        <TextField {...bind('contactPhone')} label="Contact phone (optional)" type="tel" autoComplete="off" />
        <TextField {...bind('contactEmail')} label="Contact email (optional)" type="email" autoComplete="off" />
      </fieldset>
      {canEdit && (
        <SaveBar
          saved={saved}
          error={update.error}
          fieldError={fieldError}
          pending={update.isPending}
          label="Save profile"
        />
      )}
    </form>
  );
}
