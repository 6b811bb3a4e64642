import type { ButtonHTMLAttributes, ReactNode } from 'react';
import Link from 'next/link';

/**
 * The few shared building blocks every page uses. Pure markup (no hooks), so server and client components both use
 * them.
 */

export function Card({
  title,
  subtitle,
  children,
  titleId,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  titleId?: string;
}) {
  return (
    <section
      aria-labelledby={titleId}
      className="mx-auto w-full rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8"
    >
      <h1
        id={titleId}
        tabIndex={titleId ? -1 : undefined}
        className="text-2xl font-semibold tracking-tight focus:outline-none"
      >
        {title}
      </h1>
      {subtitle && <p className="mt-1 text-sm text-slate-600">{subtitle}</p>}
      <div className="mt-6">{children}</div>
    </section>
  );
}

/** A titled section of an app page. */
export function Panel({
  title,
  description,
  children,
  id,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  id?: string;
}) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section
      id={id}
      aria-labelledby={headingId}
      className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:p-6"
    >
      <h2 id={headingId} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

export function PageHeading({ title, description }: { title: ReactNode; description?: ReactNode }) {
  return (
    <div className="mb-6">
      {/* A long unbroken word (a church's name) wraps rather than widening the page. */}
      <h1 className="text-2xl font-semibold tracking-tight [overflow-wrap:anywhere] sm:text-3xl">{title}</h1>
      {description && (
        <p className="mt-1 text-sm text-slate-600 [overflow-wrap:anywhere] sm:text-base">{description}</p>
      )}
    </div>
  );
}

const variants = {
  primary: 'bg-brand-600 text-white hover:bg-brand-700 shadow-sm',
  secondary: 'bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 shadow-sm',
  danger: 'bg-red-600 text-white hover:bg-red-700 shadow-sm',
  dangerOutline: 'bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50',
  ghost: 'text-slate-700 hover:bg-slate-100',
} as const;

const buttonClass =
  'inline-flex items-center justify-center gap-2 rounded-lg font-medium transition-colors ' +
  'disabled:cursor-not-allowed disabled:opacity-60';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof variants;
  block?: boolean;
  size?: 'md' | 'sm';
};

/** Always a real <button>; `type` defaults to "button", so a submit button says so. */
export function Button({
  className = '',
  variant = 'primary',
  block = false,
  size = 'md',
  type = 'button',
  ...props
}: ButtonProps) {
  const sizing = size === 'sm' ? 'px-3 py-1.5 text-sm' : 'px-4 py-2.5 text-sm';
  return (
    <button
      type={type}
      className={`${buttonClass} ${sizing} ${variants[variant]} ${block ? 'w-full' : ''} ${className}`}
      {...props}
    />
  );
}

/**
 * A link up to the page above ("← All members"): 44 px tall on a phone, for a thumb; the arrow is decoration, so the
 * link is named by its words.
 */
export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link
      href={href}
      className={
        'inline-flex min-h-11 items-center font-medium text-brand-600 underline-offset-2 hover:underline sm:min-h-6'
      }
    >
      <span aria-hidden="true">←&nbsp;</span>
      {children}
    </Link>
  );
}

/** An error the user should notice at once (announced by screen readers as it appears). */
export function Alert({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
      {children}
    </p>
  );
}

/** An automatic sign-in that did not work: say why and offer the sign-in page. */
export function SigninFallback({ message }: { message: string }) {
  return (
    <>
      <Alert>{message}</Alert>
      <Link href="/login" className="inline-block text-sm font-medium text-brand-600 underline">
        Go to sign in
      </Link>
    </>
  );
}

/** A polite live region that shows `message` as a Notice (empty and hidden until there is one). */
export function StatusNotice({ message }: { message: string }) {
  return (
    <div aria-live="polite" className="empty:hidden">
      {message && <Notice>{message}</Notice>}
    </div>
  );
}

/** A calm confirmation or piece of news (a polite status message). */
export function Notice({ children, tone = 'success' }: { children: ReactNode; tone?: 'success' | 'info' }) {
  const colours =
    tone === 'success' ? 'bg-green-50 text-green-800 ring-green-200' : 'bg-brand-50 text-brand-700 ring-brand-100';
  return (
    <div role="status" className={`rounded-lg px-3 py-2 text-sm ring-1 ${colours}`}>
      {children}
    </div>
  );
}

export function Badge({ children, tone = 'slate' }: { children: ReactNode; tone?: 'slate' | 'brand' | 'amber' }) {
  const colours = {
    slate: 'bg-slate-100 text-slate-700',
    brand: 'bg-brand-50 text-brand-700',
    amber: 'bg-amber-50 text-amber-800',
  }[tone];
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${colours}`}>
      {children}
    </span>
  );
}

/**
 * What is loading, as a skeleton of grey rows (the page keeps its shape instead of a spinner jumping to content); the
 * words are for screen readers.
 */
export function Loading({ label = 'Loading…', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div role="status" className="space-y-2.5 py-1" data-testid="skeleton">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <span
          key={i}
          aria-hidden
          className="block h-4 rounded bg-slate-200 motion-safe:animate-pulse"
          style={{ width: SKELETON_WIDTHS[i % SKELETON_WIDTHS.length] }}
        />
      ))}
    </div>
  );
}

/** Rows of different lengths read as content on its way rather than as a grey box. */
const SKELETON_WIDTHS = ['92%', '76%', '84%', '58%'];

/** The frame of the signed-out pages (sign in, sign up, onboarding, invitation): the wordmark above a centred card. */
export function AuthFrame({ children, wide }: { children: ReactNode; wide?: boolean }) {
  return (
    <main className="flex min-h-screen flex-col items-center px-4 py-8 sm:py-16">
      <Link href="/" className="mb-6 flex items-center gap-2 rounded-md text-slate-900 sm:mb-8">
        <span
          aria-hidden
          className="grid size-8 place-items-center rounded-lg bg-brand-600 text-sm font-bold text-white"
        >
          S
        </span>
        <span className="text-lg font-semibold tracking-tight">Steeple</span>
      </Link>
      <div className={`w-full ${wide ? 'max-w-lg' : 'max-w-md'}`}>{children}</div>
    </main>
  );
}
