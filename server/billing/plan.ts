import { LRUCache } from 'lru-cache';
import type Stripe from 'stripe';
import { log } from '@/server/log';

/**
 * The plan a church can buy, as Stripe describes it: the product's name and the Price's amount and interval
 * (STRIPE_PRICE_ID), so the billing page always agrees with what Checkout charges. Read once an hour per process;
 * while Stripe cannot be reached the page shows the last answer, or says the price could not be loaded.
 */
type PlanPrice = { name: string; price: string | null };

const TTL_MS = 60 * 60_000;
/** After a failed read, Stripe is not asked again for this long: a page never waits on an outage twice a minute. */
const QUIET_MS = 60_000;
/** A page waits at most this long for the price (one retry included); Checkout keeps the client's own settings. */
const READ = { timeout: 4_000, maxNetworkRetries: 1 } as const;

export class PlanCatalog {
  private quietUntil = 0;
  private readonly quietMs: number;
  private readonly cache: LRUCache<string, PlanPrice>;

  constructor(
    private stripe: Stripe,
    private priceId: string,
    opts: { ttlMs?: number; quietMs?: number } = {},
  ) {
    this.quietMs = opts.quietMs ?? QUIET_MS;
    this.cache = new LRUCache<string, PlanPrice>({
      max: 1,
      ttl: opts.ttlMs ?? TTL_MS,
      // An expired answer is still better than none while Stripe is down.
      allowStaleOnFetchRejection: true,
      noDeleteOnFetchRejection: true,
      fetchMethod: (id) => this.load(id),
    });
  }

  /** The plan, or null when Stripe has not answered yet and cannot be reached now. Never throws. */
  async get(): Promise<PlanPrice | null> {
    if (Date.now() < this.quietUntil)
      return this.cache.get(this.priceId, { allowStale: true, noDeleteOnStaleGet: true }) ?? null;
    const status: LRUCache.Status<string, PlanPrice> = {};
    const plan = await this.cache.fetch(this.priceId, { status }); // a failure gives the stale answer, or undefined
    if (status.fetchRejected) {
      this.quietUntil = Date.now() + this.quietMs;
      log.warn('stripe price not loaded; the billing page shows what is known', {
        priceId: this.priceId,
        err: status.fetchError,
        stale: !!plan,
      });
    }
    return plan ?? null;
  }

  private async load(priceId: string): Promise<PlanPrice> {
    const price = await this.stripe.prices.retrieve(priceId, { expand: ['product'] }, READ);
    const product = typeof price.product === 'object' && !price.product.deleted ? price.product : null;
    if (!product) throw new Error(`price ${priceId} has no product`);
    return { name: product.name, price: priceLabel(price) };
  }
}

/**
 * "$29.00 per month", "€290.00 per year", "$75.00 every 3 months"; null when the amount is not fixed (tiered or
 * usage-based prices), where Checkout shows it.
 */
export function priceLabel(
  price: Pick<Stripe.Price, 'unit_amount' | 'currency'> & {
    recurring: Pick<Stripe.Price.Recurring, 'interval' | 'interval_count'> | null;
  },
): string | null {
  if (price.unit_amount === null) return null;
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: price.currency.toUpperCase() });
  // Stripe counts in the currency's smallest unit: cents for USD, whole yen for JPY.
  const amount = format.format(price.unit_amount / 10 ** format.resolvedOptions().maximumFractionDigits!);
  const r = price.recurring;
  if (!r) return amount;
  return r.interval_count === 1 ? `${amount} per ${r.interval}` : `${amount} every ${r.interval_count} ${r.interval}s`;
}
