/** Audiences' limits and messages, without zod, so the builder checks as it types by the server's own numbers. */
export const MAX_CONDITIONS = 10;
export const MAX_FIRST_VISIT_DAYS = 3660; // ten years
export const MAX_SEGMENT_NAME = 80;
export const SEGMENT_NAME_MISSING = 'Name the segment';
export const SEGMENT_NAME_TOO_LONG = `Keep the name under ${MAX_SEGMENT_NAME} characters`;
