/**
 * next-auth's sign-out, then the login page. Its client (with the regenerator runtime it is compiled with) loads when
 * someone signs out, so it is not in the first JavaScript of every signed-in page.
 */
export async function signOutToLogin() {
  await Promise.race([forgetThisBrowser(), new Promise((r) => setTimeout(r, 1_000))]);
  const { signOut } = await import('next-auth/react');
  await signOut({ callbackUrl: '/login' });
}

/**
 * This browser stops taking notifications for whoever signed out (the push service then answers "gone", and the
 * server drops the subscription). Best effort: never in sign-out's way, at most a second.
 */
async function forgetThisBrowser() {
  try {
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    const registration = await navigator.serviceWorker.getRegistration('/');
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
  } catch {
    // Nothing to undo, or the browser would not: signing out goes on.
  }
}
