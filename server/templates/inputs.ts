import { z } from 'zod';
import { personalBody } from '@/server/messaging/inputs';

/** The templates router's inputs; the templates form loads them to check as the admin types. */

const name = z.string().trim().min(1, 'Name the template').max(60, 'Keep the name under 60 characters');

export const templateId = z.object({ id: z.string().uuid('That template does not exist.') });

/** The body may hold merge fields ({first_name|friend}); each use fills them in for its recipient. */
export const createTemplateInput = z.object({ name, body: personalBody });

export const updateTemplateInput = templateId.extend({ name: name.optional(), body: personalBody.optional() });

export type CreateTemplateInput = z.output<typeof createTemplateInput>;
export type UpdateTemplateInput = z.output<typeof updateTemplateInput>;
