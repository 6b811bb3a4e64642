import { z } from 'zod';
import { carrierCode } from './carrier-outcomes';
import { PermanentSendError, TransientSendError, type MessagingProvider } from './provider';

/** Telnyx's Messaging API: POST /v2/messages. 429 and 5xx are retried later; other refusals are final. */
const sent = z.object({ data: z.object({ id: z.string().min(1) }) });

export function createTelnyx(opts: {
  apiKey: string;
  baseUrl: string;
  messagingProfileId?: string;
  timeoutMs?: number;
}): MessagingProvider {
  // {TELNYX_API_URL}/v2/messages, keeping any path the base URL has (a proxy's prefix).
  const endpoint = new URL('v2/messages', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  return {
    name: 'telnyx',
    async send({ from, to, text, mediaUrls = [] }) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${opts.apiKey}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify({
            from,
            to,
            // An MMS may be a picture alone; Telnyx fetches each picture from its (signed, expiring) link.
            ...(text ? { text } : {}),
            ...(mediaUrls.length ? { media_urls: mediaUrls } : {}),
            ...(opts.messagingProfileId ? { messaging_profile_id: opts.messagingProfileId } : {}),
          }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
        });
      } catch (err) {
        if (neverConnected(err)) throw new TransientSendError('Telnyx could not be reached', { cause: err });
        // The request may have reached Telnyx (no answer in time, connection lost mid-way): retrying could text twice.
        throw new PermanentSendError(
          'Telnyx did not confirm the message, so it may or may not have been sent ' +
            '(not retried, so it cannot arrive twice)',
          { cause: err },
        );
      }
      const body = await res.json().catch(() => null);
      if (res.status === 429 || res.status >= 500) throw new TransientSendError(`Telnyx answered ${res.status}`);
      if (!res.ok) {
        const refusal = describe(body);
        throw new PermanentSendError(refusal?.message ?? `Telnyx refused the message (${res.status})`, {
          code: refusal?.code,
        });
      }
      // Accepted: retrying would send it again, even if the answer did not carry the message id.
      const parsed = sent.safeParse(body);
      return { providerMessageId: parsed.success ? parsed.data.data.id : null };
    },
  };
}

/** Errors raised before any connection to Telnyx existed: the request never left, so it is safe to try again. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function neverConnected(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
    e && typeof e === 'object';
    e = e.cause as typeof e
  ) {
    if (typeof e.code === 'string' && NOT_CONNECTED.has(e.code)) return true;
    // Several addresses tried.
    if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(neverConnected)) return true;
  }
  return false;
}

/** Telnyx errors look like { errors: [{ code, title, detail }] }: the first one's words, and the carrier's code. */
function describe(body: unknown) {
  const errors = (body as { errors?: { code?: string | number; title?: string; detail?: string }[] } | null)?.errors;
  const first = errors?.[0];
  return first ? { message: [first.title, first.detail].filter(Boolean).join(': '), code: carrierCode(errors) } : null;
}
