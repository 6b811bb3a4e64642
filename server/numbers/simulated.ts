import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { phoneNumberIndex } from '@/db/registry/schema';
import { type Registry, withDeadline } from '@/server/registry';
import { InventoryRefusal, type AvailableNumber, type NumberInventory, type NumberSearch } from './inventory';
import { areaCodesFor, placeOf, TOLL_FREE_CODES } from './regions';

/**
 * The local stand-in for Telnyx's inventory: the fictional 555-0100…0199 numbers of every US area code (and of the
 * toll-free codes). A number is available while no church holds it in the registry; orders complete at once and a
 * release puts the number back. Prices are Telnyx's list prices, for the cost shown before buying.
 */
const LOCAL_CENTS = 100;
const TOLL_FREE_CENTS = 200;
const FICTIONAL = /^\+1([2-9]\d\d)55501\d\d$/;

export function createSimulatedInventory(registry: Registry): NumberInventory {
  async function taken(numbers: string[]) {
    const rows = await withDeadline(
      registry.db
        .select({ e164: phoneNumberIndex.e164 })
        .from(phoneNumberIndex)
        .where(inArray(phoneNumberIndex.e164, numbers)),
      registry.timeoutMs,
    );
    return new Set(rows.map((r) => r.e164));
  }
  return {
    name: 'simulated',
    async search(query, limit) {
      const candidates = areaCodesOf(query).flatMap((code) =>
        Array.from({ length: 100 }, (_, i) => `+1${code}55501${String(i).padStart(2, '0')}`),
      );
      if (candidates.length === 0) return [];
      const held = await taken(candidates);
      return candidates
        .filter((n) => !held.has(n))
        .slice(0, limit)
        .map(describe);
    },
    async price(e164) {
      return FICTIONAL.test(e164) ? describe(e164) : null;
    },
    async order(e164) {
      if (!FICTIONAL.test(e164)) throw new InventoryRefusal('That number is not available. Search again.');
      return { orderId: `sim-order-${randomUUID()}`, status: 'success' };
    },
    async orderStatus() {
      return 'success';
    },
    async holds() {
      return false; // orders complete at once: one left unrecorded never happened
    },
    async release() {},
  };
}

function areaCodesOf(query: NumberSearch): string[] {
  if (query.tollFree) return query.areaCode ? TOLL_FREE_CODES.filter((c) => c === query.areaCode) : TOLL_FREE_CODES;
  if (query.areaCode) return TOLL_FREE_CODES.includes(query.areaCode) ? [] : [query.areaCode];
  return areaCodesFor(query);
}

function describe(e164: string): AvailableNumber {
  const code = e164.slice(2, 5);
  const tollFree = TOLL_FREE_CODES.includes(code);
  return {
    number: e164,
    region: tollFree ? null : placeOf(code),
    tollFree,
    monthlyCostCents: tollFree ? TOLL_FREE_CENTS : LOCAL_CENTS,
    currency: 'USD',
  };
}
