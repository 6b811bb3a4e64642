import Telnyx, { APIConnectionError, APIError, NotFoundError } from 'telnyx';
import type { AvailablePhoneNumberListResponse } from 'telnyx/resources/available-phone-numbers';
import { log } from '@/server/log';
import { isTollFree } from './regions';
import {
  InventoryRefusal,
  InventoryUnavailable,
  type AvailableNumber,
  type NumberInventory,
  type NumberSearch,
} from './inventory';

/**
 * Telnyx's number APIs through its official library: search (`GET /v2/available_phone_numbers`), orders
 * (`/v2/number_orders`, attached to the messaging profile so texts to the number reach our webhook) and release
 * (`DELETE /v2/phone_numbers/{id}`). Tests point `baseUrl` at a local stand-in.
 */
export function createTelnyxInventory(opts: {
  apiKey: string;
  baseUrl: string;
  messagingProfileId: string;
}): NumberInventory {
  const client = telnyxClient(opts);
  // An order is never retried by the library: a lost answer could otherwise buy twice.
  const once = { maxRetries: 0 };

  const search = async (query: NumberSearch, limit: number) => {
    const res = await call(() =>
      client.availablePhoneNumbers.list({
        filter: {
          country_code: 'US',
          features: ['sms'],
          phone_number_type: query.tollFree ? 'toll_free' : 'local',
          national_destination_code: query.areaCode,
          locality: query.city?.trim() || undefined,
          administrative_area: query.state?.trim().toUpperCase() || undefined,
          limit,
        },
      }),
    );
    return (res.data ?? []).flatMap((n) => (n.phone_number ? [available(n)] : []));
  };

  return {
    name: 'telnyx',
    search,
    async price(e164) {
      // Telnyx's pattern excludes the country code, and the area code when that is filtered on too.
      const tollFree = isTollFree(e164);
      const res = await call(() =>
        client.availablePhoneNumbers.list({
          filter: {
            country_code: 'US',
            phone_number_type: tollFree ? 'toll_free' : 'local',
            national_destination_code: e164.slice(2, 5),
            phone_number: { starts_with: e164.slice(5) },
            limit: 5,
          },
        }),
      );
      // Telnyx sells only what a recent search returned, and the church must have seen the price.
      const match = (res.data ?? []).find((n) => n.phone_number === e164);
      return match ? available(match) : null;
    },
    async order(e164, customerReference) {
      const res = await call(
        () =>
          client.numberOrders.create(
            {
              phone_numbers: [{ phone_number: e164 }],
              messaging_profile_id: opts.messagingProfileId,
              customer_reference: customerReference,
            },
            once,
          ),
        'ordering',
        'Telnyx could not sell that number. Search again and choose another.',
      );
      const order = res.data;
      if (!order?.id || order.status === 'failure')
        throw new InventoryRefusal('Telnyx could not sell that number. Search again and choose another.');
      return { orderId: order.id, status: order.status === 'success' ? 'success' : 'pending' };
    },
    async orderStatus(orderId) {
      const res = await call(() => client.numberOrders.retrieve(orderId));
      return res.data?.status ?? 'pending';
    },
    async holds(e164) {
      return (await idsOf(e164)).length > 0;
    },
    async release(e164) {
      for (const id of await idsOf(e164)) {
        await call(() =>
          client.phoneNumbers.delete(id).catch((err) => (err instanceof NotFoundError ? null : raise(err))),
        );
      }
    },
  };

  /** The account's ids for a number it holds (none when it does not). */
  async function idsOf(e164: string) {
    const page = await call(() => client.phoneNumbers.list({ filter: { phone_number: e164 } }));
    return (page.data ?? []).flatMap((n) => (n.phone_number === e164 && n.id ? [n.id] : []));
  }
}

/** Telnyx's official library, for the number, 10DLC and toll-free APIs. */
export function telnyxClient(opts: { apiKey: string; baseUrl: string }) {
  // TELNYX_API_URL is the host (and any proxy prefix); the library's base URL includes /v2.
  const baseURL = new URL('v2', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`).toString();
  return new Telnyx({ apiKey: opts.apiKey, baseURL, timeout: 20_000, maxRetries: 1 });
}

/** One number for sale, as the library types it. */
type Listed = NonNullable<AvailablePhoneNumberListResponse['data']>[number];

function available(n: Listed): AvailableNumber {
  const e164 = n.phone_number!;
  const regions = new Map((n.region_information ?? []).map((r) => [r.region_type, r.region_name]));
  const place = [regions.get('rate_center') ?? regions.get('location'), regions.get('state')].filter(Boolean);
  const monthly = Number.parseFloat(n.cost_information?.monthly_cost ?? '');
  return {
    number: e164,
    region: place.length ? place.join(', ') : null,
    tollFree: isTollFree(e164),
    monthlyCostCents: Number.isFinite(monthly) ? Math.round(monthly * 100) : null,
    currency: n.cost_information?.currency ?? 'USD',
  };
}

const raise = (err: unknown): never => {
  throw err;
};

/**
 * What Telnyx's failures mean for the admin. A refusal about the request (400, 409, 422: sold, not for sale) gets
 * `refusal`, never Telnyx's own words, which can name our account's settings; the detail goes to the log. Our account
 * refused (401, 403, 404: a key or profile problem) is an operator's problem; outages and timeouts say to try again.
 */
async function call<T>(
  request: () => Promise<T>,
  what = 'asking about numbers',
  refusal = 'Telnyx could not do that with these details. Please check them and try again.',
): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (
      !(err instanceof APIError) ||
      err instanceof APIConnectionError ||
      !err.status ||
      err.status >= 500 ||
      err.status === 429
    ) {
      log.warn(`telnyx: failed while ${what}`, { err });
      throw new InventoryUnavailable('Telnyx could not be reached. Please try again in a minute.', { cause: err });
    }
    if ([401, 403, 404].includes(err.status)) {
      log.error(`telnyx: our account was refused while ${what} (check TELNYX_API_KEY and the messaging profile)`, {
        status: err.status,
        detail: detailOf(err),
      });
      throw new InventoryUnavailable('Buying numbers is not available right now. Please try again later.', {
        cause: err,
      });
    }
    log.warn(`telnyx: refused while ${what}`, { status: err.status, detail: detailOf(err) });
    throw new InventoryRefusal(refusal, { cause: err });
  }
}

/** Telnyx errors look like { errors: [{ title, detail }] }. */
export function detailOf(err: APIError): string | null {
  const first = (err.error as { errors?: { title?: string; detail?: string }[] } | undefined)?.errors?.[0];
  return first ? (first.detail ?? first.title ?? null) : null;
}
