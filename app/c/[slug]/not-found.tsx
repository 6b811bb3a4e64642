/** An unknown slug, a suspended or closed church, a card switched off: all the same to a visitor. */
export default function CardNotFound() {
  return (
    <main className="mx-auto min-h-screen w-full max-w-md px-4 py-12">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">This page is not available</h1>
      <p className="mt-2 text-slate-600">Check the link, or ask the church for its current one.</p>
    </main>
  );
}
