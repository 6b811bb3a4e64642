import { handleStripeWebhook } from '@/server/billing/webhook';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Stripe's webhooks: signature-checked, recorded with their effect, then acknowledged (server/billing/webhook.ts). */
export async function POST(request: Request) {
  return handleStripeWebhook(request, getServices());
}
