'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { downloadBlob } from '../../_components/download';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { FormDialog } from '../../_components/form-dialog';
import { LocalTime } from '../../_components/local-time';
import { longDate } from '../../_components/time';
import { useForm } from '../../_components/use-form';
import { Alert, Badge, Button, Loading, Notice, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';

/**
 * Two-factor sign-in on the Account page: set up with a QR code and one code from the app, then ten recovery codes
 * shown once; later, new codes or turning it off (each asks for the password).
 */
export function TwoFactorSettings({ required }: { required?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Panel
      id="two-factor"
      title="Two-factor sign-in"
      description={
        'Each sign-in asks for a code from an authenticator app on your phone (Google Authenticator, ' +
        'Microsoft Authenticator, 1Password…), so a stolen password is not enough.'
      }
    >
      {required && !status.data?.enabled && (
        <div className="mb-4">
          <Alert>Your church requires two-factor sign-in. Set it up to continue using Steeple.</Alert>
        </div>
      )}
      {codes ? (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            if (required) router.refresh(); // the page this admin asked for, now that the church's rule is met
          }}
        />
      ) : !status.data ? (
        status.error ? (
          <Alert>{errorMessage(status.error)}</Alert>
        ) : (
          <Loading />
        )
      ) : status.data.enabled ? (
        <TwoFactorOn status={status.data} onNewCodes={setCodes} />
      ) : (
        <Enrol onEnabled={setCodes} />
      )}
    </Panel>
  );
}

type Status = { enabledAt: Date | null; recoveryCodesLeft: number; requiredByTeam: boolean };

function TwoFactorOn({ status, onNewCodes }: { status: Status; onNewCodes: (codes: string[]) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<'codes' | 'off' | null>(null);
  const newCodes = useMutation(trpc.twoFactor.newRecoveryCodes.mutationOptions());
  const disable = useMutation(trpc.twoFactor.disable.mutationOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() });
  return (
    <div className="space-y-4 text-sm">
      <p className="flex flex-wrap items-center gap-2">
        <Badge tone="brand">On</Badge>
        <span className="text-slate-700">
          Since <LocalTime value={status.enabledAt!} format={longDate} />. {status.recoveryCodesLeft} of 10 recovery
          codes left.
        </span>
      </p>
      {status.requiredByTeam && <p className="text-slate-600">Your church requires it for everyone on the team.</p>}
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button variant="secondary" onClick={() => setAsking('codes')}>
          New recovery codes
        </Button>
        {!status.requiredByTeam && (
          <Button variant="dangerOutline" onClick={() => setAsking('off')}>
            Turn off
          </Button>
        )}
      </div>
      <PasswordCheck
        open={asking === 'codes'}
        title="New recovery codes"
        description="Your current recovery codes will stop working."
        submitLabel="Make new codes"
        onClose={() => setAsking(null)}
        run={async (password) => {
          const { recoveryCodes } = await newCodes.mutateAsync({ password });
          setAsking(null);
          void refresh();
          onNewCodes(recoveryCodes);
        }}
      />
      <PasswordCheck
        open={asking === 'off'}
        title="Turn off two-factor sign-in?"
        description="Signing in will need only your password again."
        submitLabel="Turn off"
        onClose={() => setAsking(null)}
        run={async (password) => {
          await disable.mutateAsync({ password });
          setAsking(null);
          void refresh();
        }}
      />
    </div>
  );
}

/** A dialog asking for the password before a change to two-factor sign-in. */
function PasswordCheck(props: {
  open: boolean;
  title: string;
  description: string;
  submitLabel: string;
  run: (password: string) => Promise<void>;
  onClose: () => void;
}) {
  const { values, setValues, errors, setErrors, bind } = useForm({ password: '' }, 'two-factor-');
  const run = useMutation({ mutationFn: props.run });
  const close = () => {
    setValues({ password: '' });
    setErrors({});
    run.reset();
    props.onClose();
  };
  return (
    <FormDialog
      open={props.open}
      title={props.title}
      description={props.description}
      submitLabel={props.submitLabel}
      pending={run.isPending}
      error={run.error && !errors.password ? errorMessage(run.error) : undefined}
      onClose={close}
      onSubmit={() => {
        if (!values.password) return setErrors({ password: 'Enter your password' });
        setErrors({});
        run.mutate(values.password, {
          onSuccess: () => setValues({ password: '' }),
          onError: (err) => setErrors({ password: fieldErrors(err).password }),
        });
      }}
    >
      <TextField {...bind('password')} label="Your password" type="password" autoComplete="current-password" />
    </FormDialog>
  );
}

function Enrol({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const begin = useMutation(trpc.twoFactor.begin.mutationOptions());
  const { values, setValues, setErrors, bind } = useForm({ code: '' }, 'enrol-');
  const codeRef = useRef<HTMLInputElement>(null);
  const confirm = useMutation(
    trpc.twoFactor.confirm.mutationOptions({
      onSuccess: ({ recoveryCodes }) => {
        onEnabled(recoveryCodes);
        void queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
      },
    }),
  );
  if (!begin.data)
    return (
      <div className="space-y-3">
        <Button onClick={() => begin.mutate()} disabled={begin.isPending}>
          {begin.isPending ? 'Preparing…' : 'Set up two-factor sign-in'}
        </Button>
        {begin.error && <Alert>{errorMessage(begin.error)}</Alert>}
      </div>
    );
  return (
    <form
      noValidate
      className="space-y-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        if (!/^\d{6}$/.test(values.code.replace(/\s/g, ''))) {
          setErrors({ code: 'Enter the 6 digits your app shows' });
          codeRef.current?.focus();
          return;
        }
        setErrors({});
        confirm.mutate(
          { code: values.code.replace(/\s/g, '') },
          {
            onError: (err) => {
              setErrors({ code: fieldErrors(err).code ?? errorMessage(err) });
              codeRef.current?.focus();
            },
          },
        );
      }}
    >
      <ol className="list-decimal space-y-3 pl-5 text-slate-700">
        <li>
          Scan this QR code with your authenticator app.
          {/* eslint-disable-next-line @next/next/no-img-element -- a data URL from the server: nothing to optimise */}
          <img
            src={begin.data.qrCode}
            alt="QR code to scan with your authenticator app"
            width={200}
            height={200}
            className="mt-2 rounded-lg ring-1 ring-slate-200"
          />
          <p className="mt-2">
            Cannot scan it? Enter this key in the app instead:{' '}
            <code data-testid="two-factor-key" className="break-all rounded bg-slate-100 px-1.5 py-0.5 font-mono">
              {begin.data.secret}
            </code>
          </p>
        </li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <TextField
        ref={codeRef}
        {...bind('code')}
        label="Code from the app"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={7}
      />
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button type="submit" disabled={confirm.isPending}>
          {confirm.isPending ? 'Checking…' : 'Turn on'}
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            setValues({ code: '' });
            begin.reset();
          }}
        >
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** Shown once: ten codes, each signs in once when the phone is not at hand. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `Steeple recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  return (
    <div className="space-y-4 text-sm">
      <Notice>Two-factor sign-in is on.</Notice>
      <p className="text-slate-700">
        Save these recovery codes somewhere safe. Each one signs you in once if your phone is not at hand. They are not
        shown again.
      </p>
      <ol aria-label="Recovery codes" className="grid grid-cols-2 gap-2 font-mono text-base text-slate-900">
        {codes.map((c) => (
          <li key={c} className="rounded bg-slate-100 px-2 py-1 text-center">
            {c}
          </li>
        ))}
      </ol>
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button
          variant="secondary"
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => {},
            )
          }
        >
          {copied ? 'Copied' : 'Copy codes'}
        </Button>
        <Button
          variant="secondary"
          onClick={() => downloadBlob(new Blob([text], { type: 'text/plain' }), 'steeple-recovery-codes.txt')}
        >
          Download
        </Button>
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </div>
  );
}
