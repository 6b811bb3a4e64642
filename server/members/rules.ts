/** The members' limits and messages that pages show as well as enforce through the server: no zod, no imports. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;
export const EXTENSION_REFUSED = "Phone numbers with an extension can't receive texts";
export const CONSENT_NOTE_REQUIRED = 'Say how they agreed to receive texts (for example “paper connect card, 6 Dec”)';

/** The longest notes a member may have (the admin's form, and the connect card's prayer requests appended to them). */
export const MAX_NOTES = 5_000;
