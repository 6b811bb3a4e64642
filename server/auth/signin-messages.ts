/** What sign-in says, shared by the server and the login form (pure: client components import it). */
export const SIGNIN_REFUSED = 'Email or password is incorrect.';
/** Said after a correct password when the account has two-factor sign-in: the form then asks for the code. */
export const CODE_NEEDED = 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.';
export const CODE_WRONG = 'That code is not correct. Check your authenticator app and try again.';
