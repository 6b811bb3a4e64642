import { randomUUID } from 'node:crypto';
import { log } from '@/server/log';
import type { MessagingProvider } from './provider';

/** The default provider: nothing leaves the machine. Each send is logged (without its body) and counted as sent. */
export function createOutbox(): MessagingProvider {
  return {
    name: 'outbox',
    async send({ from, to, mediaUrls = [] }) {
      const providerMessageId = `outbox-${randomUUID()}`;
      log.debug('outbox: message recorded as sent', { from, to, providerMessageId, pictures: mediaUrls.length });
      return { providerMessageId };
    },
  };
}
