import { z } from 'zod';
import { tagList } from '@/server/members/inputs';
import { KEYWORD_PATTERN, KEYWORD_SHAPE, keywordWord, reservedWordRefusal } from './rules';

/** The keywords router's inputs; the keywords form loads them to check as the admin types. */

const word = z
  .string()
  .max(40, KEYWORD_SHAPE)
  .transform(keywordWord)
  .pipe(z.string().min(1, 'Enter a keyword').regex(KEYWORD_PATTERN, KEYWORD_SHAPE))
  .superRefine((w, ctx) => {
    const refusal = reservedWordRefusal(w);
    if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
  });

const reply = z
  .string()
  .trim()
  .min(1, 'Write the reply people get when they text the keyword')
  .max(640, 'Keep the reply under 640 characters (four texts)');

export const keywordId = z.object({ id: z.string().uuid('That keyword does not exist.') });

export const createKeywordInput = z.object({ keyword: word, reply, addTags: tagList.optional() });

export const updateKeywordInput = keywordId.extend({
  keyword: word.optional(),
  reply: reply.optional(),
  addTags: tagList.optional(),
});

export type CreateKeywordInput = z.output<typeof createKeywordInput>;
export type UpdateKeywordInput = z.output<typeof updateKeywordInput>;
