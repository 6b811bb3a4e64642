/**
 * The server's input schemas that forms check before sending, gathered in one module so that it becomes a chunk of
 * its own (see check.ts): zod, linkify-it and the top-level-domain list load when a form is first used.
 */
export { acceptInviteInput, adminStep, changePasswordInput, churchStep, inviteInput } from '@/server/inputs';
export { createKeywordInput, updateKeywordInput } from '@/server/keywords/inputs';
export { createTemplateInput, updateTemplateInput } from '@/server/templates/inputs';
export { connectCardSettings } from '@/server/connect-card/inputs';
export { createBranchInput, createMemberInput } from '@/server/members/inputs';
export { captionBody, messageBody, personalBody, quietHoursInput } from '@/server/messaging/inputs';
