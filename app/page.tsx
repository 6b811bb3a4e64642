import Link from 'next/link';

const secondaryLinkClass =
  'rounded-lg px-5 py-3 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-white';

export default function Home() {
  return (
    <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center px-6 py-16">
      <p className="text-sm font-semibold uppercase tracking-wide text-brand-600">Steeple</p>
      <h1 className="mt-2 text-4xl font-semibold tracking-tight sm:text-5xl">Texting and admin for your church</h1>
      <p className="mt-4 max-w-xl text-lg text-slate-600">
        Keep members and campuses in one place and text them — one to one or all at once. Your church&apos;s data lives
        in its own database.
      </p>
      <div className="mt-8 flex flex-wrap items-center gap-4">
        <Link
          href="/signup"
          className="rounded-lg bg-brand-600 px-5 py-3 text-sm font-medium text-white hover:bg-brand-700"
        >
          Create your workspace
        </Link>
        <Link href="/login" className={secondaryLinkClass}>
          Sign in
        </Link>
      </div>
    </main>
  );
}
