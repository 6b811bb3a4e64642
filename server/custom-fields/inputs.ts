import { z } from 'zod';
import { CUSTOM_FIELD_TYPES } from '@/db/tenant/enums';
import { MAX_CHOICES, MAX_VALUE_LENGTH, keyOf } from './rules';

/** Custom field definitions (Settings) and a member's values (the member form). Pure zod, client-safe. */

const label = z
  .string()
  .trim()
  .min(1, 'Name the field')
  .max(60, 'Keep the name under 60 characters')
  .refine((l) => /[\p{L}\p{N}]/u.test(l), 'Use at least one letter or digit');

/** A choice list: trimmed, blanks and repeats (ignoring case) dropped. */
const options = z
  .array(z.string().trim().max(60, 'Keep each choice under 60 characters'))
  .max(MAX_CHOICES, `Offer at most ${MAX_CHOICES} choices`)
  .transform((list) => list.filter((o, i) => o && list.findIndex((p) => p.toLowerCase() === o.toLowerCase()) === i));

export const createFieldInput = z
  .object({ label, type: z.enum(CUSTOM_FIELD_TYPES), options: options.optional() })
  .refine((f) => f.type !== 'choice' || (f.options?.length ?? 0) >= 2, {
    message: 'Give at least two choices',
    path: ['options'],
  })
  .transform((f) => ({ ...f, key: keyOf(f.label), options: f.type === 'choice' ? (f.options ?? []) : [] }));
export type CreateFieldInput = z.output<typeof createFieldInput>;

/** The label and a choice list may change; the type and merge-field key stay (texts and values depend on them). */
export const updateFieldInput = z.object({
  id: z.string().uuid(),
  label: label.optional(),
  options: options.optional(),
});
export type UpdateFieldInput = z.output<typeof updateFieldInput>;

export const fieldId = z.object({ id: z.string().uuid() });

/** A member's values by field id, as the form holds them ('' clears one); fields not named are left alone. */
export const fieldValuesInput = z
  .record(z.string().uuid(), z.string().max(MAX_VALUE_LENGTH, 'Keep it under 500 characters'))
  .refine((r) => Object.keys(r).length <= 100, 'Too many fields');
