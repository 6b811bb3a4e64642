// Next.js calls register() once when the server starts: the app is ready (and its worker running) before it serves.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { boot } = await import('./server/boot');
    await boot();
  }
}
