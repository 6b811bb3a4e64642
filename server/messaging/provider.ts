import { telnyxKey, type Config } from '@/server/config';
import { errorKind } from '@/server/errors';
import { createOutbox } from './outbox';
import { createTelnyx } from './telnyx';

/**
 * Where outbound texts go. Telnyx when TELNYX_API_KEY is set; otherwise the local outbox, which records each send
 * as sent (and lets an admin simulate replies). Tests may pass their own.
 */
/** `mediaUrls`: pictures to send with it (an MMS), as links the provider fetches them from. */
export type OutboundText = { from: string; to: string; text: string; mediaUrls?: string[] };
export type MessagingProvider = {
  name: 'telnyx' | 'outbox';
  /** Resolves once the provider has accepted the message; its id is null when it accepted without saying which. */
  send(message: OutboundText): Promise<{ providerMessageId: string | null }>;
};

/** A failure worth retrying later (rate limited, provider down, network): the message goes back to the queue. */
export class TransientSendError extends errorKind('TransientSend') {}
/** The provider refused this message (bad number, blocked): retrying would not help. `code`: the carrier's. */
export class PermanentSendError extends errorKind('PermanentSend') {
  constructor(message: string, opts: { cause?: unknown; code?: string | null } = {}) {
    super(message, { cause: opts.cause });
    this.code = opts.code ?? null;
  }
  readonly code: string | null;
}

export function createProvider(config: Config): MessagingProvider {
  const apiKey = telnyxKey(config);
  return apiKey
    ? createTelnyx({
        apiKey,
        baseUrl: config.TELNYX_API_URL,
        messagingProfileId: config.TELNYX_MESSAGING_PROFILE_ID,
      })
    : createOutbox();
}
