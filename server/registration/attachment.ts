import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { phoneNumberIndex } from '@/db/registry/schema';
import { log } from '@/server/log';
import { isTollFree } from '@/server/numbers/regions';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';

/**
 * A registration's numbers, registered: `registered_at` in the registry's phone index is what the sending gate reads
 * (gate.ts). Local numbers go onto the approved 10DLC campaign one by one; toll-free ones are verified together.
 */
type Deps = Pick<Services, 'messaging' | 'registrar' | 'registry'>;

/** Each of the church's local numbers onto the approved campaign; 'wait' while one is not attached yet. */
export async function attachNumbers(deps: Deps, tenantId: string, campaignId: string): Promise<'done' | 'wait'> {
  const waiting = await withDeadline(
    deps.registry.db
      .select({ e164: phoneNumberIndex.e164 })
      .from(phoneNumberIndex)
      .where(
        and(
          eq(phoneNumberIndex.tenantId, tenantId),
          eq(phoneNumberIndex.status, 'active'),
          ne(phoneNumberIndex.provider, 'claimed'),
          isNull(phoneNumberIndex.registeredAt),
        ),
      ),
    deps.registry.timeoutMs,
  );
  const local = waiting.map((n) => n.e164).filter((n) => !isTollFree(n));
  const attached: string[] = [];
  for (const e164 of local) {
    const outcome = await deps.registrar.attach(e164, campaignId);
    if (outcome === 'attached') attached.push(e164);
    if (outcome === 'failed') log.warn('number not attached to the campaign; trying again later', { tenantId, e164 });
  }
  await markRegistered(deps, tenantId, attached);
  return attached.length === local.length ? 'done' : 'wait';
}

/** The numbers may text US phones now; every instance's router sees it within its cache's TTL. */
export async function markRegistered(deps: Pick<Deps, 'messaging' | 'registry'>, tenantId: string, numbers: string[]) {
  if (numbers.length === 0) return;
  await withDeadline(
    deps.registry.db
      .update(phoneNumberIndex)
      .set({ registeredAt: new Date() })
      .where(and(eq(phoneNumberIndex.tenantId, tenantId), inArray(phoneNumberIndex.e164, numbers))),
    deps.registry.timeoutMs,
  );
  for (const e164 of numbers) deps.messaging.numbers.forget(e164, tenantId);
  log.info('numbers registered with carriers', { tenantId, count: numbers.length });
}
