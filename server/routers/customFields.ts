import { createFieldInput, fieldId, updateFieldInput } from '@/server/custom-fields/inputs';
import { createField, deleteField, listFields, updateField } from '@/server/custom-fields/manage';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * The church's own member fields (server/custom-fields/): everyone sees them (the member form, filters, merge-field
 * menus); defining, renaming and deleting them needs an admin or the owner.
 */
export const customFieldsRouter = router({
  /** In the order they were added. */
  list: tenantProcedure.query(({ ctx }) => listFields(ctx.db)),

  create: permittedProcedure('customFields.manage')
    .input(createFieldInput)
    .mutation(({ ctx, input }) => createField(ctx.db, input)),

  /** The label, and a choice field's list; the type and merge-field key never change. */
  update: permittedProcedure('customFields.manage')
    .input(updateFieldInput)
    .mutation(({ ctx, input }) => updateField(ctx.db, input)),

  /** Refused while a template, keyword, the connect card, a segment or an unsent broadcast uses it. */
  delete: permittedProcedure('customFields.manage')
    .input(fieldId)
    .mutation(({ ctx, input }) => deleteField(ctx.db, input.id)),
});
