import { cache } from 'react';
import { cardChurch } from '@/server/connect-card/church';
import { cardSettings } from '@/server/connect-card/settings';
import { log } from '@/server/log';
import { getServices } from '@/server/services';

/**
 * The church behind /c/<slug> and its card's settings, or null when there is no card to show: an unknown slug, a
 * church that is suspended or closed, a card switched off — or the registry out of reach (logged; visitors are told
 * only that the page is not available). Cached per request: the page and its metadata ask once.
 */
export const churchCard = cache(async (slug: string) => {
  const services = getServices();
  try {
    const church = await cardChurch(services, slug);
    if (!church) return null;
    const settings = await services.connections.withTenant(church.tenantId, cardSettings);
    if (!settings.enabled) return null;
    return { church, settings, profile: await services.profiles.get(church.tenantId) };
  } catch (err) {
    log.error('connect card: could not load the church', { slug, err });
    return null;
  }
});
