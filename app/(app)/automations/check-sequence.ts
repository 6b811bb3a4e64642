/**
 * The sequence form checks its input with the server's own schema (server/sequences/inputs.ts), loaded on first use
 * as app/_components/check.ts loads the other forms' schemas: zod stays out of the JavaScript the page starts with.
 * The form starts loading it on its first focus.
 */
const load = () => import('@/server/sequences/inputs');

export const preloadSequenceSchema = () => void load();

/** `sequenceInput.safeParse(value)`, once its chunk has loaded. */
export async function checkSequence(value: unknown) {
  return (await load()).sequenceInput.safeParse(value);
}
