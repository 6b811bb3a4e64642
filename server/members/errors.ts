import { Conflict, Invalid } from '@/server/domain-errors';
import { isForeignKeyViolation, isUniqueViolation } from '@/server/errors';

/** Bad input the pages show beside one field, in the same shape as an input validation error. */
export const fieldError = (field: string, message: string) => new Invalid(message, field);

const DUPLICATE_PHONE = 'A member with this phone number already exists';
const MISSING_BRANCH = 'That branch no longer exists. Choose another.';

/** Database refusals a member write can meet, as the clear 4xx errors the pages show; anything else is rethrown. */
export function memberWriteError(err: unknown): never {
  if (isUniqueViolation(err, 'members_phone_unique')) throw new Conflict(DUPLICATE_PHONE);
  if (isForeignKeyViolation(err, 'members_branch_id_branches_id_fk')) throw fieldError('branchId', MISSING_BRANCH);
  throw err;
}
