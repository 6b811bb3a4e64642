import { handleTelnyxWebhook } from '@/server/messaging/webhook';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Telnyx's messaging webhooks: signature-checked, stored, then acknowledged (server/messaging/webhook.ts). */
export async function POST(request: Request) {
  return handleTelnyxWebhook(request, getServices());
}
