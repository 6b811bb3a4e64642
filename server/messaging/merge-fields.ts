/**
 * Merge fields make one message personal to each recipient: `{first_name}`, `{last_name}`, `{church_name}`,
 * `{branch_name}` and the church's custom fields by key (`{baptism_date}`), with a fallback for an empty value
 * written `{first_name|friend}`. Pure, so the composer previews with the same rule the sender uses; the church's
 * keys come from its database (custom-fields/merge.ts).
 */
export const MERGE_FIELDS = ['first_name', 'last_name', 'church_name', 'branch_name'] as const;
/** A recipient's values by field key; a custom field with no value for them is present and null. */
export type MergeValues = Record<string, string | null | undefined>;

const FIELD = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}]*))?\}/g;

const isKnown = (key: string, custom: readonly string[]) =>
  (MERGE_FIELDS as readonly string[]).includes(key) || custom.includes(key);

/** The fields a text uses that the church does not have, each once, as written ("Unknown merge field {frist_name}"). */
export function unknownMergeFields(text: string, custom: readonly string[] = []): string[] {
  const unknown = new Set<string>();
  for (const [, name] of text.matchAll(FIELD)) if (!isKnown(name!.toLowerCase(), custom)) unknown.add(name!);
  return [...unknown];
}

/** Every field name a text uses, known or not, each once, lower-cased. */
export const mergeFieldNames = (text: string): string[] => [
  ...new Set([...text.matchAll(FIELD)].map(([, name]) => name!.toLowerCase())),
];

/** The known fields a text uses, each once, lower-cased: what a sender needs to read for each recipient. */
export const mergeFieldsUsed = (text: string, custom: readonly string[] = []): string[] =>
  mergeFieldNames(text).filter((key) => isKnown(key, custom));

/**
 * The text with each field replaced by the recipient's value, its fallback when the value is empty, or nothing. A
 * field neither built in nor among `values` is left as written (it was refused when the text was saved).
 */
export function mergeFields(text: string, values: MergeValues): string {
  return text.replace(FIELD, (whole, name: string, fallback: string | undefined) => {
    const key = name.toLowerCase();
    if (!isKnown(key, Object.keys(values))) return whole;
    const value = values[key]?.trim();
    return value || fallback?.trim() || '';
  });
}

/** The validation message for a text with fields the church does not have, or null when every field is known. */
export function mergeFieldProblem(text: string, custom: readonly string[] = []): string | null {
  const unknown = unknownMergeFields(text, custom);
  if (unknown.length === 0) return null;
  const braced = (names: readonly string[]) => names.map((f) => `{${f}}`).join(', ');
  const plural = unknown.length > 1 ? 's' : '';
  return `Unknown merge field${plural} ${braced(unknown)}. Use ${braced([...MERGE_FIELDS, ...custom])}.`;
}

/** The refusal for a text that some recipients would get empty (`{first_name}` alone, with no fallback). */
export function emptyMergeProblem({ count, name }: { count: number; name: string | null }): string {
  const who = count === 1 ? name : `${count.toLocaleString('en-US')} recipients (${name} among them)`;
  return `For ${who} the merge fields leave nothing: add a fallback, like {first_name|friend}.`;
}

/**
 * A member's values. Someone who texted in first is "New contact" until an admin names them: their first name counts
 * as empty, so `{first_name|friend}` says "friend", not "New contact".
 */
export function mergeValuesOf(m: {
  firstName?: string;
  lastName?: string;
  branchName?: string | null;
  churchName: string;
}): MergeValues {
  const placeholder = m.firstName === 'New contact' && !m.lastName;
  return {
    first_name: placeholder ? null : m.firstName,
    last_name: m.lastName,
    church_name: m.churchName,
    branch_name: m.branchName,
  };
}
