import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary copy of the tenant migrations, to which a test adds what the next deploy would bring. */
export function tenantMigrationsCopy(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'steeple-migrations-'));
  cpSync(path.join(process.cwd(), 'drizzle', 'tenant'), folder, { recursive: true });
  return folder;
}

/** Append a migration as `npm run db:generate` would write it; returns the new schema version. */
export function appendMigration(folder: string, name: string, sql: string): number {
  const journalFile = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
  const idx = journal.entries.length;
  const tag = `${String(idx).padStart(4, '0')}_${name}`;
  writeFileSync(path.join(folder, `${tag}.sql`), sql);
  journal.entries.push({ idx, version: '7', when: Date.now(), tag, breakpoints: true });
  writeFileSync(journalFile, JSON.stringify(journal));
  return idx + 1;
}

/** The tenant migrations plus one that adds `admins.pronouns`. */
export function nextMigrationFolder() {
  const folder = tenantMigrationsCopy();
  const sql = 'ALTER TABLE "admins" ADD COLUMN "pronouns" text;';
  return { folder, version: appendMigration(folder, 'admin_pronouns', sql) };
}
