import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { hasCause } from '@/server/errors';

/** A BAD_REQUEST that the pages show beside one field, in the same shape as an input validation error. */
export function fieldError(field: string, message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', cause: new z.ZodRealError([{ code: 'custom', path: [field], message, input: undefined }]) });
}

export const isUniqueViolation = (err: unknown, constraint: string) => hasCause(err, (e) => e.code === '23505' && e.constraint_name === constraint);
export const isForeignKeyViolation = (err: unknown, constraint: string) => hasCause(err, (e) => e.code === '23503' && e.constraint_name === constraint);

export const DUPLICATE_PHONE = 'A member with this phone number already exists';
export const MISSING_BRANCH = 'That branch no longer exists. Choose another.';

/** Database refusals a member write can meet, as the clear 4xx errors the pages show; anything else is rethrown. */
export function memberWriteError(err: unknown): never {
  if (isUniqueViolation(err, 'members_phone_unique')) throw new TRPCError({ code: 'CONFLICT', message: DUPLICATE_PHONE });
  if (isForeignKeyViolation(err, 'members_branch_id_branches_id_fk')) throw fieldError('branchId', MISSING_BRANCH);
  throw err;
}
