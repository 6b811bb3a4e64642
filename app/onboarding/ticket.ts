/** The signup ticket travels from /signup to /onboarding in session storage, never in the URL. */
export const TICKET_KEY = 'steeple.signupTicket';
