import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from '@/server/templates/manage';
import { createTemplateInput, templateId, updateTemplateInput } from '@/server/templates/inputs';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * The church's message library (server/templates/). Everyone on the team inserts templates into what they write;
 * adding, changing and deleting them needs an admin or the owner, as they speak for the church.
 */
export const templatesRouter = router({
  /** Alphabetically, ignoring case. */
  list: tenantProcedure.query(({ ctx }) => listTemplates(ctx.db)),

  create: permittedProcedure('templates.manage')
    .input(createTemplateInput)
    .mutation(({ ctx, input }) => createTemplate(ctx.db, input, ctx.admin.id)),

  update: permittedProcedure('templates.manage')
    .input(updateTemplateInput)
    .mutation(({ ctx, input }) => updateTemplate(ctx.db, input)),

  delete: permittedProcedure('templates.manage')
    .input(templateId)
    .mutation(({ ctx, input }) => deleteTemplate(ctx.db, input.id)),
});
