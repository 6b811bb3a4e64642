import type { ComponentPropsWithRef } from 'react';
import { TextField } from './fields';

const looks = {
  'too short': { bars: 1, colour: 'bg-red-500', text: 'Too short — use at least 10 characters.' },
  weak: { bars: 1, colour: 'bg-red-500', text: 'Weak — add capitals, numbers or symbols, or make it longer.' },
  fair: { bars: 2, colour: 'bg-amber-500', text: 'Fair — a few more characters would make it strong.' },
  strong: { bars: 3, colour: 'bg-green-600', text: 'Strong password.' },
} as const;

/** A new-password field with a live strength hint (announced politely as the strength changes, not per keystroke). */
export function NewPasswordField({
  id,
  label,
  value,
  error,
  ...input
}: { id: string; label: string; value: string; error?: string } & Omit<
  ComponentPropsWithRef<'input'>,
  'id' | 'value' | 'type'
>) {
  const strength = value ? passwordStrength(value) : null;
  const look = strength ? looks[strength] : null;
  const hint = look ? (
    <div className="flex items-center gap-2">
      <span aria-hidden className="flex gap-1">
        {[1, 2, 3].map((n) => (
          <span key={n} className={`h-1.5 w-6 rounded-full ${n <= look.bars ? look.colour : 'bg-slate-200'}`} />
        ))}
      </span>
      <span data-testid={`${id}-strength`} data-strength={strength}>
        <span className="sr-only">Password strength: </span>
        {look.text}
      </span>
    </div>
  ) : (
    'At least 10 characters. A short sentence works well.'
  );
  return (
    <TextField
      id={id}
      label={label}
      type="password"
      value={value}
      error={error}
      hint={hint}
      live
      minLength={10}
      maxLength={128}
      autoComplete="new-password"
      {...input}
    />
  );
}

/** A rough strength hint for the password field: length and variety, not a policy. */
function passwordStrength(pw: string): 'too short' | 'weak' | 'fair' | 'strong' {
  if (pw.length < 10) return 'too short';
  const variety = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length;
  if (pw.length >= 16 || (pw.length >= 12 && variety >= 3)) return 'strong';
  return variety >= 2 ? 'fair' : 'weak';
}
