/**
 * next-auth's sign-out, then the login page. Its client (with the regenerator runtime it is compiled with) loads when
 * someone signs out, so it is not in the first JavaScript of every signed-in page.
 */
export async function signOutToLogin() {
  const { signOut } = await import('next-auth/react');
  await signOut({ callbackUrl: '/login' });
}
