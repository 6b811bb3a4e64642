import { pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One church's database. Cloned from the template, so every table here exists the moment a church is created.
 * Members, branches, conversations and messages arrive with the workspace issue.
 */

export const adminRole = pgEnum('admin_role', ['owner', 'admin', 'staff']);

export const admins = pgTable('admins', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(), // normalised, mirrored in the registry's admin email index
  passwordHash: text('password_hash').notNull(),
  role: adminRole('role').notNull().default('staff'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Pending invitations to join the team; accepted ones become admins with the same id. */
export const invites = pgTable('invites', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull(),
  role: adminRole('role').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  invitedBy: uuid('invited_by').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type Admin = typeof admins.$inferSelect;
export type AdminRole = (typeof adminRole.enumValues)[number];
