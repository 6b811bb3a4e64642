import Stripe from 'stripe';
import type { Config } from '@/server/config';
import { PlanCatalog } from './plan';

/**
 * The one Stripe client of a process, with the API version pinned: a Stripe-side default change can never alter
 * the shapes we read. Null when billing is off (no STRIPE_SECRET_KEY).
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export type Billing = {
  stripe: Stripe;
  webhookSecret: string;
  priceId: string;
  /** The Price's product name and amount, read from Stripe and cached (plan.ts). */
  plan: PlanCatalog;
  /** STRIPE_PLAN_NAME: the plan's name while Stripe's answer is not known. */
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
    plan: new PlanCatalog(stripe, config.STRIPE_PRICE_ID!),
    planName: config.STRIPE_PLAN_NAME,
  };
}
