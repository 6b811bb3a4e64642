/** A sequence's limits, in a file with no imports: the automations page loads it without zod. */
export const MAX_STEPS = 10;
