import Telnyx, { APIConnectionError, APIError, NotFoundError } from 'telnyx';
import { log } from '@/server/log';
import { TOLL_FREE_CODES } from './regions';
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
  // TELNYX_API_URL is the host (and any proxy prefix); the library's base URL includes /v2.
  const baseURL = new URL('v2', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`).toString();
  const client = new Telnyx({ apiKey: opts.apiKey, baseURL, timeout: 20_000, maxRetries: 1 });
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
      const tollFree = TOLL_FREE_CODES.includes(e164.slice(2, 5));
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
      const match = (res.data ?? []).find((n) => n.phone_number === e164);
      if (match) return available(match);
      // Not found by the pattern: the order itself says whether it is still for sale (its cost is then unknown).
      log.warn('telnyx: a number to order was not found by a search; ordering without its price', { number: e164 });
      return { number: e164, region: null, tollFree, monthlyCostCents: null, currency: 'USD' };
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
      );
      const order = res.data;
      if (!order?.id || order.status === 'failure') throw new InventoryRefusal('Telnyx could not sell that number.');
      return { orderId: order.id, status: order.status === 'success' ? 'success' : 'pending' };
    },
    async orderStatus(orderId) {
      const res = await call(() => client.numberOrders.retrieve(orderId));
      return res.data?.status ?? 'pending';
    },
    async release(e164) {
      const page = await call(() => client.phoneNumbers.list({ filter: { phone_number: e164 } }));
      for (const n of page.data ?? []) {
        if (n.phone_number !== e164 || !n.id) continue;
        const id = n.id;
        await call(() =>
          client.phoneNumbers.delete(id).catch((err) => (err instanceof NotFoundError ? null : raise(err))),
        );
      }
    },
  };
}

type Listed = {
  phone_number?: string;
  cost_information?: { monthly_cost?: string; currency?: string };
  region_information?: { region_name?: string; region_type?: string }[];
};

function available(n: Listed): AvailableNumber {
  const e164 = n.phone_number!;
  const regions = new Map((n.region_information ?? []).map((r) => [r.region_type, r.region_name]));
  const place = [regions.get('rate_center') ?? regions.get('location'), regions.get('state')].filter(Boolean);
  const monthly = Number.parseFloat(n.cost_information?.monthly_cost ?? '');
  return {
    number: e164,
    region: place.length ? place.join(', ') : null,
    tollFree: TOLL_FREE_CODES.includes(e164.slice(2, 5)),
    monthlyCostCents: Number.isFinite(monthly) ? Math.round(monthly * 100) : null,
    currency: n.cost_information?.currency ?? 'USD',
  };
}

const raise = (err: unknown): never => {
  throw err;
};

/** Telnyx's refusals (4xx) become messages an admin can act on; outages and timeouts say to try again. */
async function call<T>(request: () => Promise<T>, what = 'asking about numbers'): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (
      err instanceof APIError &&
      !(err instanceof APIConnectionError) &&
      err.status &&
      err.status < 500 &&
      err.status !== 429
    ) {
      log.warn(`telnyx: refused while ${what}`, { status: err.status, detail: detailOf(err) });
      throw new InventoryRefusal(detailOf(err) ?? 'Telnyx refused the request.', { cause: err });
    }
    log.warn(`telnyx: failed while ${what}`, { err });
    throw new InventoryUnavailable('Telnyx could not be reached. Please try again in a minute.', { cause: err });
  }
}

/** Telnyx errors look like { errors: [{ title, detail }] }. */
function detailOf(err: APIError): string | null {
  const first = (err.error as { errors?: { title?: string; detail?: string }[] } | undefined)?.errors?.[0];
  return first ? (first.detail ?? first.title ?? null) : null;
}
