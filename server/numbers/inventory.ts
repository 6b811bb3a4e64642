import { telnyxKey, type Config } from '@/server/config';
import { errorKind } from '@/server/errors';
import type { Registry } from '@/server/registry';
import { createSimulatedInventory } from './simulated';
import { createTelnyxInventory } from './telnyx';

/**
 * Where a church's numbers come from: Telnyx's number search, orders and release when TELNYX_API_KEY is set;
 * otherwise a simulated inventory of fictional 555-01xx numbers that behaves the same, so the journey runs offline.
 */
export type NumberSearch = { areaCode?: string; city?: string; state?: string; tollFree?: boolean };
export type AvailableNumber = {
  number: string;
  /** "Chicago, IL" (or the state alone, or null) as the provider describes it. */
  region: string | null;
  tollFree: boolean;
  monthlyCostCents: number | null;
  currency: string;
};
/** success: the number is the church's now. pending: the provider is still completing the order. */
type PlacedOrder = { orderId: string; status: 'success' | 'pending' };

export type NumberInventory = {
  name: 'telnyx' | 'simulated';
  search(query: NumberSearch, limit: number): Promise<AvailableNumber[]>;
  /** The price of one number, from a fresh search: what the church is told before buying. */
  price(e164: string): Promise<AvailableNumber | null>;
  order(e164: string, customerReference: string): Promise<PlacedOrder>;
  /** The order's state now; `failure` when the provider could not complete it. */
  orderStatus(orderId: string): Promise<'success' | 'pending' | 'failure'>;
  /** Whether the account holds the number (an order whose answer was lost may still have bought it). */
  holds(e164: string): Promise<boolean>;
  /** Give the number back. A number the provider no longer has counts as released. */
  release(e164: string): Promise<void>;
};

/** The provider refused (the number is gone, the account cannot buy): the admin can act on the message. */
export class InventoryRefusal extends errorKind('InventoryRefusal') {}
/** The provider could not be reached or failed: nothing changed, try again later. */
export class InventoryUnavailable extends errorKind('InventoryUnavailable') {}

export function createInventory(config: Config, registry: Registry): NumberInventory {
  const apiKey = telnyxKey(config);
  return apiKey
    ? createTelnyxInventory({
        apiKey,
        baseUrl: config.TELNYX_API_URL,
        messagingProfileId: config.TELNYX_MESSAGING_PROFILE_ID!, // required with the key (config.ts)
      })
    : createSimulatedInventory(registry);
}
