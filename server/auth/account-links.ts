import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { accountLinks } from '@/db/registry/schema';
import { admins } from '@/db/tenant/schema';
import { NotFound } from '@/server/domain-errors';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { randomToken, sha256 } from '@/server/tokens';

/**
 * Single-use links emailed to an admin (a password reset, an email check): the token goes in the mail, only its hash
 * is stored, in the registry because whoever follows the link is not signed in and the link alone must lead to the
 * church. Used up in the statement that checks it, so two tabs cannot both use one.
 */
type Deps = Pick<Services, 'connections' | 'registry'>;
type Purpose = (typeof accountLinks.$inferInsert)['purpose'];
type Owner = { tenantId: string; adminId: string };

/** A new link's token (to put in the mail). */
export async function createLink(services: Deps, purpose: Purpose, owner: Owner, minutes: number) {
  const token = randomToken();
  await withDeadline(
    services.registry.db.insert(accountLinks).values({
      tokenHash: sha256(token),
      purpose,
      tenantId: owner.tenantId,
      adminId: owner.adminId,
      expiresAt: new Date(Date.now() + minutes * 60_000),
    }),
    services.registry.timeoutMs,
  );
  return token;
}

const unused = () => and(isNull(accountLinks.usedAt), gt(accountLinks.expiresAt, sql`now()`));

/** The live link for `token`, or NotFound(`gone`): unknown, used, expired or for another purpose all read alike. */
export async function liveLink(services: Deps, purpose: Purpose, token: string, gone: string) {
  const [link] = await withDeadline(
    services.registry.db
      .select()
      .from(accountLinks)
      .where(and(eq(accountLinks.tokenHash, sha256(token)), eq(accountLinks.purpose, purpose), unused())),
    services.registry.timeoutMs,
  );
  if (!link) throw new NotFound(gone);
  return link;
}

/**
 * Uses up `link` and every other live link of its admin for the same purpose (an older mail stops working too);
 * NotFound(`gone`) when another request used it first.
 */
export async function spendLink(services: Deps, link: typeof accountLinks.$inferSelect, gone: string) {
  const used = await withDeadline(
    services.registry.db
      .update(accountLinks)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(accountLinks.tenantId, link.tenantId),
          eq(accountLinks.adminId, link.adminId),
          eq(accountLinks.purpose, link.purpose),
          unused(),
        ),
      )
      .returning({ tokenHash: accountLinks.tokenHash }),
    services.registry.timeoutMs,
  );
  if (!used.some((u) => u.tokenHash === link.tokenHash)) throw new NotFound(gone);
}

/** The admin a link is for, from their church's database; NotFound(`gone`) once they have left the team. */
export async function adminOfLink(services: Deps, link: Owner, gone: string) {
  const [admin] = await services.connections.withTenant(link.tenantId, (db) =>
    db.select().from(admins).where(eq(admins.id, link.adminId)),
  );
  if (!admin) throw new NotFound(gone);
  return admin;
}
