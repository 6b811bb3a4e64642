import Stripe from 'stripe';
import type { Config } from '@/server/config';

/**
 * The one Stripe client of a process, with the API version pinned: a Stripe-side default change can never alter
 * the shapes we read. Null when billing is off (no STRIPE_SECRET_KEY).
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export type Billing = {
  stripe: Stripe;
  webhookSecret: string;
  priceId: string;
  planName: string;
};

export function createBilling(config: Config): Billing | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const api = config.STRIPE_API_URL ? new URL(config.STRIPE_API_URL) : null;
  const stripe = new Stripe(config.STRIPE_SECRET_KEY, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: 10_000,
    appInfo: { name: 'Steeple' },
    ...(api
      ? {
          host: api.hostname,
          port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
          protocol: api.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
  return {
    stripe,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET!,
    priceId: config.STRIPE_PRICE_ID!,
    planName: config.STRIPE_PLAN_NAME,
  };
}
