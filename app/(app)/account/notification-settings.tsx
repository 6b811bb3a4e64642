'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { clockOf } from '@/server/messaging/clock';
import { INBOUND_CHOICES, INBOUND_LABELS, type InboundChoice } from '@/server/notifications/kinds';
import { errorMessage } from '../../_components/errors';
import { SelectField, TextField } from '../../_components/fields';
import { Alert, Button, Loading, Notice, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';

type Choices = { inbound: InboundChoice; connectCard: boolean; sequenceReply: boolean };
type Channel = 'email' | 'push';

const DESCRIPTION = 'What you hear about, and how. These are yours: everyone on the team chooses their own.';

/** The account page's Notifications section: email and browser choices, the daily digest, this browser's switch. */
export function NotificationSettings() {
  const trpc = useTRPC();
  const current = useQuery(trpc.notifications.get.queryOptions());
  // Above the form: a save remounts it (keyed by what was saved), and the word that it was saved must stay.
  const [done, setDone] = useState('');
  return (
    <Panel id="notifications" title="Notifications" description={DESCRIPTION}>
      {current.data ? (
        // Keyed by what was saved, so the form starts again from the server's copy after a save.
        <NotificationsForm key={JSON.stringify(current.data)} saved={current.data} done={done} setDone={setDone} />
      ) : current.error ? (
        <Alert>{errorMessage(current.error)}</Alert>
      ) : (
        <Loading />
      )}
    </Panel>
  );
}

type Saved = {
  email: Choices;
  push: Choices;
  digestMinute: number | null;
  timezone: string;
  emailConfigured: boolean;
  pushKey: string | null;
  browsers: number;
};

function NotificationsForm({
  saved,
  done,
  setDone,
}: {
  saved: Saved;
  done: string;
  setDone: (message: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [choices, setChoices] = useState({ email: saved.email, push: saved.push });
  const [digestOn, setDigestOn] = useState(saved.digestMinute !== null);
  const [digestTime, setDigestTime] = useState(clockOf(saved.digestMinute ?? 8 * 60));
  const update = useMutation(
    trpc.notifications.update.mutationOptions({
      onSuccess: (data) => {
        setDone('Notifications saved.');
        queryClient.setQueryData(trpc.notifications.get.queryKey(), data);
      },
    }),
  );
  const set = (channel: Channel, change: Partial<Choices>) =>
    setChoices((c) => ({ ...c, [channel]: { ...c[channel], ...change } }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    const [h, m] = digestTime.split(':').map(Number);
    const digestMinute = digestOn && h !== undefined && m !== undefined ? h * 60 + m : null;
    update.mutate({ ...choices, digestMinute });
  };

  return (
    <form className="space-y-6" onSubmit={submit}>
      <ChannelFields
        channel="email"
        legend="Email"
        hint={
          saved.emailConfigured
            ? 'To your sign-in address, at most one email a minute listing everything since the last.'
            : 'Email is not set up on this server yet: notification emails go to its log instead.'
        }
        value={choices.email}
        onChange={(c) => set('email', c)}
      />
      <ChannelFields
        channel="push"
        legend="Browser notifications"
        hint="At once, on every computer or phone where you turn them on."
        value={choices.push}
        onChange={(c) => set('push', c)}
        disabled={!saved.pushKey}
      >
        <BrowserSwitch pushKey={saved.pushKey} browsers={saved.browsers} />
      </ChannelFields>
      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">Daily digest</legend>
        <Check
          id="digest-on"
          label="Email me a daily digest"
          hint="The last 24 hours: unread conversations, connect cards and replies to sequences. None on a quiet day."
          checked={digestOn}
          onChange={setDigestOn}
        />
        <div className="max-w-[12rem]">
          <TextField
            id="digest-time"
            label="At"
            type="time"
            required={digestOn}
            disabled={!digestOn}
            value={digestTime}
            onChange={(e) => setDigestTime(e.target.value)}
            hint={`The church's time (${saved.timezone}).`}
          />
        </div>
      </fieldset>
      <div aria-live="polite" className="empty:hidden">
        {update.error && <Alert>{errorMessage(update.error)}</Alert>}
        {done && <Notice>{done}</Notice>}
      </div>
      <Button type="submit" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save notifications'}
      </Button>
    </form>
  );
}

function ChannelFields({
  channel,
  legend,
  hint,
  value,
  onChange,
  disabled,
  children,
}: {
  channel: Channel;
  legend: string;
  hint: string;
  value: Choices;
  onChange: (change: Partial<Choices>) => void;
  disabled?: boolean;
  children?: React.ReactNode;
}) {
  return (
    <fieldset className="space-y-3" disabled={disabled}>
      <legend className="text-sm font-semibold text-slate-900">{legend}</legend>
      <p className="-mt-2 text-xs text-slate-500">{hint}</p>
      {children}
      <div className="max-w-sm">
        <SelectField
          id={`${channel}-inbound`}
          label="New texts"
          value={value.inbound}
          onChange={(e) => onChange({ inbound: e.target.value as InboundChoice })}
        >
          {INBOUND_CHOICES.map((c) => (
            <option key={c} value={c}>
              {INBOUND_LABELS[c]}
            </option>
          ))}
        </SelectField>
      </div>
      <Check
        id={`${channel}-cards`}
        label="Connect cards"
        hint="Someone filled in the church's connect card."
        checked={value.connectCard}
        onChange={(on) => onChange({ connectCard: on })}
      />
      <Check
        id={`${channel}-replies`}
        label="Replies to sequences"
        hint="Someone answered a text a sequence sent them."
        checked={value.sequenceReply}
        onChange={(on) => onChange({ sequenceReply: on })}
      />
    </fieldset>
  );
}

function Check(props: { id: string; label: string; hint: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <div className="flex items-start gap-3">
      <input
        id={props.id}
        type="checkbox"
        className="mt-0.5 size-4 shrink-0 disabled:cursor-not-allowed"
        checked={props.checked}
        aria-describedby={`${props.id}-hint`}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <div className="min-w-0">
        <label htmlFor={props.id} className="block text-sm font-medium text-slate-800">
          {props.label}
        </label>
        <p id={`${props.id}-hint`} className="text-xs text-slate-500">
          {props.hint}
        </p>
      </div>
    </div>
  );
}

type BrowserState = 'checking' | 'unsupported' | 'off' | 'on' | 'denied';

/** The VAPID public key, as PushManager.subscribe wants it. */
const keyBytes = (key: string) =>
  Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

const pushSupported = () =>
  typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** "Turn on browser notifications": registers /sw.js, asks permission, subscribes with the server's key. */
function BrowserSwitch({ pushKey, browsers }: { pushKey: string | null; browsers: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<BrowserState>('checking');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const subscribe = useMutation(trpc.notifications.subscribePush.mutationOptions());
  const unsubscribe = useMutation(trpc.notifications.unsubscribePush.mutationOptions());

  useEffect(() => {
    if (!pushKey) return;
    let live = true;
    const look = async (): Promise<BrowserState> => {
      if (!pushSupported()) return 'unsupported';
      if (Notification.permission === 'denied') return 'denied';
      const registration = await navigator.serviceWorker.getRegistration('/');
      return (await registration?.pushManager.getSubscription()) ? 'on' : 'off';
    };
    look()
      .catch((): BrowserState => 'off')
      .then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, [pushKey]);

  if (!pushKey)
    return (
      <Notice tone="info">
        Browser notifications are not set up on this server. Whoever runs Steeple can turn them on (VAPID keys).
      </Notice>
    );

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.get.queryKey() });
  const turnOn = async () => {
    setBusy(true);
    setProblem('');
    try {
      if ((await Notification.requestPermission()) !== 'granted') return setState('denied');
      const registration = await navigator.serviceWorker.register('/sw.js');
      await navigator.serviceWorker.ready;
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(pushKey) }));
      const json = subscription.toJSON();
      await subscribe.mutateAsync({
        endpoint: subscription.endpoint,
        keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      });
      setState('on');
      await refresh();
    } catch (err) {
      setProblem(err instanceof Error && 'data' in err ? errorMessage(err) : 'This browser could not turn them on.');
    } finally {
      setBusy(false);
    }
  };
  const turnOff = async () => {
    setBusy(true);
    setProblem('');
    try {
      const registration = await navigator.serviceWorker.getRegistration('/');
      const subscription = await registration?.pushManager.getSubscription();
      if (subscription) {
        await unsubscribe.mutateAsync({ endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      setState('off');
      await refresh();
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const others = browsers - (state === 'on' ? 1 : 0);
  return (
    <div className="space-y-2 rounded-lg bg-slate-50 p-3 text-sm text-slate-700">
      <p aria-live="polite">
        {state === 'checking' && 'Checking this browser…'}
        {state === 'unsupported' && 'This browser cannot show notifications from Steeple.'}
        {state === 'denied' && 'Notifications are blocked for Steeple in this browser: allow them in its settings.'}
        {state === 'off' && 'Off in this browser.'}
        {state === 'on' && 'On in this browser.'}
        {others > 0 && ` Also on in ${others} other ${others === 1 ? 'browser' : 'browsers'}.`}
      </p>
      {state === 'off' && (
        <Button size="sm" variant="secondary" disabled={busy} onClick={() => void turnOn()}>
          {busy ? 'Turning on…' : 'Turn on browser notifications'}
        </Button>
      )}
      {state === 'on' && (
        <Button size="sm" variant="secondary" disabled={busy} onClick={() => void turnOff()}>
          {busy ? 'Turning off…' : 'Turn off in this browser'}
        </Button>
      )}
      {problem && <Alert>{problem}</Alert>}
    </div>
  );
}
