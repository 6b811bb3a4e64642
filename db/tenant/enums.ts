/**
 * The values of the church database's enums, in a file with no imports: the schema builds its pgEnums from them and
 * the zod inputs (which client components import) build their enums from them, so each list is written once.
 */
export const ADMIN_ROLES = ['owner', 'admin', 'staff'] as const;

/** See `subscription` in schema.ts for what each state means. */
export const SUBSCRIPTION_STATES = ['subscribed', 'unsubscribed', 'not_opted_in'] as const;
