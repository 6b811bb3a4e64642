'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Alert, Button, Card, SelectField, TextField } from '../_components/ui';
import { useTRPC } from '../trpc';
import { TICKET_KEY } from '../onboarding/ticket';

const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];

export default function SignupPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState({
    churchName: '',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    adminName: '',
    email: '',
    password: '',
  });
  const signup = useMutation(
    trpc.onboarding.signup.mutationOptions({
      onSuccess: ({ ticket }) => {
        sessionStorage.setItem(TICKET_KEY, ticket);
        router.push('/onboarding');
      },
    }),
  );
  const fieldErrors = signup.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;
  const err = (name: keyof typeof form) => fieldErrors?.[name]?.[0];
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value });

  return (
    <main className="px-4 py-12">
      <Card title="Create your workspace" subtitle="Your church gets its own private database, ready in about a second.">
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            signup.mutate(form);
          }}
        >
          <TextField id="churchName" label="Church name" value={form.churchName} onChange={set('churchName')} error={err('churchName')} required autoComplete="organization" />
          <SelectField id="timezone" label="Timezone" value={form.timezone} onChange={set('timezone')} error={err('timezone')}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </SelectField>
          <TextField id="adminName" label="Full name" value={form.adminName} onChange={set('adminName')} error={err('adminName')} required autoComplete="name" />
          <TextField id="email" label="Email" type="email" value={form.email} onChange={set('email')} error={err('email')} required autoComplete="email" />
          <TextField id="password" label="Password" type="password" value={form.password} onChange={set('password')} error={err('password')} hint="At least 10 characters." required minLength={10} maxLength={128} autoComplete="new-password" />
          {signup.error && !fieldErrors && <Alert>{signup.error.message}</Alert>}
          <Button type="submit" disabled={signup.isPending}>
            {signup.isPending ? 'Creating…' : 'Create workspace'}
          </Button>
        </form>
      </Card>
    </main>
  );
}
