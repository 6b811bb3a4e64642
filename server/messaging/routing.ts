import { asc, eq } from 'drizzle-orm';
import { phoneNumberIndex } from '@/db/registry/schema';
import type { Registry } from '@/server/registry';
import { withDeadline } from '@/server/tenancy/resolver';

/**
 * Phone numbers → churches, through the registry's phone index (a number routes to one church only). Webhooks
 * arrive hundreds a second, so answers are cached briefly; assigning or releasing a number forgets its entry here,
 * and other instances see the change within the TTL.
 */
const TTL_MS = 15_000;

export class NumberRouter {
  private byNumber = new Map<string, { tenantId: string | null; expires: number }>();
  private byTenant = new Map<string, { numbers: string[]; expires: number }>();

  constructor(private registry: Registry, private timeoutMs: number) {}

  /** The church a number belongs to, or null when no church has it. */
  async tenantFor(e164: string): Promise<string | null> {
    const hit = this.byNumber.get(e164);
    if (hit && hit.expires > Date.now()) return hit.tenantId;
    const [row] = await withDeadline(
      this.registry.db.select({ tenantId: phoneNumberIndex.tenantId }).from(phoneNumberIndex).where(eq(phoneNumberIndex.e164, e164)),
      this.timeoutMs,
    );
    if (this.byNumber.size > 50_000) this.byNumber.clear();
    this.byNumber.set(e164, { tenantId: row?.tenantId ?? null, expires: Date.now() + TTL_MS });
    return row?.tenantId ?? null;
  }

  /** A church's sending numbers, oldest first (the first is its default). */
  async numbersOf(tenantId: string): Promise<string[]> {
    const hit = this.byTenant.get(tenantId);
    if (hit && hit.expires > Date.now()) return hit.numbers;
    const rows = await withDeadline(
      this.registry.db.select({ e164: phoneNumberIndex.e164 }).from(phoneNumberIndex).where(eq(phoneNumberIndex.tenantId, tenantId)).orderBy(asc(phoneNumberIndex.createdAt), asc(phoneNumberIndex.e164)),
      this.timeoutMs,
    );
    const numbers = rows.map((r) => r.e164);
    if (this.byTenant.size > 10_000) this.byTenant.clear();
    this.byTenant.set(tenantId, { numbers, expires: Date.now() + TTL_MS });
    return numbers;
  }

  forget(e164: string, tenantId: string) {
    this.byNumber.delete(e164);
    this.byTenant.delete(tenantId);
  }
}
