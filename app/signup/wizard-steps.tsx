'use client';

import Link from 'next/link';
import { NewPasswordField } from '../_components/password-field';
import { SelectField, TextField } from '../_components/fields';
import { TimezoneField, zoneLabel } from '../_components/timezone-field';
import { Button } from '../_components/ui';
import { binder } from '../_components/use-form';

/** The signup wizard's three steps (wizard.tsx holds the state, the checks and the request). */
export type Form = {
  churchName: string;
  timezone: string;
  size: '' | 'under-100' | '100-499' | '500-1999' | '2000-plus';
  adminName: string;
  email: string;
  password: string;
};
export type Field = keyof Form;
export type Errors = Partial<Record<Field, string>>;
type StepProps = { form: Form; errors: Errors; set: <K extends Field>(name: K, value: Form[K]) => void };

const sizes = [
  { value: 'under-100', label: 'Under 100 people' },
  { value: '100-499', label: '100–499 people' },
  { value: '500-1999', label: '500–1,999 people' },
  { value: '2000-plus', label: '2,000 or more' },
] as const;

// Ids are the field names: the wizard moves focus by them.
const bindStep = ({ form, errors, set }: StepProps) => binder(form, errors, set);

export function ChurchStep(props: StepProps) {
  const bind = bindStep(props);
  return (
    <>
      <TextField {...bind('churchName')} label="Church name" autoComplete="organization" />
      <TimezoneField
        {...bind('timezone')}
        label="Timezone"
        onChange={(tz) => props.set('timezone', tz)}
        hint="Used for scheduled texts and reports."
      />
      <SelectField {...bind('size')} label="Size" hint="Optional. Roughly how many people attend.">
        <option value="">Prefer not to say</option>
        {sizes.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </SelectField>
    </>
  );
}

export function AdminStep({ emailTaken, ...props }: StepProps & { emailTaken: boolean }) {
  const bind = bindStep(props);
  return (
    <>
      <TextField {...bind('adminName')} label="Full name" autoComplete="name" />
      <TextField
        {...bind('email')}
        label="Email"
        type="email"
        inputMode="email"
        autoComplete="email"
        hint="You sign in with this."
      />
      <NewPasswordField {...bind('password')} label="Password" />
      {emailTaken && (
        <p className="text-sm text-slate-600">
          Already have an account?{' '}
          <Link href="/login" className="font-medium text-brand-600 underline-offset-2 hover:underline">
            Sign in
          </Link>
        </p>
      )}
    </>
  );
}

/** What will be created, each half with a way back to its step (focus lands on that step's first field). */
export function ReviewStep({ form, onEdit }: { form: Form; onEdit: (step: number, field: Field) => void }) {
  return (
    <div className="space-y-4">
      <Review
        title="Church"
        onEdit={() => onEdit(0, 'churchName')}
        editLabel="Edit church details"
        rows={[
          ['Church name', form.churchName.trim()],
          ['Timezone', zoneLabel(form.timezone)],
          ['Size', sizes.find((s) => s.value === form.size)?.label ?? 'Not given'],
        ]}
      />
      <Review
        title="You"
        onEdit={() => onEdit(1, 'adminName')}
        editLabel="Edit your details"
        rows={[
          ['Full name', form.adminName.trim()],
          ['Email', form.email.trim()],
          ['Password', '•'.repeat(Math.min(form.password.length, 12))],
        ]}
      />
      <p className="text-sm text-slate-600">
        You will be the owner of this workspace. You can invite your team once it is ready.
      </p>
    </div>
  );
}

function Review({
  title,
  rows,
  onEdit,
  editLabel,
}: {
  title: string;
  rows: [string, string][];
  onEdit: () => void;
  editLabel: string;
}) {
  return (
    <div className="rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
        <Button variant="ghost" size="sm" onClick={onEdit} aria-label={editLabel}>
          Edit
        </Button>
      </div>
      <dl className="mt-2 grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1.5 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="break-words font-medium text-slate-900">{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
